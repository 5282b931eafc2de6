import type { SQSClient } from '@aws-sdk/client-sqs';
import type { CvmEvent } from '#domain/events.ts';
import type { EventQueue } from '#domain/ports/events.ts';
import { sendAll } from './send-batch.ts';

/** What travels on a tenant's event queue: the event and its tenant (checked against the queue). */
export interface QueuedEvent {
  tenant: string;
  event: CvmEvent;
}

/** Each tenant's own queue (EVENT_QUEUES: tenant -> URL). */
export class SqsEventQueue implements EventQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrls: Record<string, string>,
  ) {}

  async enqueue(tenant: string, events: CvmEvent[]): Promise<void> {
    const url = this.queueUrls[tenant];
    if (!url) throw new Error("no event queue is configured for the caller's tenant");
    await sendAll(
      this.sqs,
      url,
      events.map((event) => ({ id: event.eventId, body: JSON.stringify({ tenant, event } satisfies QueuedEvent) })),
    );
  }
}
