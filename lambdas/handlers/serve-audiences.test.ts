import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoActionCatalog } from '#adapters/dynamo/action-catalog.ts';
import { DynamoAudienceMemberships } from '#adapters/dynamo/audience-memberships.ts';
import { DynamoAudienceStore } from '#adapters/dynamo/audience-store.ts';
import { documentClient } from '#adapters/dynamo/client.ts';
import { DynamoCustomerRepo } from '#adapters/dynamo/customer-repo.ts';
import { localUploadSecret, receiveUpload } from '#adapters/local/local-uploads.ts';
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
  actionId: 'aud-offer',
  name: 'Bundle',
  kind: 'offer',
  treatments: { sms: { templateKey: 'b', text: { en: 'Bundle' } } },
  eligibility: true,
  propensity: { starting: 0.2 },
  value: 10,
  lever: 1,
  limits: { perCustomer: [] },
};
const LISTED = 2000;
const ERASED = ['u-7', 'u-700', 'u-1999'];

let t: TestTables;
let dir: string;
let call: Invoke;
let customersCall: Invoke;

async function upload(uploadUrl: string, text: string) {
  const token = new URL(uploadUrl).pathname.split('/').at(-1)!;
  return receiveUpload(
    dir,
    localUploadSecret(dir),
    token,
    (async function* () {
      yield Buffer.from(text);
    })(),
    // the platform clock the signing function reads (CVM_NOW)
    new Date(NOW),
  );
}

async function readyAudience(caller: Caller, text: string): Promise<string> {
  const created = await call({ method: 'POST', path: '/v1/audiences', caller });
  expect(created.status, created.raw).toBe(201);
  expect((await upload(created.json.uploadUrl, text)).status).toBe(200);
  let got = await call({ method: 'GET', path: `/v1/audiences/${created.json.audienceId}`, caller });
  for (let i = 0; i < 20 && got.json.status === 'processing'; i++)
    got = await call({ method: 'GET', path: `/v1/audiences/${created.json.audienceId}`, caller });
  expect(got.json.status, got.raw).toBe('ready');
  return created.json.audienceId;
}

beforeAll(async () => {
  t = await testTables();
  dir = mkdtempSync(join(tmpdir(), 'cvm-audiences-api-'));
  // the local runtime's address, as it writes it once it listens
  writeFileSync(join(dir, 'runtime.json'), JSON.stringify({ baseUrl: 'http://127.0.0.1:3999' }));
  Object.assign(process.env, t.env, {
    DECISIONING: JSON.stringify(decisioningSettingsOf(loadMarket('demo'))),
    CVM_NOW: NOW,
    CVM_TIME_SCALE: '100000000',
    CVM_LOCAL_DIR: dir,
    CAMPAIGN_SEGMENTS: '4',
    CAMPAIGN_SHARDS: '2',
  });
  const db = documentClient({ endpoint: t.endpoint });
  await new DynamoActionCatalog(db, (tn) => t.tenantTables[tn]!).put('acme', offer);
  const repo = new DynamoCustomerRepo(db, (tn) => t.tenantTables[tn]!);
  await repo.saveMany(
    'acme',
    Array.from(
      { length: LISTED },
      (_, i) =>
        ({
          customerId: `u-${i}`,
          segment: 'youth',
          tariff: 't',
          tenureMonths: i % 48,
          monthlyCharge: 50,
          contract: 'prepaid',
          products: [],
          language: 'en',
          consent: { sms: true },
          attributes: {},
          version: 1,
          createdAt: NOW,
          updatedAt: NOW,
        }) as unknown as CustomerRecord,
    ),
  );
  for (const id of ERASED) await repo.erase('acme', id, new Date(NOW));
  // each path to the function the stack integrates it with: audiences and campaigns are two functions
  const audiences = invoker((await import('./serve-audiences.ts')).handler as never);
  const campaigns = invoker((await import('./serve-campaigns.ts')).handler as never);
  call = (req) => (req.path.startsWith('/v1/audiences') ? audiences(req) : campaigns(req));
  customersCall = invoker((await import('./serve-customers.ts')).handler as never);
});

