import type { CvmEvent } from '#domain/events.ts';
import type { EventQueue } from '#domain/ports/events.ts';

/** What a local queue takes: message bodies, as SendMessageBatch would; resolves once they are durable. */
export interface LocalQueueSink {
  sendBatch(bodies: string[]): Promise<void>;
}

/**
 * Local queues by tenant. The local runtime registers its queues here when it starts; the
 * events API (same process, same module) enqueues through `LocalEventQueue` exactly as through
 * SQS, with the same message body.
 */
export const localQueues = new Map<string, LocalQueueSink>();

export class LocalEventQueue implements EventQueue {
  constructor(private readonly queues: Map<string, LocalQueueSink> = localQueues) {}

  async enqueue(tenant: string, events: CvmEvent[]): Promise<void> {
    const queue = this.queues.get(tenant);
    if (!queue) throw new Error("no local event queue is running for the caller's tenant");
    // resolves once the events are on disk: what the API answers 202 to survives a crash
    await queue.sendBatch(events.map((event) => JSON.stringify({ tenant, event })));
  }
}
