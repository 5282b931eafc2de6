import type { Clock } from '#domain/clock.ts';
import type { QuietHours } from '#domain/contact-window.ts';
import type { Channel } from '#domain/customer.ts';
import {
  localDayOf,
  nextDayWindow,
  splitByDailyCap,
  splitByRate,
  type ChannelCapacity,
} from '#domain/delivery/capacity.ts';
import { SENDING_METER } from '#domain/cost/sending-prices.ts';
import { DEFAULT_SETTINGS, isAwsSending, secretsInForce, type ConnectionType } from '#domain/delivery/connection.ts';
import {
  hopSeconds,
  needsRecheck,
  recheckReason,
  secondsUntilDue,
  type DeliverableMessage,
} from '#domain/delivery/hold.ts';
import type {
  CapacityCounter,
  ChannelConnectionStore,
  Connector,
  DeliveryQueue,
  DeliveryRecorder,
  DeliveryTally,
  OpenConnection,
  SecretSealer,
} from '#domain/delivery/ports.ts';
import { retryDelaySeconds, type RetryPolicy, type SendResult } from '#domain/delivery/retry.ts';
import type { TenantId } from '#domain/ids.ts';
import type { Meter } from '#domain/usage-readings.ts';
import type { CustomerRepo } from '#domain/ports/customers.ts';

/** One received message of a tenant's outbound queue. */
export interface DeliveryItem {
  /** The queue's id of the message: what a partial batch failure names. */
  id: string;
  /** What makes this receive visible again later (SQS receipt handle). */
  receipt: string;
  /** 1 on the first receive: the attempt this is. */
  receiveCount: number;
  message: DeliverableMessage;
}

/** `done`: delete it (sent, held anew, skipped, failed for good); `retry`: leave it for its next attempt. */
export type ItemVerdict = 'done' | 'retry';

export interface DeliverySettings {
  timeZone: string;
  quietHours: QuietHours;
  /** The tenant's capacity on a channel (market config `delivery`), if it has one. */
  capacity: (tenant: TenantId, channel: Channel) => ChannelCapacity | undefined;
  retry: RetryPolicy;
  /** Retry waits are divided by it (CVM_TIME_SCALE locally, 1 in AWS); holds follow the platform clock. */
  timeScale: number;
}

export interface DeliveryPorts {
  clock: Clock;
  connections: Pick<ChannelConnectionStore, 'get'>;
  sealer: Pick<SecretSealer, 'open'>;
  /** One connector per connection type. */
  connectors: Partial<Record<ConnectionType, Connector>>;
  queue: DeliveryQueue;
  customers: Pick<CustomerRepo, 'loadProfiles'>;
  capacity: CapacityCounter;
  settings: DeliverySettings;
  record?: DeliveryRecorder;
  /** Per-tenant metering of what AWS sent (SMS segments, e-mails, pushes): the cost report prices it. */
  meter?: Meter;
}

const DAY_COUNTER_TTL_MS = 3 * 86_400_000;
const MAX_OPENED_SECRETS = 1000;

class Tally {
  readonly counts: DeliveryTally['counts'] = {};
  add(channel: string, outcome: string, reason = '-', n = 1): void {
    const byOutcome = (this.counts[channel] ??= {});
    const byReason = (byOutcome[outcome] ??= {});
    byReason[reason] = (byReason[reason] ?? 0) + n;
  }
}

const groupByChannel = (items: readonly DeliveryItem[]) => {
  const groups = new Map<Channel, DeliveryItem[]>();
  for (const item of items) groups.set(item.message.channel, [...(groups.get(item.message.channel) ?? []), item]);
  return groups;
};

/**
 * The sender: a batch of one tenant's outbound messages, each to its channel's connection, at its
 * time and within the channel's capacity. In order:
 * 1. hold: a message not due yet goes back on the queue for min(what is left, 15 min);
 * 2. re-check: a message that waited is not sent to a customer erased, opted out or (marketing)
 *    no longer opted in since (counted as skipped with the reason);
 * 3. capacity: past the channel's rate a message waits whole seconds; past its daily cap it is
 *    deferred to the next day's window or dropped, as configured (counted with the reason);
 * 4. send through the connector of the connection's type: accepted is done, retry comes back after
 *    the backoff (the queue's redrive takes it to the DLQ after the last attempt), failed is done.
 * Everything read comes before anything is sent, so a failing read retries the batch with nothing
 * sent twice.
 */
