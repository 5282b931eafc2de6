import type { AuditLog } from '#domain/audit.ts';
import type { Clock } from '#domain/clock.ts';
import type { Channel } from '#domain/customer.ts';
import { regionOfArn } from '#domain/delivery/aws-messages.ts';
import {
  connectionView,
  DEFAULT_ADDRESS_ATTRIBUTE,
  rotated,
  signs,
  WEBHOOK_TIMEOUT_MS,
  type ChannelConnection,
  type ConnectionSettings,
  type ConnectionView,
} from '#domain/delivery/connection.ts';
import type { ChannelConnectionStore, SecretSealer, WebhookTargets } from '#domain/delivery/ports.ts';
import { newWebhookSecret } from '#domain/delivery/signature.ts';
import { ConflictError, InvalidInputError, NotFoundError, PreconditionFailedError } from '#domain/errors.ts';
import type { TenantId } from '#domain/ids.ts';
import type { IfMatch } from '#domain/preconditions.ts';
import { recordChange, type Actor } from './audit-trail.ts';
import { changeVersioned } from './versioned-write.ts';

export interface ChannelPorts {
  connections: ChannelConnectionStore;
  sealer: SecretSealer;
  targets: WebhookTargets;
  clock: Clock;
  audit?: AuditLog;
  /** The market's channels; any other is 404. */
  channels: readonly Channel[];
  /** Tests pin it; by default 32 random bytes. */
  newSecret?: () => string;
  /** The market's AWS region: a push connection's platform application must be in it (unset locally: any). */
  region?: string;
}

/** A connection as a PUT body gives it: the webhook's time-out and the SMS and e-mail address attributes may be left out. */
export type ConnectionInput =
  | { type: 'queue' }
  | { type: 'webhook'; url: string; timeoutMs?: number }
  | { type: 'sms'; originationIdentity: string; configurationSetName: string; phoneAttribute?: string }
  | { type: 'email'; fromAddress: string; configurationSetName: string; addressAttribute?: string }
  | { type: 'push'; platformApplicationArn: string; endpointAttribute: string };

export interface PutChannelResult {
  created: boolean;
  connection: ConnectionView;
  /** The signing secret, only when this write generated it: shown once, stored sealed. */
  secret?: string;
}

function settingsOf(input: ConnectionInput): ConnectionSettings {
  switch (input.type) {
    case 'webhook':
      return { type: 'webhook', url: input.url, timeoutMs: input.timeoutMs ?? WEBHOOK_TIMEOUT_MS.default };
    case 'sms':
      return { ...input, phoneAttribute: input.phoneAttribute ?? DEFAULT_ADDRESS_ATTRIBUTE.sms };
    case 'email':
      return { ...input, addressAttribute: input.addressAttribute ?? DEFAULT_ADDRESS_ATTRIBUTE.email };
    case 'push':
      return { ...input };
    default:
      return { type: 'queue' };
  }
}

/**
 * The sender may publish to SNS endpoints of the market's region only (its IAM policy): an
 * application elsewhere would fail every message, so it is refused when saved.
 */
function checkPushRegion(ports: Pick<ChannelPorts, 'region'>, settings: ConnectionSettings): void {
  if (settings.type !== 'push' || !ports.region) return;
  const region = regionOfArn(settings.platformApplicationArn);
  if (region !== ports.region)
    throw new InvalidInputError("the platform application is not in the market's region", [
      { field: 'platformApplicationArn', message: `an SNS platform application of ${ports.region}, not ${region}` },
    ]);
}

function marketChannel(ports: Pick<ChannelPorts, 'channels'>, channel: Channel): Channel {
  if (!ports.channels.includes(channel)) throw new NotFoundError(`channel ${channel} is not one of this market's`);
  return channel;
}

/** Every channel of the market with its connection (a channel nobody connected shows its default, the queue). */
export const listChannels =
  (ports: ChannelPorts) =>
  async (tenant: TenantId): Promise<{ items: ConnectionView[] }> => {
    const stored = new Map((await ports.connections.list(tenant)).map((c) => [c.channel, c]));
    const now = ports.clock.now();
    return { items: ports.channels.map((channel) => connectionView(channel, stored.get(channel), now)) };
  };

