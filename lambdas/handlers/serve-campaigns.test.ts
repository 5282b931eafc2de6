import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoActionCatalog } from '#adapters/dynamo/action-catalog.ts';
import { documentClient } from '#adapters/dynamo/client.ts';
import { DynamoCustomerRepo } from '#adapters/dynamo/customer-repo.ts';
import type { Caller } from '#domain/api-key.ts';
import type { Action } from '#domain/action.ts';
import type { CustomerRecord } from '#domain/customer.ts';
import { decisioningSettingsOf } from '#config/decisioning-settings.ts';
import { loadMarket } from '#config/markets/index.ts';
import { invoker, type Invoke } from '../test-support/api-event.ts';
import { testTables, type TestTables } from '../test-support/dynamo.ts';

const NOW = '2025-03-12T08:00:00.000Z';
const acme: Caller = { tenant: 'acme', scope: 'admin', keyId: 'acme-admin' };
const acmeChannel: Caller = { tenant: 'acme', scope: 'channel', keyId: 'acme-channel' };
const globex: Caller = { tenant: 'globex', scope: 'admin', keyId: 'globex-admin' };
const offer: Action = {
  actionId: 'api-offer',
  name: 'Bundle',
  kind: 'offer',
  treatments: { sms: { templateKey: 'b', text: { en: 'Bundle' } } },
  eligibility: true,
  propensity: { starting: 0.2 },
  value: 10,
  lever: 1,
  limits: { perCustomer: [] },
};
const body = {
  name: 'Churn save',
  goal: 'take-up',
  audience: { rule: { '<': [{ var: 'profile.tenureMonths' }, 12] } },
  actionIds: ['api-offer'],
  channel: 'sms',
  controlGroupPercent: 20,
  pilot: { percent: 50, minUplift: 2 },
  responseWindow: 'P7D',
};

let t: TestTables;
let call: Invoke;

beforeAll(async () => {
  t = await testTables();
  Object.assign(process.env, t.env, {
    DECISIONING: JSON.stringify(decisioningSettingsOf(loadMarket('demo'))),
    CVM_NOW: NOW,
    CVM_TIME_SCALE: '100000000',
    CVM_LOCAL_DIR: mkdtempSync(join(tmpdir(), 'cvm-campaigns-api-')),
    CAMPAIGN_SEGMENTS: '2',
    CAMPAIGN_SHARDS: '2',
  });
  const db = documentClient({ endpoint: t.endpoint });
  await new DynamoActionCatalog(db, (tn) => t.tenantTables[tn]!).put('acme', offer);
  const records = Array.from(
    { length: 40 },
    (_, i) =>
      ({
        customerId: `api-${i}`,
        segment: 'youth',
        tariff: 't',
        tenureMonths: i,
        monthlyCharge: 50,
        contract: 'prepaid',
        products: [],
        language: 'en',
        consent: { sms: i % 4 !== 0 },
        attributes: {},
        version: 1,
        createdAt: NOW,
        updatedAt: NOW,
      }) as unknown as CustomerRecord,
  );
  await new DynamoCustomerRepo(db, (tn) => t.tenantTables[tn]!).saveMany('acme', records);
  call = invoker((await import('./serve-campaigns.ts')).handler as never);
});

describe('the campaigns API', () => {
  it('previews audience, groups, suppression by policy and cost without contacting anyone', async () => {
    const res = await call({ method: 'POST', path: '/v1/campaigns/preview', body, caller: acme });
    expect(res.status, res.raw).toBe(200);
    expect(res.json.audience).toBe(12);
    expect(res.json.control + res.json.treatment).toBe(12);
    const noConsent = Array.from({ length: 12 }, (_, i) => i).filter((i) => i % 4 === 0).length;
    expect(res.json.suppressedByPolicy['no-consent'] ?? 0).toBeLessThanOrEqual(noConsent);
    expect(res.json.estimatedCost.usd).toBeGreaterThanOrEqual(0);
  });

  it('refuses a campaign whose fields are out of range, naming each field', async () => {
    const bad = { ...body, controlGroupPercent: 120, pilot: { percent: -1, minUplift: 2 }, responseWindow: '7 days' };
    const res = await call({ method: 'POST', path: '/v1/campaigns', body: bad, caller: acme });
    expect(res.status).toBe(400);
    const fields = (res.json.errors as { field: string }[]).map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['controlGroupPercent', 'pilot.percent', 'responseWindow']));
  });

  it('refuses a budget without a limit and a pilot rule the rule language refuses, naming each', async () => {
    for (const [over, field] of [
      [{ budget: 10 }, 'budget'],
      [{ budget: {} }, 'budget'],
      [{ budget: { maxContacts: 0 } }, 'budget.maxContacts'],
      [{ pilot: { where: { log: [{ var: 'profile' }] }, minUplift: 1 } }, 'pilot'],
    ] as const) {
      const res = await call({ method: 'POST', path: '/v1/campaigns', body: { ...body, ...over }, caller: acme });
      expect(res.status, JSON.stringify(over)).toBe(400);
      expect((res.json.errors as { field: string }[]).map((e) => e.field).join(' ')).toContain(field);
    }
  });

  it('refuses actions that are not in the catalog, naming actionIds', async () => {
    const res = await call({
      method: 'POST',
      path: '/v1/campaigns',
      body: { ...body, actionIds: ['api-offer', 'nope'] },
      caller: acme,
    });
    expect(res.status).toBe(400);
    expect(res.json.errors[0].field).toBe('actionIds.1');
  });

  it('needs an admin key', async () => {
    expect((await call({ method: 'GET', path: '/v1/campaigns', caller: acmeChannel })).status).toBe(403);
  });

  it('starts a campaign (202), shows it, lists it, hides it from other tenants, and reports as CSV', async () => {
    const res = await call({ method: 'POST', path: '/v1/campaigns', body, caller: acme });
    expect(res.status, res.raw).toBe(202);
    const { campaignId } = res.json;
    expect(res.json.status).toBe('running');
    expect((await call({ method: 'GET', path: `/v1/campaigns/${campaignId}`, caller: globex })).status).toBe(404);
    const listed = await call({ method: 'GET', path: '/v1/campaigns', caller: acme });
    expect(listed.json.items.map((c: { campaignId: string }) => c.campaignId)).toContain(campaignId);
    let got = await call({ method: 'GET', path: `/v1/campaigns/${campaignId}`, caller: acme });
    for (let i = 0; i < 100 && !['succeeded', 'stopped', 'failed'].includes(got.json.status); i++) {
      await new Promise((r) => setTimeout(r, 200));
      got = await call({ method: 'GET', path: `/v1/campaigns/${campaignId}`, caller: acme });
    }
    expect(['succeeded', 'stopped']).toContain(got.json.status);
    expect(got.json.report.phases.pilot).toBeDefined();
    const csv = await call({
      method: 'GET',
      path: `/v1/campaigns/${campaignId}`,
      caller: acme,
      headers: { accept: 'text/csv' },
    });
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.raw.split('\r\n')[0]).toMatch(/^phase,group,audience,contacted/);
    // a finished campaign cannot be paused
    expect((await call({ method: 'POST', path: `/v1/campaigns/${campaignId}/pause`, caller: acme })).status).toBe(409);
  }, 30_000);

  it('answers 404 for pause, resume and cancel of an unknown campaign', async () => {
    for (const move of ['pause', 'resume', 'cancel']) {
      expect((await call({ method: 'POST', path: `/v1/campaigns/nope/${move}`, caller: acme })).status).toBe(404);
    }
  });
});
