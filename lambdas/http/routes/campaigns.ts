import { AUTH_ERRORS, type RouteSpec } from '../route-spec.ts';
import {
  CampaignBody,
  CampaignList,
  CampaignListQuery,
  CampaignParams,
  CampaignPreview,
  CampaignStarted,
  CampaignView,
} from '../schemas/campaign.ts';

const control = (move: 'pause' | 'resume' | 'cancel', summary: string): RouteSpec => ({
  id: `${move}Campaign`,
  method: 'POST',
  path: `/v1/campaigns/{campaignId}/${move}`,
  fn: 'campaigns',
  scope: 'admin',
  summary,
  params: CampaignParams,
  responses: { 200: { description: 'The new status', schema: CampaignStarted } },
  errors: [400, ...AUTH_ERRORS, 404, 409],
});

export const CAMPAIGN_ROUTES: RouteSpec[] = [
  {
    id: 'previewCampaign',
    method: 'POST',
    path: '/v1/campaigns/preview',
    fn: 'campaigns',
    scope: 'admin',
    summary:
      'Dry run: audience, control and pilot sizes, suppression by contact policy, estimated AWS cost; contacts nobody',
    body: CampaignBody,
    responses: { 200: { description: 'The preview', schema: CampaignPreview } },
    errors: [400, ...AUTH_ERRORS, 413],
  },
  {
    id: 'createCampaign',
    method: 'POST',
    path: '/v1/campaigns',
    fn: 'campaigns',
    scope: 'admin',
    summary: 'Start a campaign workflow: control group, pilot, measured uplift, roll-out',
    body: CampaignBody,
    responses: { 202: { description: 'Started', schema: CampaignStarted } },
    errors: [400, ...AUTH_ERRORS, 413],
  },
  {
    id: 'listCampaigns',
    method: 'GET',
    path: '/v1/campaigns',
    fn: 'campaigns',
    scope: 'admin',
    summary: "The tenant's campaigns, newest first",
    query: CampaignListQuery,
    responses: { 200: { description: 'Campaigns', schema: CampaignList } },
    errors: [400, ...AUTH_ERRORS],
  },
  {
    id: 'getCampaign',
    method: 'GET',
    path: '/v1/campaigns/{campaignId}',
    fn: 'campaigns',
    scope: 'admin',
    summary: 'Status, phase and report (JSON, or CSV with Accept: text/csv)',
    params: CampaignParams,
    responses: { 200: { description: 'The campaign', schema: CampaignView } },
    errors: [400, ...AUTH_ERRORS, 404],
  },
  control('pause', 'Hold the campaign before its next contact phase'),
  control('resume', 'Continue a paused campaign'),
  control('cancel', 'End the campaign before its next contact phase'),
];