export const getChannel =
  (ports: ChannelPorts) =>
  async (tenant: TenantId, channel: Channel): Promise<ConnectionView> =>
    connectionView(marketChannel(ports, channel), await ports.connections.get(tenant, channel), ports.clock.now());

/**
 * Creates or replaces a channel's connection. A webhook's target is checked first (nothing is
 * written for a refused one). A connection that signs keeps the secret it has; one that needs a
 * secret and has none (created, or replacing a queue) gets a new one, returned this once. With
 * If-Match it replaces only the version it names (a channel nobody connected has none).
 */
export const putChannel =
  (ports: ChannelPorts) =>
  async (
    tenant: TenantId,
    channel: Channel,
    input: ConnectionInput,
    actor?: Actor,
    ifMatch?: IfMatch,
  ): Promise<PutChannelResult> => {
    marketChannel(ports, channel);
    const settings = settingsOf(input);
    checkPushRegion(ports, settings);
    if (settings.type === 'webhook') {
      const verdict = await ports.targets.check(settings.url);
      if (!verdict.ok)
        throw new InvalidInputError('the webhook target is not allowed', [{ field: 'url', message: verdict.reason }]);
    }
    const now = ports.clock.now();
    const { existing, connection, secret } = await changeVersioned({
      subject: `the ${channel} connection`,
      ifMatch,
      // the connection store reads consistently
      read: () => ports.connections.get(tenant, channel),
      apply: async (existing) => {
        let secret: string | undefined;
        let secrets = signs(settings) ? existing?.secrets : undefined;
        if (signs(settings) && !secrets) {
          secret = (ports.newSecret ?? newWebhookSecret)();
          secrets = {
            current: { sealed: await ports.sealer.seal(tenant, channel, secret), createdAt: now.toISOString() },
          };
        }
        const connection: ChannelConnection = {
          channel,
          settings,
          ...(secrets ? { secrets } : {}),
          version: (existing?.version ?? 0) + 1,
          createdAt: existing?.createdAt ?? now.toISOString(),
          updatedAt: now.toISOString(),
        };
        await ports.connections.save(tenant, connection, existing?.version ?? 0);
        return { existing, connection, secret };
      },
    });
    const view = connectionView(channel, connection, now);
    await recordChange(ports, tenant, actor, 'channel.put', channel, {
      ...(existing ? { before: connectionView(channel, existing, now) } : {}),
      after: view,
    });
    return { created: !existing, connection: view, ...(secret ? { secret } : {}) };
  };

/**
 * A new signing secret, returned once; the old one keeps signing (a second `v1` in the header)
 * until `previousValidUntil`, so the receiver can switch without losing a message.
 */
export const rotateChannelSecret =
  (ports: ChannelPorts) =>
  async (
    tenant: TenantId,
    channel: Channel,
    actor?: Actor,
  ): Promise<{ secret: string; previousValidUntil: string }> => {
    marketChannel(ports, channel);
    const existing = await ports.connections.get(tenant, channel);
    if (!existing) throw new NotFoundError(`channel ${channel} has no connection; PUT one first`);
    if (!existing.secrets) throw new ConflictError(`a ${existing.settings.type} connection has no secret to rotate`);
    const now = ports.clock.now();
    const secret = (ports.newSecret ?? newWebhookSecret)();
    const secrets = rotated(existing.secrets, await ports.sealer.seal(tenant, channel, secret), now);
    try {
      await ports.connections.save(
        tenant,
        { ...existing, secrets, version: existing.version + 1, updatedAt: now.toISOString() },
        existing.version,
      );
    } catch (err) {
      // not retried: the caller of a rotation that lost would hold a secret that is already the previous one
      if (err instanceof PreconditionFailedError)
        throw new ConflictError(`the ${channel} connection changed meanwhile; read it and try again`);
      throw err;
    }
    const previousValidUntil = secrets.previous!.validUntil;
    await recordChange(ports, tenant, actor, 'channel.secret-rotated', channel, {
      before: { secretCreatedAt: existing.secrets.current.createdAt },
      after: { secretCreatedAt: secrets.current.createdAt, previousValidUntil },
    });
    return { secret, previousValidUntil };
  };
