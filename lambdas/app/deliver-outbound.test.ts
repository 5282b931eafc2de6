import { describe, expect, it } from 'vitest';
import { fixedClock } from '#domain/clock.ts';
import type { CustomerRecord } from '#domain/customer.ts';
import type { ChannelCapacity } from '#domain/delivery/capacity.ts';
import type { ChannelConnection } from '#domain/delivery/connection.ts';
import type { DeliverableMessage } from '#domain/delivery/hold.ts';
import type { DeliveryTally, OpenConnection } from '#domain/delivery/ports.ts';
import { RETRY_POLICY, type SendResult } from '#domain/delivery/retry.ts';
import { deliverOutbound, type DeliveryItem, type DeliveryPorts } from './deliver-outbound.ts';

const NOW = '2026-03-03T10:00:00.000Z'; // 12:00 in Johannesburg

const message = (n: number, over: Partial<DeliverableMessage> = {}): DeliverableMessage => ({
  messageId: `m-${n}`,
  tenant: 'acme',
  customerId: `c-${n}`,
  channel: 'sms',
  actionId: 'bigger-bundle-offer',
  kind: 'offer',
  treatment: 'bundle',
  language: 'en',
  reason: { type: 'trigger', id: 'data-80-percent' },
  createdAt: NOW,
  sendAfter: NOW,
  ...over,
});
const item = (m: DeliverableMessage, receiveCount = 1): DeliveryItem => ({
  id: `rec-${m.messageId}`,
  receipt: `receipt-${m.messageId}`,
  receiveCount,
  message: m,
});
const profile = (consent: CustomerRecord['consent']): CustomerRecord => ({
  customerId: 'x',
  version: 1,
  createdAt: NOW,
  updatedAt: NOW,
  consent,
});

/** The sender over in-memory ports: what each connector got, what went back on the queue, the counts. */
function harness(
  opts: {
    answer?: (m: DeliverableMessage) => SendResult;
    connections?: Record<string, ChannelConnection>;
    profiles?: Record<string, CustomerRecord | 'erased'>;
    capacity?: Record<string, ChannelCapacity>;
    counters?: Record<string, number>;
  } = {},
) {
  const sent: { type: string; connection: OpenConnection; messages: DeliverableMessage[] }[] = [];
  const held: { message: DeliverableMessage; delaySeconds: number }[] = [];
  const retries: { receipt: string; seconds: number }[] = [];
  const tallies: DeliveryTally[] = [];
  const readings: { tenant: string; name: string; count: number; channel?: string }[] = [];
  const counters = { ...(opts.counters ?? {}) };
  const connector = (type: string) => ({
    send: async (connection: OpenConnection, messages: readonly DeliverableMessage[]) => {
      sent.push({ type, connection, messages: [...messages] });
      return messages.map((m) => opts.answer?.(m) ?? { outcome: 'accepted' as const });
    },
  });
  const ports: DeliveryPorts = {
    clock: fixedClock(NOW),
    connections: { get: async (_t, channel) => opts.connections?.[channel] },
    sealer: { open: async (_t, _c, sealed) => sealed.replace('sealed:', '') },
    connectors: {
      queue: connector('queue'),
      webhook: connector('webhook'),
      sms: connector('sms'),
      email: connector('email'),
    },
    queue: {
      hold: async (_t, entries) => void held.push(...entries),
      retryAfter: async (_t, receipt, seconds) => void retries.push({ receipt, seconds }),
    },
    customers: {
      loadProfiles: async (_t, ids) =>
        new Map(ids.flatMap((id) => (opts.profiles?.[id] ? [[id, opts.profiles[id]!] as const] : []))),
    },
    capacity: {
      add: async (_t, key, units) => (counters[key] = (counters[key] ?? 0) + units),
    },
    settings: {
      timeZone: 'Africa/Johannesburg',
      quietHours: { start: '20:00', end: '08:00' },
      capacity: (_t, channel) => opts.capacity?.[channel],
      retry: RETRY_POLICY,
      timeScale: 1,
    },
    record: (t) => void tallies.push(t),
    meter: { meter: (tenant, name, count = 1, detail) => void readings.push({ tenant, name, count, ...detail }) },
  };
  return { deliver: deliverOutbound(ports), sent, held, retries, tallies, counters, readings };
}

const webhook = (channel = 'sms'): ChannelConnection =>
  ({
    channel,
    settings: { type: 'webhook', url: 'https://gw.example.com/', timeoutMs: 5000 },
    secrets: {
      current: { sealed: 'sealed:new', createdAt: NOW },
      previous: { sealed: 'sealed:old', createdAt: NOW, validUntil: '2026-03-04T10:00:00.000Z' },
    },
    version: 2,
    createdAt: NOW,
    updatedAt: NOW,
  }) as ChannelConnection;

