import type { SQSClient } from '@aws-sdk/client-sqs';
import type { OutboundQueue } from '#domain/ports/events.ts';
import type { OutboundMessage } from '#domain/triggers.ts';
import { OUTBOUND_QUEUE } from './queue-design.ts';
import { sendAll } from './send-batch.ts';

/** What goes on a tenant's outbound or hand-off queue: the message, and its channel as an attribute. */
export const outboundEntry = (m: OutboundMessage, delaySeconds?: number) => ({
  id: m.messageId,
  body: JSON.stringify(m),
  attributes: { [OUTBOUND_QUEUE.channelAttribute]: m.channel },
  ...(delaySeconds ? { delaySeconds } : {}),
});

/**
 * Hands messages to each tenant's own queue (`queueUrls`: tenant -> URL), the channel as a message
 * attribute: the outbound queues the sender reads (OUTBOUND_QUEUES), or the hand-off queues an
 * operator's own sender reads (HANDOFF_QUEUES). Consumers dedupe on messageId.
 */
export class SqsOutboundQueue implements OutboundQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrls: Record<string, string>,
  ) {}

  async send(messages: OutboundMessage[]): Promise<void> {
    await this.sendDelayed(messages.map((message) => ({ message, delaySeconds: 0 })));
  }

  /** The same, each message invisible for its delay (SQS: whole seconds, at most 900). */
  async sendDelayed(entries: { message: OutboundMessage; delaySeconds: number }[]): Promise<void> {
    const byTenant = new Map<string, typeof entries>();
    for (const e of entries) byTenant.set(e.message.tenant, [...(byTenant.get(e.message.tenant) ?? []), e]);
    await Promise.all(
      [...byTenant].map(async ([tenant, list]) => {
        const url = this.queueUrls[tenant];
        if (!url) throw new Error(`no outbound queue is configured for tenant ${tenant}`);
        await sendAll(
          this.sqs,
          url,
          list.map((e) => outboundEntry(e.message, e.delaySeconds)),
        );
      }),
    );
  }
}
