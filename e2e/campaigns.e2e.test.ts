import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocal, type StartedRuntime } from './local-runtime.ts';

let rt: StartedRuntime;
let base: string;
let consumer: { apiKey: string; channelKey: string };
let enterprise: { apiKey: string; channelKey: string };

beforeAll(async () => {
  // 10:00 in Johannesburg (outside quiet hours); a 7-day response window passes in well under a second
  rt = await startLocal({ CVM_NOW: '2025-03-12T08:00:00Z', CVM_TIME_SCALE: '10000000' });
  base = rt.info.baseUrl;
  consumer = rt.info.tenants['consumer']!;
  enterprise = rt.info.tenants['enterprise']!;
});

afterAll(async () => {
  if (rt && rt.child.exitCode === null) await rt.interrupt();
});

const req = async (method: string, path: string, key: string, body?: unknown, accept = 'application/json') => {
  const res = await fetch(base + path, {
    method,
    headers: { 'x-api-key': key, 'content-type': 'application/json', accept },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    text,
    json: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined,
  };
};

describe('campaigns over HTTP on the local runtime', () => {
  it('runs a campaign from create to a final status with a report, contacting only treatment customers', async () => {
    await Promise.all(
      Array.from({ length: 80 }, (_, i) =>
        req('PUT', `/v1/customers/cmp-e2e-${i}`, consumer.apiKey, {
          segment: 'youth',
          tenureMonths: 6,
          monthlyCharge: 60,
          contract: 'prepaid',
          products: ['phone'],
          language: 'en',
          consent: { sms: true },
        }),
      ),
    );
    const spec = {
      name: 'e2e bundle',
      goal: 'take-up',
      audience: { rule: { '==': [{ var: 'profile.contract' }, 'prepaid'] } },
      actionIds: ['bundle-upgrade-10gb'],
      channel: 'sms',
      controlGroupPercent: 25,
      pilot: { percent: 50, minUplift: 1 },
      responseWindow: 'P7D',
    };
    const preview = await req('POST', '/v1/campaigns/preview', consumer.apiKey, spec);
    expect(preview.status, preview.text).toBe(200);
    expect(preview.json.audience).toBeGreaterThanOrEqual(80);

    const created = await req('POST', '/v1/campaigns', consumer.apiKey, spec);
    expect(created.status, created.text).toBe(202);
    const { campaignId } = created.json;
    expect((await req('GET', `/v1/campaigns/${campaignId}`, enterprise.apiKey)).status).toBe(404);

    let got = await req('GET', `/v1/campaigns/${campaignId}`, consumer.apiKey);
    const deadline = Date.now() + 25_000;
    while (!['succeeded', 'stopped', 'failed', 'cancelled'].includes(got.json.status) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      got = await req('GET', `/v1/campaigns/${campaignId}`, consumer.apiKey);
    }
    expect(['succeeded', 'stopped'], JSON.stringify(got.json)).toContain(got.json.status);
    const pilot = got.json.report.phases.pilot;
    expect(pilot.control.audience + pilot.treatment.audience).toBe(got.json.counts.pilot);
    expect(pilot.control.contacted).toBe(0);
    const csv = await req('GET', `/v1/campaigns/${campaignId}`, consumer.apiKey, undefined, 'text/csv');
    expect(csv.text.startsWith('phase,group,audience')).toBe(true);

    const file = join(rt.dir, 'outbound', 'sms.jsonl');
    const lines = existsSync(file)
      ? readFileSync(file, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l))
          .filter((m) => m.reason?.id === campaignId)
      : [];
    expect(lines.length).toBe(got.json.report.total.treatment.contacted);
    expect(new Set(lines.map((m) => m.customerId)).size).toBe(lines.length);
  }, 60_000);
});
