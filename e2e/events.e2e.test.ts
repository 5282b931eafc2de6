import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocal } from './local-runtime.ts';

/** Starts the runtime with the platform clock at `now` and gives helpers over its HTTP API. */
async function runtimeAt(now: string) {
  const rt = await startLocal({ CVM_NOW: now });
  const base = rt.info.baseUrl;
  const keys = rt.info.tenants['consumer']!;
  const call = async (method: string, path: string, key: string, body?: unknown) => {
    const res = await fetch(base + path, {
      method,
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  };
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
  return { rt, keys, call, outbound, eventually, at };
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
    const { call, keys, at, outbound, eventually } = h;
    await call('PUT', '/v1/customers/27820000100', keys.apiKey, {
      segment: 'youth',
      consent: { 'call-centre': true, sms: true },
    });
    const events = [1, 2, 3].map((i) => ({
      eventId: `dc-${i}`,
      customerId: '27820000100',
      type: 'network.call_dropped',
      occurredAt: at(30 * i),
      data: { cellId: 'JHB-1' },
    }));
    const res = await call('POST', '/v1/events', keys.channelKey, { events });
    expect(res).toEqual({ status: 202, json: { accepted: 3, rejected: [] } });
    await call('POST', '/v1/events', keys.channelKey, { events: [events[2]] }); // a duplicate
    const state = await eventually(async () => {
      const got = await call('GET', '/v1/customers/27820000100', keys.channelKey);
      expect(got.json.state.droppedCalls24h).toBe(3);
      return got.json.state;
    });
    expect(state.droppedCalls7d).toBe(3);
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
    const { call, keys, at, outbound, eventually } = h;
    await call('PUT', '/v1/customers/27820000101', keys.apiKey, { consent: { sms: true } });
    await call('PUT', '/v1/customers/27820000102', keys.apiKey, { consent: { app: true } });
    const res = await call('POST', '/v1/events', keys.channelKey, {
      events: ['27820000101', '27820000102'].map((customerId) => ({
        eventId: `data-${customerId}`,
        customerId,
        type: 'usage.data',
        occurredAt: at(1),
        data: { usedMb: 850, bundleMb: 1000 },
      })),
    });
    expect(res.json.accepted).toBe(2);
    await eventually(async () => {
      expect((await call('GET', '/v1/customers/27820000102', keys.channelKey)).json.state.dataUsedPct).toBe(85);
      expect(outbound('sms').filter((m) => m.customerId === '27820000101')).toHaveLength(1);
    });
    expect(outbound('sms').filter((m) => m.customerId === '27820000102')).toEqual([]);
    expect(outbound('sms')[0]).toMatchObject({
      actionId: 'bigger-bundle-offer',
      reason: { type: 'trigger', id: 'data-80-percent' },
    });
  });

  it('answers a bad envelope with 400 problem+json and lists the demo triggers', async () => {
    const { call, keys } = h;
    expect((await call('POST', '/v1/events', keys.channelKey, { events: [] })).status).toBe(400);
    const triggers = await call('GET', '/v1/triggers', keys.apiKey);
    expect(triggers.json.items.map((t: { triggerId: string }) => t.triggerId).sort()).toEqual([
      'data-80-percent',
      'third-dropped-call',
    ]);
  });
});

describe('quiet hours', () => {
  it('holds a message due at 23:00 local time until 08:00: nothing reaches the channel before', async () => {
    const h = await runtimeAt('2026-03-02T21:00:00Z'); // 23:00 SAST
    let stopped = false;
    try {
      const { call, keys, at, outbound, eventually } = h;
      await call('PUT', '/v1/customers/27820000200', keys.apiKey, { consent: { 'call-centre': true } });
      await call('POST', '/v1/events', keys.channelKey, {
        events: [1, 2, 3].map((i) => ({
          eventId: `late-${i}`,
          customerId: '27820000200',
          type: 'network.call_dropped',
          occurredAt: at(i),
          data: {},
        })),
      });
      await eventually(async () => {
        const got = await call('GET', '/v1/customers/27820000200', keys.channelKey);
        expect(got.json.state.droppedCalls24h).toBe(3);
      });
      await new Promise((r) => setTimeout(r, 1000));
      expect(outbound('call-centre')).toEqual([]);
      // the sender holds it on the tenant's outbound queue, which the runtime saves when it stops
      await h.rt.interrupt();
      stopped = true;
      const saved = JSON.parse(
        readFileSync(join(h.rt.dir, 'queues', 'cvm-demo-dev-consumer-outbound.json'), 'utf8'),
      ) as { body: string }[];
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
