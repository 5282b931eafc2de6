import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueJournal } from '../scripts/local/queue-journal.ts';
import { expectAnswer } from '../scripts/lib/api/api-client.ts';
import { startLocal } from '../scripts/local/npm-start.ts';
import { tenantApi } from './support/tenant-api.ts';

/** Starts the runtime with the platform clock at `now` and gives helpers over its HTTP API. */
async function runtimeAt(now: string) {
  const rt = await startLocal({ CVM_NOW: now });
  // the consumer tenant through the typed client: its admin writes customers, its channel sends events
  const { admin, channel } = tenantApi(rt, 'consumer');
  const customer = (customerId: string) => ({ path: { customerId } });
  const readCustomer = async (customerId: string) =>
    expectAnswer(await channel.get('/v1/customers/{customerId}', customer(customerId)), 200).json;
  const outbound = (channel: string): Record<string, any>[] => {
    const file = join(rt.dir, 'outbound', `${channel}.jsonl`);
    return existsSync(file)
      ? readFileSync(file, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l))
      : [];
  };
  /** Polls until `check` holds (the processor is asynchronous), at most 5 s. */
  const eventually = async <T>(check: () => T | Promise<T>) => {
    for (let i = 0; ; i++) {
      try {
        return await check();
      } catch (err) {
        if (i > 50) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  const at = (minutesAgo: number) => new Date(Date.parse(now) - minutesAgo * 60_000).toISOString();
  return { rt, admin, channel, customer, readCustomer, outbound, eventually, at };
}

describe('events and triggers over HTTP, midday in Johannesburg', () => {
  let h: Awaited<ReturnType<typeof runtimeAt>>;
  beforeAll(async () => {
    h = await runtimeAt('2026-03-02T10:00:00Z');
  }); // 12:00 SAST
  afterAll(async () => {
    await h?.rt.interrupt();
  });

  it('turns three dropped calls into exactly one health-check message for care', async () => {
    const { admin, channel, customer, readCustomer, at, outbound, eventually } = h;
    await admin.put('/v1/customers/{customerId}', {
      ...customer('27820000100'),
      body: { segment: 'youth', consent: { 'call-centre': true, sms: true } },
    });
    const events = [1, 2, 3].map((i) => ({
      eventId: `dc-${i}`,
      customerId: '27820000100',
      type: 'network.call_dropped' as const,
      occurredAt: at(30 * i),
      data: { cellId: 'JHB-1' },
    }));
    const res = await channel.post('/v1/events', { body: { events } });
    expect({ status: res.status, json: res.json }).toEqual({ status: 202, json: { accepted: 3, rejected: [] } });
    await channel.post('/v1/events', { body: { events: [events[2]!] } }); // a duplicate
    const state = await eventually(async () => {
      const { state } = await readCustomer('27820000100');
      expect(state['droppedCalls24h']).toBe(3);
      return state;
    });
    expect(state['droppedCalls7d']).toBe(3);
    await new Promise((r) => setTimeout(r, 300));
    const care = outbound('call-centre').filter((m) => m.customerId === '27820000100');
    expect(care).toHaveLength(1);
    expect(care[0]).toMatchObject({
      tenant: 'consumer',
      channel: 'call-centre',
      actionId: 'care-health-check-call',
      reason: { type: 'trigger', id: 'third-dropped-call' },
    });
    expect(care[0]!.sendAfter).toBe(care[0]!.createdAt);
  });

  it('offers a bigger bundle at 85% of data to a customer with SMS consent, and nothing to one without', async () => {
    const { admin, channel, customer, readCustomer, at, outbound, eventually } = h;
    await admin.put('/v1/customers/{customerId}', { ...customer('27820000101'), body: { consent: { sms: true } } });
    await admin.put('/v1/customers/{customerId}', { ...customer('27820000102'), body: { consent: { app: true } } });
    const res = await channel.post('/v1/events', {
      body: {
        events: ['27820000101', '27820000102'].map((customerId) => ({
          eventId: `data-${customerId}`,
          customerId,
          type: 'usage.data' as const,
          occurredAt: at(1),
          data: { usedMb: 850, bundleMb: 1000 },
        })),
      },
    });
    expect(expectAnswer(res, 202).json.accepted).toBe(2);
    await eventually(async () => {
      expect((await readCustomer('27820000102')).state['dataUsedPct']).toBe(85);
      expect(outbound('sms').filter((m) => m.customerId === '27820000101')).toHaveLength(1);
    });
    expect(outbound('sms').filter((m) => m.customerId === '27820000102')).toEqual([]);
    expect(outbound('sms')[0]).toMatchObject({
      actionId: 'bigger-bundle-offer',
      reason: { type: 'trigger', id: 'data-80-percent' },
    });
  });

  it('turns SMS consent off when the customer replies STOP, and keeps the audit entry naming the reply', async () => {
    const { admin, channel, customer, readCustomer, at, eventually } = h;
    await admin.put('/v1/customers/{customerId}', {
      ...customer('27820000103'),
      body: { consent: { sms: true, app: true } },
    });
    const reply = {
      eventId: 'reply-stop-1',
      customerId: '27820000103',
      type: 'message.inbound' as const,
      occurredAt: at(1),
      data: { channel: 'sms' as const, text: ' Stop ' },
    };
    expect((await channel.post('/v1/events', { body: { events: [reply] } })).json).toMatchObject({
      accepted: 1,
      rejected: [],
    });
    await eventually(async () =>
      expect((await readCustomer('27820000103')).consent).toEqual({
        sms: false,
        app: true,
      }),
    );
    const month = at(0).slice(0, 7);
    const audit = await admin.get('/v1/audit', { query: { month } });
    expect(JSON.stringify(audit.json)).toContain('event:reply-stop-1');
  });

  it('answers a bad envelope with 400 problem+json and lists the demo triggers', async () => {
    const { admin, channel } = h;
    expect((await channel.post('/v1/events', { body: { events: [] } })).status).toBe(400);
    const triggers = expectAnswer(await admin.get('/v1/triggers'), 200);
    expect(triggers.json.items.map((t) => t.triggerId).sort()).toEqual([
      'data-80-percent',
      'exit-interview-after-churn',
      'third-dropped-call',
    ]);
  });
});

describe('quiet hours', () => {
  it('holds a message due at 23:00 local time until 08:00: nothing reaches the channel before', async () => {
    const h = await runtimeAt('2026-03-02T21:00:00Z'); // 23:00 SAST
    let stopped = false;
    try {
      const { admin, channel, customer, readCustomer, at, outbound, eventually } = h;
      await admin.put('/v1/customers/{customerId}', {
        ...customer('27820000200'),
        body: { consent: { 'call-centre': true } },
      });
      await channel.post('/v1/events', {
        body: {
          events: [1, 2, 3].map((i) => ({
            eventId: `late-${i}`,
            customerId: '27820000200',
            type: 'network.call_dropped' as const,
            occurredAt: at(i),
            data: {},
          })),
        },
      });
      await eventually(async () => {
        expect((await readCustomer('27820000200')).state['droppedCalls24h']).toBe(3);
      });
      await new Promise((r) => setTimeout(r, 1000));
      expect(outbound('call-centre')).toEqual([]);
      // the sender holds it on the tenant's outbound queue, whose journal keeps it across the stop
      await h.rt.interrupt();
      stopped = true;
      const saved = QueueJournal.replay(join(h.rt.dir, 'queues', 'cvm-demo-dev-consumer-outbound.jsonl'));
      const held = saved.map((m) => JSON.parse(m.body)).filter((m) => m.customerId === '27820000200');
      expect(held).toHaveLength(1);
      expect(held[0]).toMatchObject({ channel: 'call-centre' });
      // 08:00 SAST (the trigger rounds the deferral to a whole second, which may be 08:00:01)
      expect(['2026-03-03T06:00:00.000Z', '2026-03-03T06:00:01.000Z']).toContain(held[0].sendAfter);
    } finally {
      if (!stopped) await h.rt.interrupt();
    }
  });
});
