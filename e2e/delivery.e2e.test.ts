import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSignatureHeader, verifySignature } from '../lambdas/domain/delivery/signature.ts';
import { expectAnswer } from '../scripts/lib/api/api-client.ts';
import { startLocal, type StartedRuntime } from '../scripts/local/npm-start.ts';
import { type TenantApi, tenantApi } from './support/tenant-api.ts';

/**
 * Delivery on the local runtime, against a gateway (the sink) this test runs on 127.0.0.1. The
 * platform clock starts at 07:59:45 in Johannesburg, in quiet hours: every message the setup makes
 * is held until 08:00, when the scenarios play out at once. Retry waits are divided by 100.
 */
const START = '2026-03-03T05:59:45Z';
const EIGHT_AM = Date.parse('2026-03-03T06:00:00Z') / 1000;

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: Record<string, any>;
}

let sink: Server;
let sinkUrl: string;
const received: Received[] = [];
let rt: StartedRuntime;
const secrets: Record<string, string> = {};

const api: Record<string, TenantApi> = {};
const at = (minutesAgo: number) => new Date(Date.parse(START) - minutesAgo * 60_000).toISOString();
const to = (path: string, customerId?: string) =>
  received.filter((r) => r.path === path && (!customerId || r.json['customerId'] === customerId));
/** Polls until `check` holds, at most `ms`. */
async function eventually<T>(check: () => T, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function connect(tenant: string, channel: 'sms' | 'call-centre', path: string) {
  const res = await api[tenant]!.admin.put('/v1/channels/{channel}', {
    path: { channel },
    body: { type: 'webhook', url: `${sinkUrl}${path}`, timeoutMs: 2000 },
  });
  const { secret } = expectAnswer(res, 201).json;
  // a webhook connection is always written with its signing secret
  if (secret === undefined) throw new Error(`no secret for the ${channel} webhook of ${tenant}`);
  secrets[`${tenant}/${channel}`] = secret;
}

async function customer(tenant: string, id: string, consent: Record<string, boolean>) {
  const res = await api[tenant]!.admin.put('/v1/customers/{customerId}', {
    path: { customerId: id },
    body: { segment: 'youth', consent },
  });
  expect([200, 201]).toContain(res.status);
}

const dataAt85 = (id: string, n = 1) => ({
  eventId: `data-${id}-${n}`,
  customerId: id,
  type: 'usage.data' as const,
  occurredAt: at(1),
  data: { usedMb: 850, bundleMb: 1000 },
});
const droppedCalls = (id: string) =>
  [1, 2, 3].map((i) => ({
    eventId: `dc-${id}-${i}`,
    customerId: id,
    type: 'network.call_dropped' as const,
    occurredAt: at(10 * i),
    data: {},
  }));

beforeAll(async () => {
  sink = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body, json: JSON.parse(body) });
      res.writeHead(req.url === '/fail' ? 500 : 200).end();
    });
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
  rt = await startLocal({ CVM_NOW: START, CVM_TIME_SCALE: '100' });
  for (const tenant of ['consumer', 'enterprise']) api[tenant] = tenantApi(rt, tenant);

  // consumer: SMS offers to the sink, call-centre to a gateway that always fails
  await connect('consumer', 'sms', '/sms');
  await connect('consumer', 'call-centre', '/fail');
  await customer('consumer', 'quiet-1', { sms: true });
  await customer('consumer', 'quiet-2', { sms: true });
  await customer('consumer', 'failing-1', { 'call-centre': true });
  // enterprise: five calls a day, two a second (demo market config), seven customers asking
  await connect('enterprise', 'call-centre', '/enterprise');
  const many = Array.from({ length: 7 }, (_, i) => `cap-${i}`);
  for (const id of many) await customer('enterprise', id, { 'call-centre': true });

  const consumer = await api['consumer']!.channel.post('/v1/events', {
    body: { events: [dataAt85('quiet-1'), dataAt85('quiet-2'), ...droppedCalls('failing-1')] },
  });
  expect(expectAnswer(consumer, 202).json).toEqual({ accepted: 5, rejected: [] });
  const enterprise = await api['enterprise']!.channel.post('/v1/events', {
    body: { events: many.flatMap(droppedCalls) },
  });
  expect(expectAnswer(enterprise, 202).json.accepted).toBe(21);
  // the firings are written with the state: wait for the events to apply, then quiet-2 opts out before 08:00
  for (const [tenant, id] of [
    ['consumer', 'quiet-2'],
    ['consumer', 'failing-1'],
    ['enterprise', 'cap-6'],
  ] as const) {
    for (let i = 0; ; i++) {
      const read = await api[tenant]!.admin.get('/v1/customers/{customerId}', { path: { customerId: id } });
      const { state } = expectAnswer(read, 200).json;
      if (state?.dataUsedPct === 85 || state?.droppedCalls24h === 3) break;
      if (i > 100) throw new Error(`${id}'s events were not applied`);
      await settle(100);
    }
  }
  await customer('consumer', 'quiet-2', { sms: false });
});