const awsConnection = (channel: string, settings: ChannelConnection['settings']): ChannelConnection => ({
  channel: channel as ChannelConnection['channel'],
  settings,
  version: 1,
  createdAt: NOW,
  updatedAt: NOW,
});

describe('the sender', () => {
  it('hands a due message to the queue connection when the channel has none of its own', async () => {
    const h = harness();
    const verdicts = await h.deliver('acme', [item(message(1))]);
    expect(verdicts.get('rec-m-1')).toBe('done');
    expect(h.sent).toEqual([
      {
        type: 'queue',
        connection: { tenant: 'acme', channel: 'sms', settings: { type: 'queue' }, secrets: [] },
        messages: [message(1)],
      },
    ]);
    expect(h.tallies[0]!.counts).toEqual({ sms: { sent: { '-': 1 } } });
  });

  it("sends through the channel's webhook with its secrets in force, opened, newest first", async () => {
    const h = harness({ connections: { sms: webhook() } });
    await h.deliver('acme', [item(message(1))]);
    expect(h.sent[0]!.type).toBe('webhook');
    expect(h.sent[0]!.connection.secrets).toEqual(['new', 'old']);
  });

  it('holds a message that is not due in hops of at most 15 minutes, and sends nothing', async () => {
    const h = harness();
    const night = message(1, { createdAt: '2026-03-02T21:00:00.000Z', sendAfter: '2026-03-03T10:05:00.000Z' });
    const verdicts = await h.deliver('acme', [item(night)]);
    expect(verdicts.get('rec-m-1')).toBe('done');
    expect(h.held).toEqual([{ message: night, delaySeconds: 300 }]);
    expect(h.sent).toEqual([]);
    const later = message(2, { sendAfter: '2026-03-03T16:00:00.000Z' });
    await h.deliver('acme', [item(later)]);
    expect(h.held[1]!.delaySeconds).toBe(900);
  });

  it('re-checks a held message when it is due: an opt-out, a withdrawn consent or an erasure stops it, counted by reason', async () => {
    const h = harness({
      profiles: {
        'c-1': profile({ sms: false }),
        'c-2': profile({}),
        'c-3': 'erased',
        'c-4': profile({ sms: true }),
      },
    });
    const waited = (n: number) =>
      item(message(n, { createdAt: '2026-03-02T21:00:00.000Z', sendAfter: '2026-03-03T06:00:00.000Z' }));
    const verdicts = await h.deliver('acme', [1, 2, 3, 4].map(waited));
    expect([...verdicts.values()]).toEqual(['done', 'done', 'done', 'done']);
    expect(h.sent.flatMap((s) => s.messages.map((m) => m.customerId))).toEqual(['c-4']);
    expect(h.tallies[0]!.counts['sms']).toEqual({
      skipped: { 'opted-out': 1, 'no-consent': 1, erased: 1 },
      sent: { '-': 1 },
    });
  });

  it('does not read the customer again for a message sent as soon as it was made', async () => {
    const h = harness({ profiles: { 'c-1': profile({ sms: false }) } });
    await h.deliver('acme', [item(message(1))]);
    expect(h.sent).toHaveLength(1);
  });

  it('retries 429, 5xx and time-outs after the backoff, and lets the last attempt go to the DLQ at once', async () => {
    const h = harness({ answer: () => ({ outcome: 'retry', reason: 'http-500' }) });
    const verdicts = await h.deliver('acme', [item(message(1), 1), item(message(2), 3), item(message(3), 5)]);
    expect([...verdicts.values()]).toEqual(['retry', 'retry', 'retry']);
    expect(h.retries).toEqual([
      { receipt: 'receipt-m-1', seconds: 30 },
      { receipt: 'receipt-m-2', seconds: 120 },
      { receipt: 'receipt-m-3', seconds: 0 },
    ]);
    expect(h.tallies[0]!.counts['sms']).toEqual({ retried: { 'http-500': 2 }, 'dead-lettered': { 'http-500': 1 } });
  });

  it('counts a message the gateway refused for good as failed and does not send it again', async () => {
    const h = harness({ answer: () => ({ outcome: 'failed', reason: 'http-404' }) });
    const verdicts = await h.deliver('acme', [item(message(1))]);
    expect(verdicts.get('rec-m-1')).toBe('done');
    expect(h.retries).toEqual([]);
    expect(h.tallies[0]!.counts['sms']).toEqual({ failed: { 'http-404': 1 } });
  });

  it('retries the whole channel when its connector throws', async () => {
    const h = harness({
      answer: () => {
        throw new Error('boom');
      },
    });
    expect((await h.deliver('acme', [item(message(1))])).get('rec-m-1')).toBe('retry');
  });
});

