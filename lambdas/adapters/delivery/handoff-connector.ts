import type { Connector, OpenConnection } from '#domain/delivery/ports.ts';
import type { DeliverableMessage } from '#domain/delivery/hold.ts';
import type { SendResult } from '#domain/delivery/retry.ts';
import type { OutboundQueue } from '#domain/ports/events.ts';

/**
 * The `queue` connection: the message, as the platform made it, onto the tenant's hand-off queue
 * for an operator's own sender (SQS in AWS, `.local/outbound/<channel>.jsonl` locally). One batch
 * for all: it is accepted or retried as a whole.
 */
export class HandOffConnector implements Connector {
  constructor(private readonly handoff: OutboundQueue) {}

  async send(_connection: OpenConnection, messages: readonly DeliverableMessage[]): Promise<SendResult[]> {
    try {
      await this.handoff.send([...messages]);
      return messages.map(() => ({ outcome: 'accepted' }));
    } catch {
      return messages.map(() => ({ outcome: 'retry', reason: 'handoff-unavailable' }));
    }
  }
}
