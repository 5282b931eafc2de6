import { consentAllows } from '../contact-window.ts';
import type { CustomerRecord } from '../customer.ts';
import type { OutboundMessage } from '../triggers.ts';

/**
 * SQS delays a message by at most 15 minutes, so a longer hold is a chain of hops: the sender
 * puts a message that is not due back on its queue for min(what is left, 15 min) and looks again.
 */
export const MAX_HOP_SECONDS = 900;

/** A message as the sender takes it: the hand-off, with the segment count once item 5 adds one. */
export type DeliverableMessage = OutboundMessage & { segments?: number };

/** Seconds until `sendAfter` on the platform clock (fractions kept), 0 when it is due. */
export const secondsUntilDue = (message: Pick<OutboundMessage, 'sendAfter'>, now: Date): number =>
  Math.max(0, (Date.parse(message.sendAfter) - now.getTime()) / 1000);

/** The delay of the next hop of a held message. */
export const hopSeconds = (waitSeconds: number): number => Math.min(MAX_HOP_SECONDS, waitSeconds);

/** Messages that waited longer than this in the queue (a backlog, retries) are re-checked like held ones. */
export const RECHECK_AFTER_MS = 10 * 60_000;

/**
 * A message that waited is re-checked before it goes: one deferred when it was made (quiet hours,
 * a capacity deferral), or one that sat in the queue for a while. A message sent straight after
 * the contact policy allowed it is not read again (that read would cost one per message).
 */
export const needsRecheck = (message: Pick<OutboundMessage, 'createdAt' | 'sendAfter'>, now: Date): boolean =>
  Date.parse(message.sendAfter) > Date.parse(message.createdAt) + 1000 ||
  now.getTime() - Date.parse(message.createdAt) > RECHECK_AFTER_MS;

/** Why a waiting message is not sent after all. */
export type RecheckReason = 'erased' | 'opted-out' | 'no-consent';

/**
 * The customer as they are now against the message: erased since, opted out of the channel
 * (consent false), or, for marketing, no longer opted in. Undefined: it may go.
 */
export function recheckReason(
  message: Pick<OutboundMessage, 'kind' | 'channel'>,
  now: CustomerRecord | 'erased' | undefined,
): RecheckReason | undefined {
  if (now === 'erased') return 'erased';
  const consent = now?.consent;
  if (consent?.[message.channel] === false) return 'opted-out';
  return consentAllows(message.kind, message.channel, consent) ? undefined : 'no-consent';
}
