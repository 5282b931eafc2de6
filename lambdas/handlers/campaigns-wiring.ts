import { DynamoCampaignStore } from '#adapters/dynamo/campaign-store.ts';
import { DynamoChannelConnections } from '#adapters/dynamo/channel-connections.ts';
import { deliveryRecorderFromEnv } from '#adapters/metrics/delivery-metrics.ts';
import { DynamoScoreStore } from '#adapters/dynamo/score-store.ts';
import { loadDefinition, LocalWorkflowStarter } from '#adapters/local/local-workflow-starter.ts';
import { sfnClient, SfnWorkflowStarter } from '#adapters/sfn/workflow-starter.ts';
import { campaignSteps, type CampaignStepPorts } from '#app/campaign-steps.ts';
import type { CampaignPorts } from '#app/campaigns.ts';
import type { WorkflowStarter } from '#domain/campaign/ports.ts';
import { logger } from '#http/logger.ts';
import type { CampaignsEnv } from './campaigns-env.ts';
import { decisionAdaptersFor } from './decisions-wiring.ts';
import { contactSettingsOf, eventAdaptersFor } from './event-wiring.ts';
import { tenantTableOf } from './tenant-tables.ts';
import { ruleBudgetRecorderFromEnv } from '#adapters/metrics/powertools-metrics.ts';

/** Locally any well-formed Lambda ARN will do: every Task is bound to the step handler. */
export const LOCAL_CAMPAIGN_SUBSTITUTIONS = {
  CampaignStepFn: 'arn:aws:lambda:us-east-1:000000000000:function:cvm-local-campaign-step',
};

/**
 * What both campaign functions build on: the decision ports (the hand-off asks `decide`, whose
 * policy is env.decisions'), the event ports with that same policy, and the campaign and scan stores.
 */
async function campaignBaseFor(env: CampaignsEnv) {
  const decisions = await decisionAdaptersFor(env.decisions);
  const events = eventAdaptersFor(env.decisions.platform, contactSettingsOf(env.decisions));
  const tableOf = tenantTableOf(env.decisions.platform.TENANT_TABLES);
  return {
    decisions,
    events,
    campaigns: new DynamoCampaignStore(events.db, tableOf),
    scan: new DynamoScoreStore(events.db, tableOf),
  };
}

/** The ports of the campaign-step task function, built once per container. */
export async function campaignStepPortsFor(env: CampaignsEnv): Promise<CampaignStepPorts> {
  const { decisions, events, campaigns, scan } = await campaignBaseFor(env);
  return {
    campaigns,
    customers: events.customers,
    scan,
    outbound: events.outbound,
    decisions,
    clock: events.clock,
    meter: events.meter,
    rulesOverBudget: ruleBudgetRecorderFromEnv(process.env),
    // a budget's cost counts sending as the preview prices it: the tenant's connection, the market's country
    sending: {
      connections: new DynamoChannelConnections(events.db, tenantTableOf(env.decisions.platform.TENANT_TABLES)),
      defaultLanguage: env.decisions.settings.defaultLanguage,
      ...(env.decisions.platform.MARKET_RULES.country ? { country: env.decisions.platform.MARKET_RULES.country } : {}),
    },
    recordDelivery: deliveryRecorderFromEnv({
      CVM_METER: process.env['CVM_METER'],
      MARKET: env.decisions.platform.MARKET,
    }),
    settings: {
      totalSegments: env.segments,
      totalShards: env.shards,
      timeScale: env.decisions.platform.CVM_TIME_SCALE,
      pollSeconds: env.pollSeconds,
      concurrency: env.concurrency,
    },
  };
}

/**
 * Step Functions in AWS; locally (no state machine ARN) the same ASL on aws-local-stepfunctions,
 * its tasks bound to the step use case the campaign-step Lambda runs, retries shortened like waits.
 */
export async function workflowStarterFor(env: CampaignsEnv): Promise<WorkflowStarter> {
  if (env.stateMachineArn)
    return new SfnWorkflowStarter(sfnClient(env.decisions.platform.AWS_REGION), env.stateMachineArn);
  const step = campaignSteps(await campaignStepPortsFor(env));
  const scale = env.decisions.platform.CVM_TIME_SCALE;
  return new LocalWorkflowStarter(
    loadDefinition(env.aslFile, LOCAL_CAMPAIGN_SUBSTITUTIONS),
    (event) => step(event as never),
    { retryIntervalMs: Math.max(5, Math.round(5000 / scale)) },
    // the name only: a step's error text can quote a customer (ids of the audience)
    (executionId, err) =>
      logger.error('campaign workflow ended in error', { executionId, errorName: (err as Error)?.name }),
  );
}

/** The ports of the campaigns API function. */
export async function campaignPortsFor(env: CampaignsEnv): Promise<CampaignPorts> {
  const { decisions, events: base, campaigns, scan } = await campaignBaseFor(env);
  return {
    campaigns,
    catalog: decisions.catalog,
    starter: await workflowStarterFor(env),
    customers: base.customers,
    scan,
    clock: base.clock,
    audit: base.audit,
    randomId: decisions.randomId,
    policy: env.decisions.settings.policy,
    thresholds: env.decisions.settings.thresholds,
    previewSegments: env.segments,
    meter: base.meter,
    sending: {
      connections: new DynamoChannelConnections(base.db, tenantTableOf(env.decisions.platform.TENANT_TABLES)),
      defaultLanguage: env.decisions.settings.defaultLanguage,
      ...(env.decisions.platform.MARKET_RULES.country ? { country: env.decisions.platform.MARKET_RULES.country } : {}),
    },
  };
}
