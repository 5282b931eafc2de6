import { controlCampaign, createCampaign, getCampaign, listCampaigns, previewCampaign } from '#app/campaigns.ts';
import { campaignReportCsv } from '#domain/campaign/report.ts';
import { httpHandler } from '#http/http-handler.ts';
import { CAMPAIGN_ROUTES } from '#http/routes/campaigns.ts';
import { campaignsEnv, campaignPortsFor } from '#composition/campaigns.ts';
import { idempotencyFor } from '#composition/idempotency.ts';

const env = campaignsEnv();
const ports = await campaignPortsFor(env);
const useCases = {
  preview: previewCampaign(ports),
  create: createCampaign(ports),
  get: getCampaign(ports),
  list: listCampaigns(ports),
  control: controlCampaign(ports),
};
export const handler = httpHandler(
  CAMPAIGN_ROUTES,
  {
    previewCampaign: async (req) => ({
      status: 200,
      body: await useCases.preview(req.caller.tenant, req.body),
    }),
    createCampaign: async (req) => ({
      status: 202,
      body: await useCases.create(req.caller.tenant, req.body, { keyId: req.caller.keyId }),
    }),
    listCampaigns: async (req) => ({
      status: 200,
      body: await useCases.list(req.caller.tenant, req.query),
    }),
    getCampaign: async (req) => {
      const view = await useCases.get(req.caller.tenant, req.params.campaignId);
      if ((req.headers['accept'] ?? '').includes('text/csv')) {
        return { status: 200, contentType: 'text/csv', body: view.report ? campaignReportCsv(view.report) : '' };
      }
      return { status: 200, body: view };
    },
    pauseCampaign: async (req) => ({
      status: 200,
      body: await useCases.control(req.caller.tenant, req.params.campaignId, 'pause', { keyId: req.caller.keyId }),
    }),
    resumeCampaign: async (req) => ({
      status: 200,
      body: await useCases.control(req.caller.tenant, req.params.campaignId, 'resume', { keyId: req.caller.keyId }),
    }),
    cancelCampaign: async (req) => ({
      status: 200,
      body: await useCases.control(req.caller.tenant, req.params.campaignId, 'cancel', { keyId: req.caller.keyId }),
    }),
  },
  { idempotency: idempotencyFor(env.decisions.platform) },
);
