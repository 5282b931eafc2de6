import { DynamoAuditLog } from '#adapters/dynamo/audit-log.ts';
import { DynamoTriggerStore } from '#adapters/dynamo/trigger-store.ts';
import { LocalEventQueue } from '#adapters/local/local-event-queue.ts';
import { sqsClient } from '#adapters/sqs/client.ts';
import { SqsEventQueue } from '#adapters/sqs/event-queue.ts';
import type { EventPorts, TriggerPorts } from '#app/events.ts';
import type { PlatformEnv } from './platform-env.ts';
import { platformBase } from './platform.ts';

/**
 * The events API's ports, built once per container: it queues events and keeps triggers, so it
 * carries none of the processor's state, ledger and policy adapters (events.ts).
 */
export function eventsApiPortsFor(env: PlatformEnv) {
  const { db, clock, tableOf } = platformBase(env);
  const triggers = new DynamoTriggerStore(db, tableOf);
  const ports: EventPorts & TriggerPorts = {
    // npm start queues in-process, to the local runtime's processor
    events: env.CVM_LOCAL_DIR ? new LocalEventQueue() : new SqsEventQueue(sqsClient(env.AWS_REGION), env.EVENT_QUEUES),
    triggers,
    clock,
    audit: new DynamoAuditLog(db, tableOf),
    minOccurredAt: new Date(env.EVENTS_MIN_OCCURRED_AT),
  };
  return { ...ports, triggerPages: triggers };
}