describe('uploaded audiences through the API', () => {
  it('runs a campaign on a 2,000-id upload: erased and unknown ids are nobody, groups as any audience', async () => {
    const ids = Array.from({ length: LISTED }, (_, i) => `u-${i}`);
    const text = ['customerId', ...ids, 'nobody-1', 'nobody-2', 'not an id', ...ids.slice(0, 5), ''].join('\n');
    const audienceId = await readyAudience(acme, text);
    const view = await call({ method: 'GET', path: `/v1/audiences/${audienceId}`, caller: acme });
    expect(view.json).toMatchObject({ status: 'ready', size: LISTED + 2, rejected: 1, rejectedLines: [2004] });

    const body = {
      name: 'Uploaded',
      goal: 'take-up',
      audience: { audienceId },
      actionIds: ['aud-offer'],
      channel: 'sms',
      controlGroupPercent: 95,
      // a small pilot: its measurement reads each pilot member's state
      pilot: { percent: 10, minUplift: 99 },
      responseWindow: 'P1D',
    };
    const started = await call({ method: 'POST', path: '/v1/campaigns', body, caller: acme });
    expect(started.status, started.raw).toBe(202);
    let got = await call({ method: 'GET', path: `/v1/campaigns/${started.json.campaignId}`, caller: acme });
    for (let i = 0; i < 150 && !['succeeded', 'stopped', 'failed'].includes(got.json.status); i++) {
      await new Promise((r) => setTimeout(r, 200));
      got = await call({ method: 'GET', path: `/v1/campaigns/${started.json.campaignId}`, caller: acme });
    }
    // a pilot that does not clear its (unreachable) minUplift ends the run
    expect(got.json.status, got.raw).toBe('stopped');
    expect(got.json.counts.audience).toBe(LISTED - ERASED.length);
    expect(got.json.counts.control + got.json.counts.treatment).toBe(LISTED - ERASED.length);
    // the same sticky 95% control draw as every audience's
    expect(got.json.counts.control / got.json.counts.audience).toBeGreaterThan(0.92);
    expect(got.json.phases.pilot.contacted).toBeGreaterThan(0);

    // export names the audience; erasure takes the customer out of it
    const exported = await customersCall({ method: 'GET', path: '/v1/customers/u-5/export', caller: acme });
    expect(exported.json.audiences).toEqual([audienceId]);
    expect((await customersCall({ method: 'DELETE', path: '/v1/customers/u-5', caller: acme })).status).toBe(204);
    const db = documentClient({ endpoint: t.endpoint });
    const audiences = new DynamoAudienceStore(db, (tn) => t.tenantTables[tn]!);
    const memberships = new DynamoAudienceMemberships(
      db,
      (tn) => t.tenantTables[tn]!,
      () => new Date(NOW),
    );
    expect(await memberships.audiencesNaming('acme', 'u-5')).toEqual([]);
    expect(await audiences.countIds('acme', audienceId, 64)).toBe(LISTED + 2 - 1);
  }, 120_000);

  it("isolates tenants: another tenant's audience is not found and cannot be named by a campaign", async () => {
    const audienceId = await readyAudience(acme, 'u-1\nu-2\n');
    expect((await call({ method: 'GET', path: `/v1/audiences/${audienceId}`, caller: globex })).status).toBe(404);
    const body = {
      name: 'Theirs',
      goal: 'take-up',
      audience: { audienceId },
      actionIds: ['aud-offer'],
      channel: 'sms',
      controlGroupPercent: 10,
      pilot: { percent: 50, minUplift: 1 },
      responseWindow: 'P1D',
    };
    const refused = await call({ method: 'POST', path: '/v1/campaigns', body, caller: globex });
    expect(refused.status).toBe(400);
    expect(refused.json.errors).toEqual([{ field: 'audience.audienceId', message: `no audience ${audienceId}` }]);
  });

  it('refuses a campaign on an audience not ready yet (409), an unknown id (404), a bad id (400) and a channel key', async () => {
    const pending = await call({ method: 'POST', path: '/v1/audiences', caller: acme });
    expect(pending.json).toMatchObject({ audienceId: expect.stringMatching(/^aud-/) });
    const body = {
      name: 'Early',
      goal: 'take-up',
      audience: { audienceId: pending.json.audienceId },
      actionIds: ['aud-offer'],
      channel: 'sms',
      controlGroupPercent: 10,
      pilot: { percent: 50, minUplift: 1 },
      responseWindow: 'P1D',
    };
    const early = await call({ method: 'POST', path: '/v1/campaigns', body, caller: acme });
    expect(early.status, early.raw).toBe(409);
    expect(early.json.detail).toMatch(/awaiting-upload/);
    expect((await call({ method: 'GET', path: '/v1/audiences/aud-nope', caller: acme })).status).toBe(404);
    expect((await call({ method: 'GET', path: '/v1/audiences/..', caller: acme })).status).toBe(400);
    expect((await call({ method: 'POST', path: '/v1/audiences', caller: acmeChannel })).status).toBe(403);
  });

  it('answers an expired audience 404 naming its expiry, and refuses a campaign on it (400)', async () => {
    const audienceId = 'aud-expired-1';
    const store = new DynamoAudienceStore(documentClient({ endpoint: t.endpoint }), (tn) => t.tenantTables[tn]!);
    const record = {
      audienceId,
      status: 'ready' as const,
      createdAt: '2024-12-01T08:00:00.000Z',
      updatedAt: '2024-12-01T08:00:00.000Z',
      expiresAt: '2024-12-01T09:00:00.000Z',
      // the demo market's 90 days, before the platform clock (CVM_NOW)
      retainedUntil: '2025-03-01T08:00:00.000Z',
      shards: 64,
      size: 2,
    };
    await store.create('acme', record);
    await store.putIds('acme', record, ['u-1', 'u-2']);
    const gone = await call({ method: 'GET', path: `/v1/audiences/${audienceId}`, caller: acme });
    expect(gone.status).toBe(404);
    expect(gone.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(gone.json.detail).toMatch(/expired at 2025-03-01T08:00:00.000Z \(uploaded audiences are kept 90 days\)/);
    const body = {
      name: 'Stale',
      goal: 'take-up',
      audience: { audienceId },
      actionIds: ['aud-offer'],
      channel: 'sms',
      controlGroupPercent: 10,
      pilot: { percent: 50, minUplift: 1 },
      responseWindow: 'P1D',
    };
    const refused = await call({ method: 'POST', path: '/v1/campaigns', body, caller: acme });
    expect(refused.status, refused.raw).toBe(400);
    expect(refused.json.errors).toEqual([
      {
        field: 'audience.audienceId',
        message: `audience ${audienceId} expired at 2025-03-01T08:00:00.000Z; upload the list again`,
      },
    ]);
  });

  it('refuses a response window longer than the decision log keeps decisions, naming both (400)', async () => {
    const body = {
      name: 'Slow',
      goal: 'take-up',
      audience: { customerIds: ['u-1'] },
      actionIds: ['aud-offer'],
      channel: 'sms',
      controlGroupPercent: 10,
      pilot: { percent: 50, minUplift: 1 },
      responseWindow: 'P181D',
    };
    const refused = await call({ method: 'POST', path: '/v1/campaigns', body, caller: acme });
    expect(refused.status, refused.raw).toBe(400);
    // the demo market keeps decisions 180 days
    expect(refused.json.errors).toEqual([
      {
        field: 'responseWindow',
        message:
          '181 days is longer than the decision log keeps a decision (retention.decisionLogDays: 180 days): responses after that would not count; at most P180D',
      },
    ]);
  });
});
