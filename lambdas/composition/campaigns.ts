import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { DynamoAudienceStore } from '#adapters/dynamo/audience-store.ts';
import { DynamoCampaignStore } from '#adapters/dynamo/campaign-store.ts';
import { DynamoChannelConnections } from '#adapters/dynamo/channel-connections.ts';
import { DynamoScoreStore } from '#adapters/dynamo/score-store.ts';
import { LocalRunScheduler } from '#adapters/local/local-run-scheduler.ts';
import { loadDefinition, LocalWorkflowStarter } from '#adapters/local/local-workflow-starter.ts';
import { deliveryRecorderFromEnv } from '#adapters/metrics/delivery-metrics.ts';
import { ruleBudgetRecorderFromEnv } from '#adapters/metrics/powertools-metrics.ts';
import { EventBridgeRunScheduler, schedulerClient } from '#adapters/scheduler/run-scheduler.ts';
import { sfnClient, SfnWorkflowStarter } from '#adapters/sfn/workflow-starter.ts';
import type { CampaignRunPorts } from '#app/campaign-runs.ts';
import { campaignStepInputOf, campaignSteps, type CampaignStepPorts } from '#app/campaign-steps.ts';
import type { CampaignPorts } from '#app/campaigns.ts';
import type { RunScheduler, WorkflowStarter } from '#domain/campaign/ports.ts';
import { logger } from '#edge/logger.ts';
import { decisionsEnv, type DecisionsEnv } from './decisions-env.ts';
import { decisionAdaptersFor } from './decisions.ts';
import { contactSettingsOf, eventAdaptersFor } from './events.ts';
import { parsedEnv } from './platform-env.ts';

/** The campaign functions' settings: the decisions settings plus the workflow's own. */
const CampaignsEnv = z.object({
  /** The campaign state machine (AWS); absent locally, where the local runner starts the same ASL. */
  CAMPAIGN_STATE_MACHINE_ARN: z.string().min(1).optional(),
  CAMPAIGN_SEGMENTS: z.coerce.number().int().min(1).max(1000).default(4),
  CAMPAIGN_SHARDS: z.coerce.number().int().min(1).max(1000).default(8),
  CAMPAIGN_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
  CAMPAIGN_POLL_SECONDS: z.coerce.number().int().min(1).default(300),
  /** Scheduled campaigns in AWS: the function a due run invokes (the campaign-step function), the role it is invoked with, the market's schedule name prefix. */
  CAMPAIGN_RUN_TARGET_ARN: z.string().min(1).optional(),
  CAMPAIGN_SCHEDULER_ROLE_ARN: z.string().min(1).optional(),
  CAMPAIGN_SCHEDULE_PREFIX: z.string().min(1).max(27).optional(),
  /** Local runs: the ASL file the local runner reads (default: the repository's). */
  CAMPAIGN_ASL: z.string().min(1).optional(),
});

export interface CampaignsEnv {
  decisions: DecisionsEnv;
  stateMachineArn?: string;
  segments: number;
  shards: number;
  concurrency: number;
  pollSeconds: number;
  aslFile: string;
  /** EventBridge Scheduler settings (AWS); absent locally, where a timer on the platform clock starts runs. */
  scheduler?: { targetArn: string; roleArn: string; namePrefix: string };
}

export const CAMPAIGN_ASL = fileURLToPath(new URL('../../lib/workflows/campaign.asl.json', import.meta.url));

export function campaignsEnv(source: NodeJS.ProcessEnv = process.env): CampaignsEnv {
  const decisions = decisionsEnv(source);
  const e = parsedEnv(CampaignsEnv, source);
  return {
    decisions,
    ...(e.CAMPAIGN_STATE_MACHINE_ARN ? { stateMachineArn: e.CAMPAIGN_STATE_MACHINE_ARN } : {}),
    segments: e.CAMPAIGN_SEGMENTS,
    shards: e.CAMPAIGN_SHARDS,
    concurrency: e.CAMPAIGN_CONCURRENCY,
    pollSeconds: e.CAMPAIGN_POLL_SECONDS,
    aslFile: e.CAMPAIGN_ASL ?? CAMPAIGN_ASL,
    ...(e.CAMPAIGN_RUN_TARGET_ARN && e.CAMPAIGN_SCHEDULER_ROLE_ARN && e.CAMPAIGN_SCHEDULE_PREFIX
      ? {
          scheduler: {
            targetArn: e.CAMPAIGN_RUN_TARGET_ARN,
            roleArn: e.CAMPAIGN_SCHEDULER_ROLE_ARN,
            namePrefix: e.CAMPAIGN_SCHEDULE_PREFIX,
          },
        }
      : {}),
  };
}

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
  const { tableOf } = events;
  return {
    decisions,
    events,
    campaigns: new DynamoCampaignStore(events.db, tableOf),
    scan: new DynamoScoreStore(events.db, tableOf),
    audiences: new DynamoAudienceStore(events.db, tableOf),
    tableOf,
  };
}

