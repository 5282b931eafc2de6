import { AUTH_ERRORS, route } from '../route-spec.ts';
import {
  CampaignBody,
  CampaignList,
  CampaignListQuery,
  CampaignParams,
  CampaignPreview,
  CampaignStarted,
  CampaignView,
} from '../schemas/campaign.ts';

const control = <Move extends 'pause' | 'resume' | 'cancel'>(move: Move, summary: string, description: string) =>
  route({
    id: `${move}Campaign`,
    method: 'POST',
    path: `/v1/campaigns/{campaignId}/${move}`,
    fn: 'campaigns',
    scope: 'admin',
    tag: 'campaigns',
    summary,
    description,
    params: CampaignParams,
    responses: { 200: { description: 'The new status', schema: CampaignStarted } },
    errors: [400, ...AUTH_ERRORS, 404, 409],
  });

export const CAMPAIGN_ROUTES = [
  route({
    id: 'previewCampaign',
    method: 'POST',
    path: '/v1/campaigns/preview',
    fn: 'campaigns',
    scope: 'admin',
    tag: 'campaigns',
    description:
      "Runs the audience selection and the control, pilot and contact-policy assignment without contacting anyone or storing anything, and estimates the campaign's AWS cost: the platform's per member plus the sending cost on the tenant's connection of the channel.",
    summary:
      'Dry run: audience, control and pilot sizes, suppression by contact policy, estimated AWS cost; contacts nobody',
    body: CampaignBody,
    responses: { 200: { description: 'The preview', schema: CampaignPreview } },
    errors: [400, ...AUTH_ERRORS, 409, 413],
  }),
  route({
    id: 'createCampaign',
    method: 'POST',
    path: '/v1/campaigns',
    fn: 'campaigns',
    scope: 'admin',
    tag: 'campaigns',
    description:
      "Starts the campaign workflow: selects the audience, assigns control and treatment, pilot and roll-out, contacts the pilot's treatment customers through the decisioning engine, waits the response window, measures uplift against control and rolls out only when it holds. Answers 202 with the campaign id at once; follow it with `GET /v1/campaigns/{campaignId}`. With a `schedule` the campaign is `scheduled` and nothing runs until `startAt`; a repeating campaign runs again every day or week, each run with its own audience, budget and report. 400 when the `responseWindow` is longer than the decision log keeps decisions (market `retention.decisionLogDays`) or an uploaded audience has expired or expires before a run of the schedule (a repeating campaign on one must end, `schedule.until`, before its `retainedUntil`). Send an `Idempotency-Key` to retry safely.",
    summary: 'Start a campaign workflow: control group, pilot, measured uplift, roll-out',
    body: CampaignBody,
    idempotent: true,
    responses: { 202: { description: 'Started', schema: CampaignStarted } },
    errors: [400, ...AUTH_ERRORS, 409, 413],
  }),
  route({
    id: 'listCampaigns',
    method: 'GET',
    path: '/v1/campaigns',
    fn: 'campaigns',
    scope: 'admin',
    tag: 'campaigns',
    description:
      "The tenant's campaigns, newest first, with status and phase, a page at a time (`limit`, `nextToken`).",
    summary: "The tenant's campaigns, newest first",
    query: CampaignListQuery,
    responses: { 200: { description: 'Campaigns', schema: CampaignList } },
    errors: [400, ...AUTH_ERRORS],
  }),
  route({
    id: 'getCampaign',
    method: 'GET',
    path: '/v1/campaigns/{campaignId}',
    fn: 'campaigns',
    scope: 'admin',
    tag: 'campaigns',
    description:
      "Status, current phase, counts per phase and group and, once measured, the report: uplift with its confidence per phase, intention to treat. With `Accept: text/csv` the report's rows as CSV (empty before the first measurement).",
    summary: 'Status, phase and report (JSON, or CSV with Accept: text/csv)',
    params: CampaignParams,
    responses: {
      200: {
        description: 'The campaign; with `Accept: text/csv` its report as CSV (phase, group, audience, ...)',
        schema: CampaignView,
        textMedia: ['text/csv'],
      },
    },
    errors: [400, ...AUTH_ERRORS, 404],
  }),
  control(
    'pause',
    'Hold the campaign before its next contact phase',
    'Holds the campaign before its next contact phase; nothing more is sent until it is resumed. Pausing a paused campaign answers its status again; one that has ended answers 409.',
  ),
  control(
    'resume',
    'Continue a paused campaign',
    'Continues a paused campaign from the phase it was held at. Resuming a running campaign answers its status again; one that has ended answers 409.',
  ),
  control(
    'cancel',
    'End the campaign before its next contact phase',
    'Ends the campaign before its next contact phase; messages already handed off are not recalled. A scheduled campaign (`scheduled`, or a repeating one mid-run) starts no more runs. Cancelling a cancelled campaign answers its status again; one that has otherwise ended answers 409.',
  ),
];
