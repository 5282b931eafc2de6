import type { Transport } from '#adapters/delivery/aws-channel-connector.ts';
import type { AwsSendingType } from '#domain/delivery/connection.ts';
import type { OutboundQueue } from '#domain/ports/events.ts';
import type { OutboundMessage } from '#domain/triggers.ts';

/** What a local AWS send leaves in `.local/outbound/<channel>.jsonl`: the message, the type and the request AWS would get. */
export type LocalSend = OutboundMessage & { segments: number; connection: AwsSendingType; request: unknown };

/**
 * The local runtime has no AWS: an `sms`, `email` or `push` connection's request, built and
 * addressed as in AWS (the profile attribute is read and checked the same way), is written beside
 * the message to the channel's outbound file (`.local/outbound/<channel>.jsonl`, one line per
 * messageId, like the `queue` type) instead of being sent, and `onWrite` is told (a log line naming
 * the type, channel and message id; never the address or the text). Nothing fails as AWS might.
 */
export const localChannelTransport =
  (
    type: AwsSendingType,
    outbound: OutboundQueue,
    onWrite?: (send: { type: AwsSendingType; channel: string; messageId: string }) => void,
  ): Transport<unknown> =>
  async (request, message) => {
    const line: LocalSend = { ...message, segments: message.segments ?? 1, connection: type, request };
    await outbound.send([line]);
    onWrite?.({ type, channel: message.channel, messageId: message.messageId });
  };
