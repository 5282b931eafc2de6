import { DynamoActionCatalog } from '#adapters/dynamo/action-catalog.ts';
import { DynamoStateRepo } from '#adapters/dynamo/state-repo.ts';
import { DynamoTriggerStore } from '#adapters/dynamo/trigger-store.ts';
import { FileOutboundQueue } from '#adapters/local/file-outbound.ts';
import { LocalEventQueue } from '#adapters/local/local-event-queue.ts';
import { sqsClient } from '#adapters/sqs/client.ts';
import { SqsEventQueue } from '#adapters/sqs/event-queue.ts';
import { SqsOutboundQueue } from '#adapters/sqs/outbound-queue.ts';
import type { EventQueue, OutboundQueue } from '#domain/ports.ts';
import type { PlatformEnv } from './env.ts';
import { adaptersFor } from './wiring.ts';
import { tenantTableOf } from './tenant-tables.ts';

/**
 * The ports of the events API and the event processor. In AWS the queues are SQS; with
 * CVM_LOCAL_DIR (npm start) they are the local runtime's queue and outbound files.
 */
export function eventAdaptersFor(env: PlatformEnv) {
  const base = adaptersFor(env);
  const tableOf = tenantTableOf(env.TENANT_TABLES);
  const local = env.CVM_LOCAL_DIR;
  const sqs = local ? undefined : sqsClient(env.AWS_REGION);
  const events: EventQueue = local ? new LocalEventQueue() : new SqsEventQueue(sqs!, env.EVENT_QUEUES);
  const outbound: OutboundQueue = local ? new FileOutboundQueue(local) : new SqsOutboundQueue(sqs!, env.OUTBOUND_QUEUES);
  return {
    ...base,
    events,
    outbound,
    states: new DynamoStateRepo(base.db, tableOf, env.CONTACT_TTL_DAYS),
    triggers: new DynamoTriggerStore(base.db, tableOf),
    catalog: new DynamoActionCatalog(base.db, tableOf),
    market: env.MARKET_RULES,
    stateConfig: { dedupeWindowHours: env.DEDUPE_WINDOW_HOURS },
    triggerCacheMs: env.TRIGGER_CACHE_SECONDS * 1000,
  };
}