export const deliverOutbound = (ports: DeliveryPorts) => {
  const { settings } = ports;
  // decrypted secrets by sealed value, for the container's life: a rotation seals a new value
  const opened = new Map<string, string>();
  const open = async (tenant: TenantId, channel: Channel, sealed: string): Promise<string> => {
    const known = opened.get(sealed);
    if (known !== undefined) return known;
    const plain = await ports.sealer.open(tenant, channel, sealed);
    if (opened.size >= MAX_OPENED_SECRETS) opened.clear();
    opened.set(sealed, plain);
    return plain;
  };

  return async (tenant: TenantId, items: readonly DeliveryItem[]): Promise<Map<string, ItemVerdict>> => {
    const now = ports.clock.now();
    const tally = new Tally();
    const verdicts = new Map<string, ItemVerdict>();
    const holds: { item: DeliveryItem; message: DeliverableMessage; delaySeconds: number }[] = [];
    const done = (item: DeliveryItem) => verdicts.set(item.id, 'done');

    // 1. hold what is not due
    let due: DeliveryItem[] = [];
    for (const item of items) {
      const wait = secondsUntilDue(item.message, now);
      if (wait > 0) {
        holds.push({ item, message: item.message, delaySeconds: hopSeconds(wait) });
        tally.add(item.message.channel, 'held', 'not-due');
      } else due.push(item);
    }

    // 2. re-check the customers of messages that waited
    const waited = due.filter((i) => needsRecheck(i.message, now));
    if (waited.length > 0) {
      const profiles = await ports.customers.loadProfiles(tenant, [
        ...new Set(waited.map((i) => i.message.customerId)),
      ]);
      due = due.filter((item) => {
        if (!needsRecheck(item.message, now)) return true;
        const reason = recheckReason(item.message, profiles.get(item.message.customerId));
        if (!reason) return true;
        tally.add(item.message.channel, 'skipped', reason);
        done(item);
        return false;
      });
    }

    // 3. capacity, per channel
    const sendable: [Channel, DeliveryItem[]][] = [];
    for (const [channel, list] of groupByChannel(due)) {
      const capacity = settings.capacity(tenant, channel);
      let within = list;
      if (capacity?.ratePerSecond !== undefined) {
        const second = Math.floor(now.getTime() / 1000);
        const after = await ports.capacity.add(
          tenant,
          `rate#${channel}#${second}`,
          within.length,
          new Date((second + 3600) * 1000),
        );
        const split = splitByRate(within, capacity.ratePerSecond, after);
        within = split.within;
        for (const { item, delaySeconds } of split.over) {
          holds.push({ item, message: item.message, delaySeconds });
          tally.add(channel, 'held', 'rate');
        }
      }
      if (capacity?.dailyCap !== undefined && within.length > 0) {
        const day = localDayOf(now, settings.timeZone);
        const after = await ports.capacity.add(
          tenant,
          `day#${channel}#${day}`,
          within.length,
          new Date(now.getTime() + DAY_COUNTER_TTL_MS),
        );
        const split = splitByDailyCap(within, capacity.dailyCap, after);
        within = split.within;
        const window = nextDayWindow(now, settings.timeZone, settings.quietHours).toISOString();
        for (const item of split.over) {
          if (capacity.overCap === 'drop') {
            tally.add(channel, 'dropped', 'daily-cap');
            done(item);
            continue;
          }
          const message = { ...item.message, sendAfter: window };
          holds.push({ item, message, delaySeconds: hopSeconds(secondsUntilDue(message, now)) });
          tally.add(channel, 'deferred', 'daily-cap');
        }
      }
      if (within.length > 0) sendable.push([channel, within]);
    }

    // every connection and secret is read before anything leaves
    const connections = await Promise.all(
      sendable.map(async ([channel]): Promise<OpenConnection> => {
        const stored = await ports.connections.get(tenant, channel);
        const secrets = await Promise.all(
          secretsInForce(stored?.secrets, now).map((s) => open(tenant, channel, s.sealed)),
        );
        return { tenant, channel, settings: stored?.settings ?? DEFAULT_SETTINGS, secrets };
      }),
    );

    // holds go back on the queue first: if that fails, the batch is retried and nothing was sent
    if (holds.length > 0) {
      await ports.queue.hold(
        tenant,
        holds.map(({ message, delaySeconds }) => ({ message, delaySeconds })),
      );
      for (const h of holds) done(h.item);
    }

    // 4. send
    await Promise.all(
      sendable.map(async ([channel, list], i) => {
        const connection = connections[i]!;
        const connector = ports.connectors[connection.settings.type];
        let results: SendResult[];
        if (!connector) {
          results = list.map(() => ({ outcome: 'failed', reason: `no-connector-${connection.settings.type}` }));
        } else {
          try {
            results = await connector.send(
              connection,
              list.map((item) => item.message),
            );
          } catch {
            results = list.map(() => ({ outcome: 'retry', reason: 'connector-error' }));
          }
        }
        await Promise.all(
          list.map(async (item, k) => {
            const result = results[k] ?? { outcome: 'retry', reason: 'no-result' };
            if (result.outcome === 'accepted') {
              tally.add(channel, 'sent');
              const type = connection.settings.type;
              // AWS bills an SMS per segment (the count the message carries, 1 when it has none) at
              // its destination country's price, the others per message
              if (isAwsSending(type))
                ports.meter?.meter(tenant, SENDING_METER[type], type === 'sms' ? (item.message.segments ?? 1) : 1, {
                  channel,
                  ...(result.destinationCountry ? { country: result.destinationCountry } : {}),
                });
              done(item);
            } else if (result.outcome === 'failed') {
              tally.add(channel, 'failed', result.reason);
              done(item);
            } else {
              const last = item.receiveCount >= settings.retry.attempts;
              tally.add(channel, last ? 'dead-lettered' : 'retried', result.reason);
              const wait = retryDelaySeconds(item.receiveCount, {
                policy: settings.retry,
                timeScale: settings.timeScale,
                ...(result.retryAfterSeconds !== undefined ? { retryAfterSeconds: result.retryAfterSeconds } : {}),
              });
              // if this fails, the queue's visibility timeout brings it back instead
              await ports.queue.retryAfter(tenant, item.receipt, wait).catch(() => undefined);
              verdicts.set(item.id, 'retry');
            }
          }),
        );
      }),
    );

    ports.record?.({ tenant, counts: tally.counts });
    return verdicts;
  };
};
