import type { DeliverableMessage } from '#domain/delivery/hold.ts';
import type { DeliveryQueue } from '#domain/delivery/ports.ts';
import type { TenantId } from '#domain/ids.ts';
import type { OutboundQueue } from '#domain/ports/events.ts';
import type { OutboundMessage } from '#domain/triggers.ts';

/** What a local outbound queue takes: bodies with a delay and attributes, and SQS's visibility change. */
export interface LocalOutboundSink {
  /** Resolves once the messages are durable. */
  sendEntries(entries: { body: string; delayMs?: number; attributes?: Record<string, string> }[]): Promise<void>;
  changeVisibility(receiptHandle: string, delayMs: number): void;
}

/**
 * Local outbound queues by tenant. The local runtime registers them when it starts its senders;
 * the processor and the campaign steps (same process) hand off through `LocalOutboundQueue`, the
 * sender holds and retries through `LocalDeliveryQueue`, with SQS's semantics.
 */
export const localOutboundQueues = new Map<TenantId, LocalOutboundSink>();

const entryOf = (message: OutboundMessage, delaySeconds = 0) => ({
  body: JSON.stringify(message),
  delayMs: delaySeconds * 1000,
  attributes: { channel: message.channel },
});

/**
 * The hand-off in `npm start`: onto the tenant's local outbound queue, which the sender reads. A
 * process with no sender running (handler tests, one-off scripts) hands off to `direct` (the
 * outbound files) as before senders existed.
 */
export class LocalOutboundQueue implements OutboundQueue {
  constructor(
    private readonly direct: OutboundQueue,
    private readonly queues: Map<TenantId, LocalOutboundSink> = localOutboundQueues,
  ) {}

  async send(messages: OutboundMessage[]): Promise<void> {
    const direct: OutboundMessage[] = [];
    const queued = new Map<LocalOutboundSink, ReturnType<typeof entryOf>[]>();
    for (const m of messages) {
      const queue = this.queues.get(m.tenant);
      if (queue) queued.set(queue, [...(queued.get(queue) ?? []), entryOf(m)]);
      else direct.push(m);
    }
    // one durable write per queue, not per message
    await Promise.all([...queued].map(([queue, entries]) => queue.sendEntries(entries)));
    if (direct.length > 0) await this.direct.send(direct);
  }
}

/** The sender's holds and retries on the local queues (delays in milliseconds, fractions kept). */
export class LocalDeliveryQueue implements DeliveryQueue {
  constructor(private readonly queues: Map<TenantId, LocalOutboundSink> = localOutboundQueues) {}

  private queueOf(tenant: TenantId): LocalOutboundSink {
    const queue = this.queues.get(tenant);
    if (!queue) throw new Error(`no local outbound queue is running for tenant ${tenant}`);
    return queue;
  }

  async hold(tenant: TenantId, entries: { message: DeliverableMessage; delaySeconds: number }[]): Promise<void> {
    await this.queueOf(tenant).sendEntries(entries.map((e) => entryOf(e.message, e.delaySeconds)));
  }

  async retryAfter(tenant: TenantId, receipt: string, seconds: number): Promise<void> {
    this.queueOf(tenant).changeVisibility(receipt, seconds * 1000);
  }
}
