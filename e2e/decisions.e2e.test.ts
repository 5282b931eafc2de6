import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { experimentGroup } from '#domain/decisioning/experiments.ts';
import { loadMarket } from '#config/markets/index.ts';
import { startLocal, type StartedRuntime } from './local-runtime.ts';

let rt: StartedRuntime;
let base: string;
let consumer: { apiKey: string; channelKey: string };
let enterprise: { apiKey: string; channelKey: string };
const experiments = loadMarket('demo').decisioning.experiments;

beforeAll(async () => {
  // 10:00 in Johannesburg: outside quiet hours
  rt = await startLocal({ CVM_NOW: '2025-03-12T08:00:00Z' });
  base = rt.info.baseUrl;
  consumer = rt.info.tenants['consumer']!;
  enterprise = rt.info.tenants['enterprise']!;
});

afterAll(async () => {
  if (rt && rt.child.exitCode === null) await rt.interrupt();
});

const req = async (method: string, path: string, key: string, body?: unknown) => {
  const res = await fetch(base + path, {
    method,
    headers: { 'x-api-key': key, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
};
const idIn = (group: string, prefix: string) => {
  for (let i = 0; ; i++)
    if (experimentGroup('consumer', `${prefix}${i}`, experiments) === group) return `${prefix}${i}`;
};
const profile = {
  segment: 'youth',
  tenureMonths: 30,
  monthlyCharge: 85,
  contract: 'month-to-month',
  products: ['phone', 'internet-fiber'],
  language: 'en',
  consent: { app: true, sms: true, ussd: true, 'call-centre': true },
};

describe('decisions over HTTP on the local runtime', () => {
  it('serves the seeded demo catalog to the admin key', async () => {
    const list = await req('GET', '/v1/actions', consumer.apiKey);
    expect(list.status).toBe(200);
    expect(list.json.items.map((a: { actionId: string }) => a.actionId)).toEqual(
      expect.arrayContaining(['care-health-check-call', 'bigger-bundle-offer', 'network-fix-info']),
    );
  });

  it('does not bring a declined offer back within the suppression window', async () => {
    const id = idIn('champion', '2782100');
    expect((await req('PUT', `/v1/customers/${id}`, consumer.apiKey, profile)).status).toBe(201);
    const first = await req('POST', '/v1/decisions', consumer.channelKey, { customerId: id, channel: 'app', limit: 1 });
    expect(first.status).toBe(200);
    const offered = first.json.actions[0].actionId;
    const declined = await req(
      'POST',
      `/v1/decisions/${encodeURIComponent(first.json.decisionId)}/responses`,
      consumer.channelKey,
      { actionId: offered, response: 'declined' },
    );
    expect(declined.json).toMatchObject({ duplicate: false, response: 'declined' });
    const again = await req('POST', '/v1/decisions', consumer.channelKey, {
      customerId: id,
      channel: 'app',
      limit: 10,
    });
    expect(again.json.actions.map((a: { actionId: string }) => a.actionId)).not.toContain(offered);
    expect(again.json.excluded.concat([]).length).toBeGreaterThan(0);
  });

  it('gives control customers no actions', async () => {
    const id = idIn('control', '2782200');
    await req('PUT', `/v1/customers/${id}`, consumer.apiKey, profile);
    const d = await req('POST', '/v1/decisions', consumer.channelKey, { customerId: id, channel: 'app' });
    expect(d.json).toMatchObject({
      actions: [],
      experiment: { group: 'control' },
      reasons: [{ code: 'control-group' }],
    });
  });

  it("answers 404 to the other tenant's key", async () => {
    const id = idIn('champion', '2782300');
    await req('PUT', `/v1/customers/${id}`, consumer.apiKey, profile);
    const d = await req('POST', '/v1/decisions', consumer.channelKey, { customerId: id, channel: 'app' });
    expect((await req('POST', '/v1/decisions', enterprise.channelKey, { customerId: id, channel: 'app' })).status).toBe(
      404,
    );
    const foreign = await req(
      'POST',
      `/v1/decisions/${encodeURIComponent(d.json.decisionId)}/responses`,
      enterprise.channelKey,
      { actionId: d.json.actions[0].actionId, response: 'accepted' },
    );
    expect(foreign.status).toBe(404);
    expect((await req('GET', '/v1/actions/device-upgrade', enterprise.apiKey)).status).toBe(200);
  });

  it('shows the call centre the health check before any offer after three dropped calls', async () => {
    const id = idIn('champion', '2782400');
    await req('PUT', `/v1/customers/${id}`, consumer.apiKey, profile);
    const events = [0, 1, 2].map((i) => ({
      eventId: `drop-${id}-${i}`,
      customerId: id,
      type: 'network.call_dropped',
      occurredAt: new Date(Date.parse('2025-03-12T07:50:00Z') + i * 60_000).toISOString(),
      data: {},
    }));
    expect((await req('POST', '/v1/events', consumer.channelKey, { events })).status).toBe(202);
    let d: { json: { actions: { actionId: string; kind: string }[] } } | undefined;
    for (let i = 0; i < 60; i++) {
      d = await req('POST', '/v1/decisions', consumer.channelKey, { customerId: id, channel: 'call-centre' });
      if (d.json.actions[0]?.actionId === 'care-health-check-call') break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(d!.json.actions[0]!.actionId).toBe('care-health-check-call');
    expect(d!.json.actions.every((a) => a.kind !== 'offer')).toBe(true);
  });
});
