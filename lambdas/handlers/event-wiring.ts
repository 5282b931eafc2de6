import { DynamoActionCatalog } from '#adapters/dynamo/action-catalog.ts';
import { DynamoContactLedgers } from '#adapters/dynamo/contact-ledger.ts';
import { DynamoStateRepo } from '#adapters/dynamo/state-repo.ts';
import { DynamoTriggerStore } from '#adapters/dynamo/trigger-store.ts';
import { DynamoVolumeCounter } from '#adapters/dynamo/volume-counter.ts';
import { FileOutboundQueue } from '#adapters/local/file-outbound.ts';
import { LocalOutboundQueue } from '#adapters/local/local-outbound-queue.ts';
import { LocalEventQueue } from '#adapters/local/local-event-queue.ts';
import { sqsClient } from '#adapters/sqs/client.ts';
import { SqsEventQueue } from '#adapters/sqs/event-queue.ts';
import { SqsOutboundQueue } from '#adapters/sqs/outbound-queue.ts';
import { defaultContactPolicy, type ContactPolicy } from '#domain/contact-policy.ts';
import type { SignalThresholds } from '#domain/decisioning/signals.ts';
import type { EventQueue, OutboundQueue } from '#domain/ports/events.ts';
import { decisionsEnv, type DecisionsEnv } from './decisions-env.ts';
import type { PlatformEnv } from './env.ts';
import { adaptersFor } from './wiring.ts';
import { tenantTableOf } from './tenant-tables.ts';
import type { ExperimentConfig } from '#domain/decisioning/experiments.ts';

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
 * The ports of the events API and the event processor. In AWS the queues are SQS; with
 * CVM_LOCAL_DIR (npm start) they are the local runtime's queues (the outbound ones read by its
 * senders; without a sender running, straight to the outbound files).
 */
export function eventAdaptersFor(env: PlatformEnv, contact: ContactSettings = contactSettingsFrom(env)) {
  const base = adaptersFor(env);
  const tableOf = tenantTableOf(env.TENANT_TABLES);
  const local = env.CVM_LOCAL_DIR;
  const sqs = local ? undefined : sqsClient(env.AWS_REGION);
  const events: EventQueue = local ? new LocalEventQueue() : new SqsEventQueue(sqs!, env.EVENT_QUEUES);
  const outbound: OutboundQueue = local
    ? new LocalOutboundQueue(new FileOutboundQueue(local))
    : new SqsOutboundQueue(sqs!, env.OUTBOUND_QUEUES);
  return {
    ...base,
    events,
    outbound,
    states: new DynamoStateRepo(base.db, tableOf),
    triggers: new DynamoTriggerStore(base.db, tableOf),
    triggerPages: new DynamoTriggerStore(base.db, tableOf),
    catalog: new DynamoActionCatalog(base.db, tableOf),
    market: env.MARKET_RULES,
    stateConfig: { dedupeWindowHours: env.DEDUPE_WINDOW_HOURS },
    minOccurredAt: new Date(env.EVENTS_MIN_OCCURRED_AT),
    triggerCacheMs: env.TRIGGER_CACHE_SECONDS * 1000,
    policy: contact.policy,
    ...(contact.thresholds ? { thresholds: contact.thresholds } : {}),
    ...(contact.experiments ? { experiments: contact.experiments } : {}),
    ledgers: new DynamoContactLedgers(base.db, tableOf),
    volume: new DynamoVolumeCounter(base.db, tableOf, contact.volumeShards),
  };
}