afterAll(async () => {
  if (rt && rt.child.exitCode === null) await rt.interrupt();
  sink?.closeAllConnections();
  await new Promise((r) => sink?.close(r));
});

describe('delivery to a webhook, on the local runtime', () => {
  it('holds a marketing SMS made in quiet hours until 08:00 on the platform clock, then sends it exactly once, signed', async () => {
    const [got] = await eventually(() => {
      const sms = to('/sms', 'quiet-1');
      expect(sms).toHaveLength(1);
      return sms;
    });
    // made before 08:00 and held: the setup ran inside quiet hours
    expect(Date.parse(got!.json['createdAt'])).toBeLessThan(EIGHT_AM * 1000);
    expect(got!.json).toMatchObject({ channel: 'sms', actionId: 'bigger-bundle-offer', segments: 1 });
    // due at 08:00 (the trigger rounds the deferral to a whole second, which may be 08:00:01)
    expect(['2026-03-03T06:00:00.000Z', '2026-03-03T06:00:01.000Z']).toContain(got!.json['sendAfter']);
    expect(got!.headers['content-type']).toBe('application/json');
    expect(got!.headers['x-cvm-message-id']).toBe(got!.json['messageId']);
    const signature = String(got!.headers['x-cvm-signature']);
    const { t } = parseSignatureHeader(signature)!;
    expect(t).toBeGreaterThanOrEqual(Date.parse(got!.json['sendAfter']) / 1000);
    expect(t).toBeGreaterThanOrEqual(EIGHT_AM);
    expect(verifySignature(signature, got!.body, secrets['consumer/sms']!, { now: new Date(t * 1000) })).toBe(true);
    await settle(1500);
    expect(to('/sms', 'quiet-1')).toHaveLength(1);
  });

  it('sends nothing to a customer who opted out while the message was held', async () => {
    // both were due at 08:00 in the same batch; the test above waited 1.5 s past quiet-1's arrival
    await eventually(() => expect(to('/sms', 'quiet-1')).toHaveLength(1));
    expect(to('/sms', 'quiet-2')).toEqual([]);
  });

  it("retries a gateway's 500 with backoff, five attempts in all, then leaves the message in the tenant's outbound DLQ", async () => {
    const dlq = join(rt.dir, 'dlq', 'cvm-demo-dev-consumer-outbound-dlq.jsonl');
    const [line] = await eventually(() => {
      expect(existsSync(dlq)).toBe(true);
      const lines = readFileSync(dlq, 'utf8').split('\n').filter(Boolean);
      expect(lines).toHaveLength(1);
      return lines.map((l) => JSON.parse(l) as { body: string; receiveCount: number });
    }, 60_000);
    const message = JSON.parse(line!.body);
    expect(message).toMatchObject({ customerId: 'failing-1', channel: 'call-centre' });
    const attempts = to('/fail', 'failing-1');
    expect(attempts).toHaveLength(5);
    expect(new Set(attempts.map((a) => a.json['messageId']))).toEqual(new Set([message.messageId]));
    // the waits double: each gap at least the backoff (30 s, 1, 2, 4 min), divided by 100
    const times = attempts.map((a) => parseSignatureHeader(String(a.headers['x-cvm-signature']))!.t);
    expect(times[4]! - times[0]!).toBeGreaterThanOrEqual(3);
  });

  it("keeps the enterprise unit's call-centre capacity: five calls today, at most two a second", async () => {
    await eventually(() => expect(to('/enterprise')).toHaveLength(5));
    await settle(1500); // the other two are deferred to tomorrow's 08:00: none comes now
    const calls = to('/enterprise');
    expect(calls).toHaveLength(5);
    const perSecond = new Map<number, number>();
    for (const c of calls) {
      const { t } = parseSignatureHeader(String(c.headers['x-cvm-signature']))!;
      perSecond.set(t, (perSecond.get(t) ?? 0) + 1);
    }
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(2);
    expect(new Set(calls.map((c) => c.json['customerId'])).size).toBe(5);
  });

  it('signs with both secrets while a rotation overlaps', async () => {
    const rotated = expectAnswer(
      await api['consumer']!.admin.post('/v1/channels/{channel}/rotate-secret', { path: { channel: 'sms' } }),
      200,
    );
    await settle(1200); // the sender caches a connection for a second locally
    await customer('consumer', 'rotated-1', { sms: true });
    expectAnswer(await api['consumer']!.channel.post('/v1/events', { body: { events: [dataAt85('rotated-1')] } }), 202);
    const [got] = await eventually(() => {
      const sms = to('/sms', 'rotated-1');
      expect(sms).toHaveLength(1);
      return sms;
    });
    const signature = String(got!.headers['x-cvm-signature']);
    const { t, v1 } = parseSignatureHeader(signature)!;
    expect(v1).toHaveLength(2);
    for (const secret of [rotated.json.secret, secrets['consumer/sms']!])
      expect(verifySignature(signature, got!.body, secret, { now: new Date(t * 1000) })).toBe(true);
  });
});
