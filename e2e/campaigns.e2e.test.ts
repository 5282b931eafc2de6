import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAnswer } from '../scripts/lib/api/api-client.ts';
import { startLocal, type StartedRuntime } from '../scripts/local/npm-start.ts';
import { type TenantApi, tenantApi } from './support/tenant-api.ts';

let rt: StartedRuntime;
let consumer: TenantApi;
let enterprise: TenantApi;

beforeAll(async () => {
  // 10:00 in Johannesburg (outside quiet hours); a 7-day response window passes in well under a second
  rt = await startLocal({ CVM_NOW: '2025-03-12T08:00:00Z', CVM_TIME_SCALE: '10000000' });
  consumer = tenantApi(rt, 'consumer');
  enterprise = tenantApi(rt, 'enterprise');
});

afterAll(async () => {
  if (rt && rt.child.exitCode === null) await rt.interrupt();
});

describe('campaigns over HTTP on the local runtime', () => {
  it('runs a campaign from create to a final status with a report, contacting only treatment customers', async () => {
    await Promise.all(
      Array.from({ length: 80 }, (_, i) =>
        consumer.admin.put('/v1/customers/{customerId}', {
          path: { customerId: `cmp-e2e-${i}` },
          body: {
            segment: 'youth',
            tenureMonths: 6,
            monthlyCharge: 60,
            contract: 'prepaid',
            products: ['phone'],
            language: 'en',
            consent: { sms: true },
          },
        }),
      ),
    );
    const spec = {
      name: 'e2e bundle',
      goal: 'take-up' as const,
      audience: { rule: { '==': [{ var: 'profile.contract' }, 'prepaid'] } },
      actionIds: ['bundle-upgrade-10gb'],
      channel: 'sms' as const,
      controlGroupPercent: 25,
      pilot: { percent: 50, minUplift: 1 },
      responseWindow: 'P7D',
    };
    const preview = expectAnswer(await consumer.admin.post('/v1/campaigns/preview', { body: spec }), 200);
    expect(preview.json.audience).toBeGreaterThanOrEqual(80);

    const created = expectAnswer(await consumer.admin.post('/v1/campaigns', { body: spec }), 202);
    const campaign = { path: { campaignId: created.json.campaignId } };
    const campaignId = created.json.campaignId;
    expect((await enterprise.admin.get('/v1/campaigns/{campaignId}', campaign)).status).toBe(404);

    const read = async () => expectAnswer(await consumer.admin.get('/v1/campaigns/{campaignId}', campaign), 200).json;
    let got = await read();
    const deadline = Date.now() + 25_000;
    while (!['succeeded', 'stopped', 'failed', 'cancelled'].includes(got.status) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      got = await read();
    }
    expect(['succeeded', 'stopped'], JSON.stringify(got)).toContain(got.status);
    const pilot = got.report!.phases.pilot!;
    expect(pilot.control.audience + pilot.treatment.audience).toBe(got.counts!['pilot']);
    expect(pilot.control.contacted).toBe(0);
    const csv = await consumer.admin.get('/v1/campaigns/{campaignId}', { ...campaign, accept: 'text/csv' });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.text.startsWith('phase,group,audience')).toBe(true);

    const file = join(rt.dir, 'outbound', 'sms.jsonl');
    const lines = existsSync(file)
      ? readFileSync(file, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l))
          .filter((m) => m.reason?.id === campaignId)
      : [];
    expect(lines.length).toBe(got.report!.total.treatment.contacted);
    expect(new Set(lines.map((m) => m.customerId)).size).toBe(lines.length);
  }, 60_000);

  it('stops a campaign with a budget of 10 contacts at exactly 10, with the budget as its reason', async () => {
    await Promise.all(
      Array.from({ length: 80 }, (_, i) =>
        consumer.admin.put('/v1/customers/{customerId}', {
          path: { customerId: `cmp-budget-${i}` },
          body: {
            segment: 'budget-e2e',
            tenureMonths: 6,
            contract: 'prepaid',
            language: 'en',
            consent: { sms: true },
          },
        }),
      ),
    );
    const created = expectAnswer(
      await consumer.admin.post('/v1/campaigns', {
        body: {
          name: 'e2e budget',
          goal: 'take-up',
          audience: { rule: { '==': [{ var: 'profile.segment' }, 'budget-e2e'] } },
          actionIds: ['bundle-upgrade-10gb'],
          channel: 'sms',
          controlGroupPercent: 20,
          pilot: { percent: 100, minUplift: 1 },
          responseWindow: 'P7D',
          budget: { maxContacts: 10 },
        },
      }),
      202,
    );
    const campaign = { path: { campaignId: created.json.campaignId } };
    const read = async () => expectAnswer(await consumer.admin.get('/v1/campaigns/{campaignId}', campaign), 200).json;
    let got = await read();
    const deadline = Date.now() + 25_000;
    while (!['succeeded', 'stopped', 'failed', 'cancelled'].includes(got.status) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      got = await read();
    }
    expect(got.status, JSON.stringify(got)).toBe('stopped');
    expect(got.reason).toBe('budget.maxContacts');
    expect(got.budget).toEqual({ maxContacts: 10 });
    expect(got.spent?.contacts).toBe(10);
    expect(got.report!.total.treatment.contacted).toBe(10);
    const file = join(rt.dir, 'outbound', 'sms.jsonl');
    const lines = readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .filter((m) => m.reason?.id === created.json.campaignId);
    expect(lines.length).toBe(10);
  }, 60_000);
});