describe('channel capacity in the sender', () => {
  const five = (n: number) =>
    Array.from({ length: n }, (_, i) => item(message(i + 1, { channel: 'call-centre', kind: 'service' })));

  it('sends at most the rate in one second and spreads the rest over the next seconds', async () => {
    const h = harness({ capacity: { 'call-centre': { ratePerSecond: 2, overCap: 'defer' } } });
    await h.deliver('acme', five(5));
    expect(h.sent[0]!.messages.map((m) => m.messageId)).toEqual(['m-1', 'm-2']);
    expect(h.held.map((x) => [x.message.messageId, x.delaySeconds])).toEqual([
      ['m-3', 1],
      ['m-4', 1],
      ['m-5', 2],
    ]);
    expect(h.tallies[0]!.counts['call-centre']).toEqual({ held: { rate: 3 }, sent: { '-': 2 } });
  });

  it('defers what passes the daily cap to 08:00 the next morning, sending the rest', async () => {
    const h = harness({
      capacity: { 'call-centre': { dailyCap: 5, overCap: 'defer' } },
      counters: { 'day#call-centre#2026-03-03': 3 },
    });
    await h.deliver('acme', five(4));
    expect(h.sent[0]!.messages.map((m) => m.messageId)).toEqual(['m-1', 'm-2']);
    expect(h.held.map((x) => [x.message.messageId, x.message.sendAfter, x.delaySeconds])).toEqual([
      ['m-3', '2026-03-04T06:00:00.000Z', 900],
      ['m-4', '2026-03-04T06:00:00.000Z', 900],
    ]);
    expect(h.tallies[0]!.counts['call-centre']).toEqual({ deferred: { 'daily-cap': 2 }, sent: { '-': 2 } });
  });

  it('drops what passes the daily cap when the channel says so, counted with the reason', async () => {
    const h = harness({ capacity: { 'call-centre': { dailyCap: 1, overCap: 'drop' } } });
    const verdicts = await h.deliver('acme', five(3));
    expect([...verdicts.values()]).toEqual(['done', 'done', 'done']);
    expect(h.sent[0]!.messages).toHaveLength(1);
    expect(h.held).toEqual([]);
    expect(h.tallies[0]!.counts['call-centre']).toEqual({ dropped: { 'daily-cap': 2 }, sent: { '-': 1 } });
  });

  it('leaves channels without a capacity alone', async () => {
    const h = harness({ capacity: { 'call-centre': { dailyCap: 1, overCap: 'drop' } } });
    await h.deliver(
      'acme',
      [1, 2, 3].map((n) => item(message(n))),
    );
    expect(h.sent[0]!.messages).toHaveLength(3);
    expect(h.counters).toEqual({});
  });
});

describe('metering what AWS sends', () => {
  it('meters SMS segments and e-mails accepted through AWS connections, per tenant and channel', async () => {
    const h = harness({
      connections: {
        sms: awsConnection('sms', {
          type: 'sms',
          originationIdentity: 'CVMDEMO',
          configurationSetName: 'cvm',
          phoneAttribute: 'msisdn',
        }),
        email: awsConnection('email', {
          type: 'email',
          fromAddress: 'o@cvm.example.com',
          configurationSetName: 'cvm',
          addressAttribute: 'email',
        }),
      },
      answer: (m) =>
        m.messageId === 'm-3'
          ? { outcome: 'failed', reason: 'no-address' }
          : m.messageId === 'm-2'
            ? { outcome: 'accepted', destinationCountry: 'GB' }
            : { outcome: 'accepted' },
    });
    await h.deliver('acme', [
      item(message(1)),
      item(message(2, { segments: 3 })),
      item(message(3)),
      item(message(4, { channel: 'email' })),
    ]);
    expect(h.sent.map((s) => s.type).sort()).toEqual(['email', 'sms']);
    expect(h.readings).toEqual(
      expect.arrayContaining([
        { tenant: 'acme', name: 'SmsSegmentsSent', count: 1, channel: 'sms' },
        // the destination's country, where the connector named it: the cost report prices segments by it
        { tenant: 'acme', name: 'SmsSegmentsSent', count: 3, channel: 'sms', country: 'GB' },
        { tenant: 'acme', name: 'EmailsSent', count: 1, channel: 'email' },
      ]),
    );
    // the failed message is not metered
    expect(h.readings).toHaveLength(3);
  });

  it('meters nothing for a webhook or the hand-off queue: the operator sends those', async () => {
    const h = harness({ connections: { sms: webhook() } });
    await h.deliver('acme', [item(message(1)), item(message(2, { channel: 'email' }))]);
    expect(h.sent).toHaveLength(2);
    expect(h.readings).toEqual([]);
  });
});
