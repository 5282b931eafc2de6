import type { Channel } from '../customer.ts';
import type { TenantId } from '../ids.ts';
import type { ChannelConnection, ConnectionSettings } from './connection.ts';
import type { DeliverableMessage } from './hold.ts';
import type { SendResult } from './retry.ts';
import type { TargetVerdict } from './webhook-target.ts';

/** Each tenant's channel connections (tenant table, `CH#<channel>`). */
export interface ChannelConnectionStore {
  get(tenant: TenantId, channel: Channel): Promise<ChannelConnection | undefined>;
  list(tenant: TenantId): Promise<ChannelConnection[]>;
  /**
   * Writes the connection if the stored one is still at `expectedVersion` (0: none stored);
   * a PreconditionFailedError when someone else wrote first (app/versioned-write.ts reads again).
   */
  save(tenant: TenantId, connection: ChannelConnection, expectedVersion: number): Promise<void>;
}

/**
 * Seals secrets at rest, bound to their tenant and channel (a sealed value moved to another
 * tenant's or channel's item does not open): the tenant's KMS key in AWS, a local key file in
 * `npm start`.
 */
export interface SecretSealer {
  seal(tenant: TenantId, channel: Channel, secret: string): Promise<string>;
  open(tenant: TenantId, channel: Channel, sealed: string): Promise<string>;
}

/** Resolves a webhook URL's host and applies the market's target policy (webhook-target.ts). */
export interface WebhookTargets {
  check(url: string): Promise<TargetVerdict>;
}

/** A connection as a connector uses it: the settings and the plain secrets in force, newest first. */
export interface OpenConnection {
  tenant: TenantId;
  channel: Channel;
  settings: ConnectionSettings;
  secrets: string[];
}

/**
 * Sends messages through one connection type; one result per message, in order. A connector never
 * throws for one message's trouble: it answers `retry` or `failed` for it. One per connection type:
 * hand-off queue, webhook, SMS, e-mail, push.
 */
export interface Connector {
  send(connection: OpenConnection, messages: readonly DeliverableMessage[]): Promise<SendResult[]>;
}

/** The tenant's outbound queue as the sender uses it beyond receiving: holds and retries. */
export interface DeliveryQueue {
  /** Puts messages back, each invisible for its delay (SQS: at most 900 s, whole seconds rounded up). */
  hold(tenant: TenantId, entries: { message: DeliverableMessage; delaySeconds: number }[]): Promise<void>;
  /** Makes a received message visible again after `seconds` (its next attempt, or the DLQ). */
  retryAfter(tenant: TenantId, receipt: string, seconds: number): Promise<void>;
}

/** Atomic counters of capacity use (`key`: channel and second or day); answers the value after adding. */
export interface CapacityCounter {
  add(tenant: TenantId, key: string, units: number, expiresAt: Date): Promise<number>;
}

/** What one batch of a tenant's messages came to, counted by channel, outcome and reason. */
export interface DeliveryTally {
  tenant: TenantId;
  /** `<channel>` -> `<outcome>` -> `<reason>` -> count (`-` when an outcome has no reason). */
  counts: Record<string, Record<string, Record<string, number>>>;
}

export type DeliveryRecorder = (tally: DeliveryTally) => void;
