import { createHash } from 'node:crypto';
import type { Channel } from '../customer.ts';
import type { EventOf } from '../events.ts';
import { ID_PATTERN, type TenantId } from '../ids.ts';

/**
 * Delivery receipts of the AWS channels, as their event destinations publish them to the market's
 * receipts topic (SNS), turned into the platform's own `message.delivered` / `message.failed`
 * events for the tenant's event queue: the same events a webhook gateway posts to `POST /v1/events`,
 * so a receipt takes effect exactly once like every event.
 *
 * A sent message carries its tenant, message id and customer as tags (SMS `Context` keys, SES
 * `EmailTags` names; RECEIPT_TAGS of aws-messages.ts): `cvmTenant`, `cvmMessageId` and
 * `cvmCustomerRef`, the customer id base64url-encoded (SES tag values allow only letters, digits,
 * `_` and `-`, and a customer id may hold `.` and `:`). No lookup table maps a message back: the
 * receipt says all the event needs.
 */
export const RECEIPT_TAG_NAMES = {
  tenant: 'cvmTenant',
  messageId: 'cvmMessageId',
  customerRef: 'cvmCustomerRef',
} as const;

/** A customer id as the `cvmCustomerRef` tag carries it. */
export const customerRefOf = (customerId: string): string => Buffer.from(customerId, 'utf8').toString('base64url');

/** The customer id a `cvmCustomerRef` tag carries, or undefined when it is none. */
export function customerIdOfRef(ref: string): string | undefined {
  if (!/^[A-Za-z0-9_-]{1,88}$/.test(ref)) return undefined;
  const id = Buffer.from(ref, 'base64url').toString('utf8');
  return ID_PATTERN.test(id) && customerRefOf(id) === ref ? id : undefined;
}

export type ReceiptEvent = EventOf<'message.delivered'> | EventOf<'message.failed'>;

export type Receipt =
  | { kind: 'event'; tenant: TenantId; channel: Channel; event: ReceiptEvent }
  /** Not an outcome yet (queued, sent to the carrier, delayed), or not one of ours. */
  | { kind: 'ignored'; reason: 'not-final' | 'not-a-receipt' | 'untagged' };

/**
 * Same message and outcome -> same event id, whatever the channel sent twice (SNS delivers at least
 * once, and an SMS may report SUCCESSFUL then DELIVERED): the processor applies it once.
 */
export const receiptEventId = (tenant: TenantId, messageId: string, outcome: 'delivered' | 'failed'): string =>
  `rcpt-${createHash('sha256').update(`${tenant}\u0000${messageId}\u0000${outcome}`).digest('hex').slice(0, 40)}`;

const asRecord = (v: unknown): Record<string, unknown> | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/** A tag's value: SMS context values are strings, SES tags lists of strings. */
const tagValue = (tags: Record<string, unknown> | undefined, name: string): string | undefined => {
  const v = tags?.[name];
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' ? s : undefined;
};

function receiptOf(
  channel: Channel,
  tags: Record<string, unknown> | undefined,
  outcome: 'delivered' | 'failed',
  at: string | undefined,
): Receipt {
  const tenant = tagValue(tags, RECEIPT_TAG_NAMES.tenant);
  const messageId = tagValue(tags, RECEIPT_TAG_NAMES.messageId);
  const ref = tagValue(tags, RECEIPT_TAG_NAMES.customerRef);
  const customerId = ref ? customerIdOfRef(ref) : undefined;
  if (!tenant || !messageId || !ID_PATTERN.test(messageId) || !customerId || !at || Number.isNaN(Date.parse(at)))
    return { kind: 'ignored', reason: 'untagged' };
  const type = outcome === 'delivered' ? 'message.delivered' : 'message.failed';
  const event = {
    eventId: receiptEventId(tenant, messageId, outcome),
    customerId,
    type,
    occurredAt: new Date(Date.parse(at)).toISOString(),
    data: { messageId },
  } as ReceiptEvent;
  return { kind: 'event', tenant, channel, event };
}

/**
 * An End User Messaging SMS event (v2 event destination): `TEXT_DELIVERED` (handset receipt) and a
 * final `TEXT_SUCCESSFUL` (accepted by a carrier that sends no handset receipt) are deliveries;
 * any other final event (blocked, invalid, unreachable, spam, expired, opted out, unknown after 72
 * hours) is a failure; events that are not final (pending, queued) wait for the final one.
 */
function smsReceipt(e: Record<string, unknown>): Receipt {
  const type = String(e['eventType'] ?? '');
  const at = typeof e['eventTimestamp'] === 'number' ? new Date(e['eventTimestamp']).toISOString() : undefined;
  const tags = asRecord(e['context']);
  if (type === 'TEXT_DELIVERED' || (type === 'TEXT_SUCCESSFUL' && e['isFinal'] === true))
    return receiptOf('sms', tags, 'delivered', at);
  if (e['isFinal'] !== true) return { kind: 'ignored', reason: 'not-final' };
  return receiptOf('sms', tags, 'failed', at);
}

/** SES event publishing's final outcomes; the rest (Send, Open, Click, DeliveryDelay, Complaint...) are not. */
const SES_FAILURES: Record<string, string> = { Bounce: 'bounce', Reject: 'reject', 'Rendering Failure': 'failure' };

/**
 * An SES event (event publishing through a configuration set: `eventType`; identity notifications:
 * `notificationType`): `Delivery` is a delivery; `Bounce`, `Reject` and `Rendering Failure` are
 * failures. The tags are `mail.tags` (name -> list of values).
 */
function sesReceipt(e: Record<string, unknown>): Receipt {
  const type = String(e['eventType'] ?? e['notificationType'] ?? '');
  const mail = asRecord(e['mail']);
  const tags = asRecord(mail?.['tags']);
  if (type === 'Delivery') {
    const at = asRecord(e['delivery'])?.['timestamp'];
    return receiptOf('email', tags, 'delivered', typeof at === 'string' ? at : undefined);
  }
  const failure = SES_FAILURES[type];
  if (!failure) return { kind: 'ignored', reason: 'not-final' };
  const at = asRecord(e[failure])?.['timestamp'] ?? mail?.['timestamp'];
  return receiptOf('email', tags, 'failed', typeof at === 'string' ? at : undefined);
}

/** One SNS notification's `Message` (the channel's JSON event) as a receipt, or why it is none. */
export function receiptOfNotification(message: string): Receipt {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return { kind: 'ignored', reason: 'not-a-receipt' };
  }
  const e = asRecord(parsed);
  if (!e) return { kind: 'ignored', reason: 'not-a-receipt' };
  if (typeof e['eventType'] === 'string' && e['eventType'].startsWith('TEXT_')) return smsReceipt(e);
  if (asRecord(e['mail'])) return sesReceipt(e);
  return { kind: 'ignored', reason: 'not-a-receipt' };
}