/** The ports of the campaign-step task function, built once per container. */
export async function campaignStepPortsFor(env: CampaignsEnv): Promise<CampaignStepPorts> {
  const { decisions, events, campaigns, scan, audiences } = await campaignBaseFor(env);
  const scheduler = runSchedulerFor(env);
  return {
    campaigns,
    audiences,
    // in AWS the scheduler invokes this function to start a run; locally a timer calls the use case
    ...(env.stateMachineArn && scheduler
      ? {
          runs: {
            campaigns,
            starter: new SfnWorkflowStarter(sfnClient(env.decisions.platform.AWS_REGION), env.stateMachineArn),
            scheduler,
            clock: events.clock,
            timeZone: env.decisions.settings.policy.timeZone,
            meter: events.meter,
          },
        }
      : {}),
    customers: decisions.customers,
    scan,
    outbound: events.outbound,
    decisions,
    clock: events.clock,
    meter: events.meter,
    rulesOverBudget: ruleBudgetRecorderFromEnv(process.env),
    // a budget's cost counts sending as the preview prices it: the tenant's connection, the market's country
    sending: {
      connections: new DynamoChannelConnections(events.db, events.tableOf),
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
    (event) => step(campaignStepInputOf(event)),
    { retryIntervalMs: Math.max(5, Math.round(5000 / scale)) },
    // the name only: a step's error text can quote a customer (ids of the audience)
    (executionId, err) =>
      logger.error('campaign workflow ended in error', {
        executionId,
        errorName: err instanceof Error ? err.name : undefined,
      }),
  );
}

/**
 * EventBridge Scheduler in AWS (with its settings); locally (no state machine) the in-process
 * schedule the runtime's timer reads; none in AWS without settings (a schedule is refused then).
 */
export function runSchedulerFor(env: CampaignsEnv): RunScheduler | undefined {
  if (env.scheduler)
    return new EventBridgeRunScheduler(schedulerClient(env.decisions.platform.AWS_REGION), env.scheduler);
  return env.stateMachineArn ? undefined : new LocalRunScheduler();
}

/** What the local runtime's timer starts runs with: the API's own ports, so runs start as in AWS. */
export async function campaignRunPortsFor(env: CampaignsEnv): Promise<CampaignRunPorts> {
  const ports = await campaignPortsFor(env);
  return {
    campaigns: ports.campaigns,
    starter: ports.starter,
    scheduler: ports.scheduler ?? new LocalRunScheduler(),
    clock: ports.clock,
    timeZone: ports.policy.timeZone,
    ...(ports.meter ? { meter: ports.meter } : {}),
  };
}

/** The ports of the campaigns API function. */
export async function campaignPortsFor(env: CampaignsEnv): Promise<CampaignPorts> {
  const { decisions, events: base, campaigns, scan, audiences } = await campaignBaseFor(env);
  return {
    campaigns,
    audiences,
    catalog: decisions.catalog,
    starter: await workflowStarterFor(env),
    scheduler: runSchedulerFor(env),
    customers: decisions.customers,
    scan,
    clock: base.clock,
    audit: decisions.audit,
    randomId: decisions.randomId,
    policy: env.decisions.settings.policy,
    thresholds: env.decisions.settings.thresholds,
    decisionLogDays: env.decisions.settings.decisionLogDays,
    previewSegments: env.segments,
    meter: base.meter,
    sending: {
      connections: new DynamoChannelConnections(base.db, base.tableOf),
      defaultLanguage: env.decisions.settings.defaultLanguage,
      ...(env.decisions.platform.MARKET_RULES.country ? { country: env.decisions.platform.MARKET_RULES.country } : {}),
    },
  };
}
