import * as z from 'zod';
import { DynamoActionCatalog } from '#adapters/dynamo/action-catalog.ts';
import { DynamoContactLedgers } from '#adapters/dynamo/contact-ledger.ts';
import { DynamoStateRepo } from '#adapters/dynamo/state-repo.ts';
import { DynamoTriggerStore } from '#adapters/dynamo/trigger-store.ts';
import { DynamoVolumeCounter } from '#adapters/dynamo/volume-counter.ts';
import { FileOutboundQueue } from '#adapters/local/file-outbound.ts';
import { LocalOutboundQueue } from '#adapters/local/local-outbound-queue.ts';
import { deliveryRecorderFromEnv } from '#adapters/metrics/delivery-metrics.ts';
import { ruleBudgetRecorderFromEnv, triggerRecorderFromEnv } from '#adapters/metrics/powertools-metrics.ts';
import { fileModelSource } from '#adapters/models/file-model-store.ts';
import { sqsClient } from '#adapters/sqs/client.ts';
import { SqsOutboundQueue } from '#adapters/sqs/outbound-queue.ts';
import { processEventBatch } from '#app/process-events.ts';
import { defaultContactPolicy, type ContactPolicy } from '#domain/contact-policy.ts';
import type { ExperimentConfig } from '#domain/decisioning/experiments.ts';
import type { SignalThresholds } from '#domain/decisioning/signals.ts';
import type { OutboundQueue } from '#domain/ports/events.ts';
import { headPath, loadModel, type ModelSource } from '#domain/scoring/model-store.ts';
import { churnRescorer, type Rescorer } from '#domain/scoring/realtime-score.ts';
import { decisionsEnv, type DecisionsEnv, modelsDirOf } from './decisions-env.ts';
import { type PlatformEnv, platformEnv } from './platform-env.ts';
import { platformBase } from './platform.ts';

/** What the trigger path shares with decisions: the contact policy and the volume counters' sharding. */
export interface ContactSettings {
  policy: ContactPolicy;
  volumeShards: number;
  /** The signal thresholds actions' eligibility rules read, as in decisions. */
  thresholds?: SignalThresholds;
  /** The market's experiment, so triggers hold the global control group out of marketing as decisions do. */
  experiments?: ExperimentConfig;
}

const DEFAULT_VOLUME_SHARDS = 8;

export const contactSettingsOf = (decisions: Pick<DecisionsEnv, 'settings' | 'raw'>): ContactSettings => ({
  policy: decisions.settings.policy,
  volumeShards: decisions.raw.volumeShards,
  thresholds: decisions.settings.thresholds,
  experiments: decisions.settings.experiments,
});

/**
 * The market's policy as the decisions function reads it (`DECISIONING`), so triggers, campaigns
 * and decisions ask the same one; without that variable, the platform defaults in MARKET_RULES'
 * time zone and quiet hours (the same as a market config that does not override them).
 */
export function contactSettingsFrom(env: PlatformEnv, source: NodeJS.ProcessEnv = process.env): ContactSettings {
  if (source['DECISIONING'] === undefined) {
    return { policy: defaultContactPolicy(env.MARKET_RULES), volumeShards: DEFAULT_VOLUME_SHARDS };
  }
  return contactSettingsOf(decisionsEnv(source));
}

/**
 * The ports of the event processor (and of the campaign steps' hand-off, which folds like it; the
 * events API has its own, events-api.ts). In AWS the outbound queues are SQS; with CVM_LOCAL_DIR
 * (npm start) they are the local runtime's (read by its senders; without a sender running,
 * straight to the outbound files).
 */
export function eventAdaptersFor(env: PlatformEnv, contact: ContactSettings = contactSettingsFrom(env)) {
  const base = platformBase(env);
  const { tableOf } = base;
  const local = env.CVM_LOCAL_DIR;
  const sqs = local ? undefined : sqsClient(env.AWS_REGION);
  const outbound: OutboundQueue = local
    ? new LocalOutboundQueue(new FileOutboundQueue(local))
    : new SqsOutboundQueue(sqs!, env.OUTBOUND_QUEUES);
  return {
    ...base,
    outbound,
    states: new DynamoStateRepo(base.db, tableOf),
    triggers: new DynamoTriggerStore(base.db, tableOf),
    catalog: new DynamoActionCatalog(base.db, tableOf),
    market: env.MARKET_RULES,
    stateConfig: { dedupeWindowHours: env.DEDUPE_WINDOW_HOURS },
    triggerCacheMs: env.TRIGGER_CACHE_SECONDS * 1000,
    policy: contact.policy,
    ...(contact.thresholds ? { thresholds: contact.thresholds } : {}),
    ...(contact.experiments ? { experiments: contact.experiments } : {}),
    ledgers: new DynamoContactLedgers(base.db, tableOf),
    volume: new DynamoVolumeCounter(base.db, tableOf, contact.volumeShards),
  };
}

/** The part of a churn model's artifacts that says whether it reads state (model-store.ts reads them whole). */
const OneHeadChurn = z.object({ kind: z.literal('churn'), heads: z.tuple([z.object({ dir: z.string() })]) });
const SpecSources = z.object({ features: z.array(z.object({ source: z.string() })) });

/**
 * Whether the pinned churn model reads a state feature, from its manifest and feature spec alone:
 * a profile-only model (the demo's) never re-scores, so its trees are not read or compiled at cold
 * start. Artifacts this cannot read are left to the full load, which says what is wrong with them.
 */
async function churnReadsState(source: ModelSource, market: string, version: string): Promise<boolean> {
  const manifest = OneHeadChurn.safeParse(
    await source.readJson(headPath(market, 'churn', version, '.', 'manifest.json')),
  );
  if (!manifest.success) return true;
  const spec = SpecSources.safeParse(
    await source.readJson(headPath(market, 'churn', version, manifest.data.heads[0].dir, 'feature-spec.json')),
  );
  return !spec.success || spec.data.features.some((f) => f.source.startsWith('state.'));
}

/**
 * The event processor's re-scorer: the market's pinned churn model (the version `DECISIONING`
 * pins, bundled next to the processor as next to the decisions function), when it reads state
 * features. None without `DECISIONING` or a churn pin, or for a model of profile features only.
 */
export async function rescorerFrom(source: NodeJS.ProcessEnv = process.env): Promise<Rescorer | undefined> {
  if (source['DECISIONING'] === undefined) return undefined;
  const env = decisionsEnv(source);
  const pin = env.raw.models['churn'];
  if (!pin) return undefined;
  const models = fileModelSource(modelsDirOf(env));
  if (!(await churnReadsState(models, env.raw.modelsMarket, pin.version))) return undefined;
  return churnRescorer(await loadModel(models, env.raw.modelsMarket, 'churn', pin.version));
}

/**
 * The event processor, built once per container: the event ports, with the re-scorer when the
 * pinned churn model reads state, and the recorders of what each batch did.
 */
export async function eventProcessorFor(source: NodeJS.ProcessEnv = process.env) {
  const env = platformEnv(source);
  const ports = eventAdaptersFor(env, contactSettingsFrom(env, source));
  // an event that moves a feature of the pinned churn model re-scores the customer in process
  const rescore = await rescorerFrom(source);
  return {
    env,
    processBatch: processEventBatch(rescore ? { ...ports, rescore } : ports),
    recordTriggerFirings: triggerRecorderFromEnv(source),
    recordRulesOverBudget: ruleBudgetRecorderFromEnv(source),
    // firings whose text had a placeholder without a value count as the sender's skips do (MessageSkipped, by reason)
    recordDelivery: deliveryRecorderFromEnv(source),
  };
}
