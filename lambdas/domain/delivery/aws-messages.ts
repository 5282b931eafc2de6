import { type ActionKind, MARKETING_KINDS } from '../contact-window.ts';
import type { CustomerRecord } from '../customer.ts';
import type { EmailSettings, PushSettings, SmsSettings } from './connection.ts';
import type { DeliverableMessage } from './hold.ts';
import { customerRefOf, RECEIPT_TAG_NAMES } from './receipts.ts';

/**
 * The tags every message sent through AWS carries, so the receipts function (receipts.ts, which
 * names them) can map a delivery receipt back: SMS `Context` keys, SES `EmailTags` names and SNS
 * message attribute names, the same everywhere: `cvmTenant`, `cvmMessageId` and `cvmCustomerRef`
 * (the customer id base64url-encoded: SES tag values take letters, digits, `_` and `-` only).
 * Renaming one orphans the receipts in flight.
 */
export const RECEIPT_TAGS = RECEIPT_TAG_NAMES;

/** The receipt tags of a message, by tag name. */
export const receiptTagsOf = (
  message: Pick<DeliverableMessage, 'tenant' | 'messageId' | 'customerId'>,
): Record<string, string> => ({
  [RECEIPT_TAGS.tenant]: message.tenant,
  [RECEIPT_TAGS.messageId]: message.messageId,
  [RECEIPT_TAGS.customerRef]: customerRefOf(message.customerId),
});

export type AwsSettings = SmsSettings | EmailSettings | PushSettings;

/** Why a message has no address to go to: each is for good (the profile must change first). */
export type NoAddress =
  | 'erased'
  | 'no-profile'
  | 'no-address'
  | 'invalid-address'
  /** The device endpoint belongs to another SNS platform application than the connection's. */
  | 'endpoint-of-another-application';

export type Addressing = { ok: true; address: string } | { ok: false; reason: NoAddress };

/** E.164: a plus, a country code not starting with 0, up to 15 digits in all. */
export const E164 = /^\+[1-9]\d{6,14}$/;
/** One address, no display name, no list: what SES takes as a single `ToAddresses` entry. */
const MAILBOX = /^[^\s@<>()[\]",;:]+@[^\s@<>()[\]",;:]+\.[^\s@<>()[\]",;:]+$/;
export const isMailbox = (s: string): boolean => s.length <= 320 && MAILBOX.test(s);

const APPLICATION_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:app\/[A-Z_]+\/[^/\s]+$/;
const ENDPOINT_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:endpoint\/[A-Z_]+\/[^/\s]+\/[^/\s]+$/;
export const isPlatformApplicationArn = (s: string): boolean => APPLICATION_ARN.test(s);
/** The region of an SNS ARN (its fourth field). */
export const regionOfArn = (arn: string): string | undefined => arn.split(':')[3];

const attributeName = (settings: AwsSettings): string =>
  settings.type === 'sms'
    ? settings.phoneAttribute
    : settings.type === 'email'
      ? settings.addressAttribute
      : settings.endpointAttribute;

/**
 * Where a message to this customer goes on an AWS connection: the profile attribute the connection
 * names (`attributes.<name>`), checked for its kind: an E.164 number (SMS), one mailbox (e-mail), an
 * SNS endpoint ARN of the connection's platform application (push).
 */
export function addressOf(settings: AwsSettings, profile: CustomerRecord | 'erased' | undefined): Addressing {
  if (profile === 'erased') return { ok: false, reason: 'erased' };
  if (!profile) return { ok: false, reason: 'no-profile' };
  const raw = profile.attributes?.[attributeName(settings)];
  if (typeof raw !== 'string' || raw.trim() === '') return { ok: false, reason: 'no-address' };
  const address = raw.trim();
  switch (settings.type) {
    case 'sms':
      return E164.test(address) ? { ok: true, address } : { ok: false, reason: 'invalid-address' };
    case 'email':
      return isMailbox(address) ? { ok: true, address } : { ok: false, reason: 'invalid-address' };
    case 'push': {
      if (!ENDPOINT_ARN.test(address)) return { ok: false, reason: 'invalid-address' };
      const prefix = `${settings.platformApplicationArn.replace(':app/', ':endpoint/')}/`;
      return address.startsWith(prefix)
        ? { ok: true, address }
        : { ok: false, reason: 'endpoint-of-another-application' };
    }
  }
}

/** SMS message type: marketing kinds go as PROMOTIONAL (cheaper routes, country rules), service ones as TRANSACTIONAL. */
export const smsMessageType = (kind: ActionKind): 'PROMOTIONAL' | 'TRANSACTIONAL' =>
  MARKETING_KINDS.has(kind) ? 'PROMOTIONAL' : 'TRANSACTIONAL';

/** RFC 5322 keeps a header line under 998 characters; a subject is one line. */
const MAX_SUBJECT = 998;

/**
 * An e-mail treatment's text: its first line is the subject, the lines after it the body. A text of
 * one line is both (a subject-only mail is read as empty by many clients).
 */
export function emailContent(text: string): { subject: string; body: string } {
  const [first = '', ...rest] = text.trim().split(/\r\n|\r|\n/);
  const body = rest.join('\n').trim();
  return { subject: first.trim().slice(0, MAX_SUBJECT), body: body || first.trim() };
}
