import type { DeliverableMessage } from './hold.ts';
import { MESSAGE_ID_HEADER, SIGNATURE_HEADER, signatureHeader } from './signature.ts';

export interface WebhookRequest {
  /** The raw body, exactly as signed and sent. */
  body: string;
  headers: Record<string, string>;
}

/**
 * One message as a webhook receives it: the outbound hand-off's shape (with its `messageId`, the
 * key receivers dedupe on) plus `segments` (1 until message content measures SMS texts), signed
 * over `<t>.<body>` with every secret in force, `t` on the platform clock.
 */
export function webhookRequest(message: DeliverableMessage, secrets: readonly string[], now: Date): WebhookRequest {
  const body = JSON.stringify({ ...message, segments: message.segments ?? 1 });
  const t = Math.floor(now.getTime() / 1000);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      [SIGNATURE_HEADER]: signatureHeader(t, body, secrets),
      [MESSAGE_ID_HEADER]: message.messageId,
    },
  };
}
