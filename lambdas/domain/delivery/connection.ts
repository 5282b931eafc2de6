import type { Channel } from '../customer.ts';

/**
 * How a tenant's channel leaves the platform. A discriminated union on `type`: `queue` (the
 * default: the hand-off queue an operator's own sender reads), `webhook` (the operator's gateway),
 * and the AWS senders `sms` (End User Messaging SMS), `email` (SES) and `push` (SNS mobile push),
 * each with its connector; the store keeps whatever settings a member has.
 */
export type ConnectionSettings = QueueSettings | WebhookSettings | SmsSettings | EmailSettings | PushSettings;
export type ConnectionType = ConnectionSettings['type'];

/** The connection types whose messages AWS sends (and bills per message): the rest leave through the operator. */
export const AWS_SENDING_TYPES = ['sms', 'email', 'push'] as const;
export type AwsSendingType = (typeof AWS_SENDING_TYPES)[number];
export const isAwsSending = (type: ConnectionType): type is AwsSendingType =>
  (AWS_SENDING_TYPES as readonly string[]).includes(type);

/** Profile attributes the AWS senders read the address from, unless the connection names another. */
export const DEFAULT_ADDRESS_ATTRIBUTE = { sms: 'msisdn', email: 'email' } as const;

/** AWS End User Messaging SMS: `SendTextMessage` to the E.164 number in the profile attribute `phoneAttribute`. */
export interface SmsSettings {
  type: 'sms';
  /** A phone number, sender ID or pool (id or ARN) of the account. */
  originationIdentity: string;
  /** Its event destinations carry the delivery receipts. */
  configurationSetName: string;
  phoneAttribute: string;
}

/** SES v2: `SendEmail` from `fromAddress` to the address in the profile attribute `addressAttribute`. */
export interface EmailSettings {
  type: 'email';
  fromAddress: string;
  configurationSetName: string;
  addressAttribute: string;
}

/** SNS mobile push: `Publish` to the device endpoint ARN in the profile attribute `endpointAttribute`. */
export interface PushSettings {
  type: 'push';
  /** The endpoints published to must belong to this platform application. */
  platformApplicationArn: string;
  endpointAttribute: string;
}

export interface QueueSettings {
  type: 'queue';
}

export interface WebhookSettings {
  type: 'webhook';
  url: string;
  timeoutMs: number;
}

export const WEBHOOK_TIMEOUT_MS = { default: 5000, min: 100, max: 10_000 } as const;

/** A channel with no stored connection hands off to its queue, as before connections existed. */
export const DEFAULT_SETTINGS: QueueSettings = { type: 'queue' };

/** Types that sign their requests with a per-connection secret. */
export const signs = (settings: ConnectionSettings): boolean => settings.type === 'webhook';

/** What sealed secrets are for, in their sealing context (KMS encryption context, local AAD): never another use of the key. */
export const SEALING_PURPOSE = 'cvm-channel-secret';

/** A secret as stored: sealed (encrypted, never the plain value), and since when it is in force. */
export interface SealedSecret {
  sealed: string;
  createdAt: string;
}

/** During a rotation's overlap the previous secret still signs, until `validUntil`. */
export interface ConnectionSecrets {
  current: SealedSecret;
  previous?: SealedSecret & { validUntil: string };
}

export interface ChannelConnection {
  channel: Channel;
  settings: ConnectionSettings;
  secrets?: ConnectionSecrets;
  /** Bumped by every write; a write names the version it replaces (0: none). */
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** How long the old secret keeps signing after a rotation: a day for the receiver to switch. */
export const ROTATION_OVERLAP_HOURS = 24;

/** The secrets that sign a request now: the current one first, the previous one while its overlap lasts. */
export function secretsInForce(secrets: ConnectionSecrets | undefined, now: Date): SealedSecret[] {
  if (!secrets) return [];
  const previous = secrets.previous;
  return previous && Date.parse(previous.validUntil) > now.getTime() ? [secrets.current, previous] : [secrets.current];
}

/** The secrets after a rotation at `now`: the new one current, the old one valid for the overlap. */
export function rotated(secrets: ConnectionSecrets, fresh: string, now: Date): ConnectionSecrets {
  return {
    current: { sealed: fresh, createdAt: now.toISOString() },
    previous: {
      ...secrets.current,
      validUntil: new Date(now.getTime() + ROTATION_OVERLAP_HOURS * 3_600_000).toISOString(),
    },
  };
}

/** What the API shows of a connection: the settings and dates, never a secret, sealed or not. */
export interface ConnectionView {
  channel: Channel;
  type: ConnectionType;
  url?: string;
  timeoutMs?: number;
  originationIdentity?: string;
  configurationSetName?: string;
  phoneAttribute?: string;
  fromAddress?: string;
  addressAttribute?: string;
  platformApplicationArn?: string;
  endpointAttribute?: string;
  /** False for a channel nobody connected: it hands off to its queue. */
  configured: boolean;
  secretCreatedAt?: string;
  previousValidUntil?: string;
  /** The stored connection's version (its ETag); absent while nobody connected the channel. */
  version?: number;
  createdAt?: string;
  updatedAt?: string;
}

export function connectionView(channel: Channel, connection: ChannelConnection | undefined, now: Date): ConnectionView {
  if (!connection) return { channel, ...DEFAULT_SETTINGS, configured: false };
  const previous = connection.secrets?.previous;
  return {
    channel,
    ...connection.settings,
    configured: true,
    ...(connection.secrets ? { secretCreatedAt: connection.secrets.current.createdAt } : {}),
    ...(previous && Date.parse(previous.validUntil) > now.getTime() ? { previousValidUntil: previous.validUntil } : {}),
    version: connection.version,
    createdAt: connection.createdAt,
    updatedAt: connection.updatedAt,
  };
}
