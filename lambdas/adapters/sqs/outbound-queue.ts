import type { SQSClient } from '@aws-sdk/client-sqs';
import type { OutboundQueue } from '#domain/ports.ts';
import type { OutboundMessage } from '#domain/triggers.ts';
import { sendAll } from './send-batch.ts';

/** `outbound-<channel>` queues (OUTBOUND_QUEUES: channel -> URL); senders dedupe on messageId. */
export class SqsOutboundQueue implements OutboundQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrls: Record<string, string>,
  ) {}

  async send(messages: OutboundMessage[]): Promise<void> {
    const byChannel = new Map<string, OutboundMessage[]>();
    for (const m of messages) byChannel.set(m.channel, [...(byChannel.get(m.channel) ?? []), m]);
    await Promise.all(
      [...byChannel].map(async ([channel, list]) => {
        const url = this.queueUrls[channel];
        if (!url) throw new Error(`no outbound queue is configured for channel ${channel}`);
        await sendAll(
          this.sqs,
          url,
          list.map((m) => ({ id: m.messageId, body: JSON.stringify(m) })),
        );
      }),
    );
  }
}
