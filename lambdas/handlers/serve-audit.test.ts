import { beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '#domain/api-key.ts';
import { consentChange } from '#domain/audit.ts';
import { DynamoAuditLog } from '#adapters/dynamo/audit-log.ts';
import { documentClient } from '#adapters/dynamo/client.ts';
import { keyAdmin } from '#app/keys.ts';
import { DynamoKeyStore } from '#adapters/dynamo/key-store.ts';
import { fixedClock } from '#domain/clock.ts';
import { invoker, type Invoke } from '../test-support/api-event.ts';
import { testTables, type TestTables } from '../test-support/dynamo.ts';

let t: TestTables;
let customers: Invoke;
let audit: Invoke;
const acmeAdmin: Caller = { tenant: 'acme', scope: 'admin', keyId: 'acme-admin' };
const acmeChannel: Caller = { tenant: 'acme', scope: 'channel', keyId: 'acme-channel' };
const globexAdmin: Caller = { tenant: 'globex', scope: 'admin', keyId: 'globex-admin' };
const profile = {
  segment: 'youth',
  tariff: 'smart-50',
  contract: 'prepaid',
  monthlyCharge: 45,
  consent: { sms: true },
  language: 'en',
};

beforeAll(async () => {
  t = await testTables();
  Object.assign(process.env, t.env);
  customers = invoker((await import('./serve-customers.ts')).handler as never);
  audit = invoker((await import('./serve-audit.ts')).handler as never);
});

const put = (id: string, body: unknown, caller = acmeAdmin) =>
  customers({ method: 'PUT', path: `/v1/customers/${id}`, body, caller });

describe('the audit trail', () => {
  it('records a consent change with the key, before and after, and nothing for other edits', async () => {
    await put('c-1', profile);
    await put('c-1', { ...profile, tariff: 'smart-100' });
    await put('c-1', { ...profile, consent: { sms: false, app: true } });
    const res = await audit({ method: 'GET', path: '/v1/audit', caller: acmeAdmin });
    expect(res.status).toBe(200);
    const consent = res.json.items.filter(
      (e: { what: string; subject: string }) => e.what === 'customer.consent' && e.subject === 'c-1',
    );
    expect(
      consent.map((e: { before: unknown; after: unknown; keyId: string }) => [e.keyId, e.before, e.after]),
    ).toEqual([
      ['acme-admin', { sms: true }, { sms: false, app: true }],
      ['acme-admin', {}, { sms: true }],
    ]);
  });

  it('shows a tenant only its own trail', async () => {
    await put('g-1', profile, globexAdmin);
    const acme = await audit({ method: 'GET', path: '/v1/audit', caller: acmeAdmin });
    const globex = await audit({ method: 'GET', path: '/v1/audit', caller: globexAdmin });
    expect(acme.json.items.every((e: { tenant: string }) => e.tenant === 'acme')).toBe(true);
    expect(globex.json.items.map((e: { subject: string }) => e.subject)).toEqual(['g-1']);
  });

  it('is for admin keys only', async () => {
    expect((await audit({ method: 'GET', path: '/v1/audit', caller: acmeChannel })).status).toBe(403);
    expect((await audit({ method: 'GET', path: '/v1/audit' })).status).toBe(401);
  });

  it('pages with nextToken and refuses a bad month or a forged token', async () => {
    const first = await audit({ method: 'GET', path: '/v1/audit', query: { limit: '1' }, caller: acmeAdmin });
    expect(first.json.items).toHaveLength(1);
    const second = await audit({
      method: 'GET',
      path: '/v1/audit',
      query: { limit: '1', nextToken: first.json.nextToken },
      caller: acmeAdmin,
    });
    expect(second.json.items[0].id).not.toBe(first.json.items[0].id);
    expect(
      (await audit({ method: 'GET', path: '/v1/audit', query: { month: '2026-13' }, caller: acmeAdmin })).status,
    ).toBe(400);
    expect(
      (await audit({ method: 'GET', path: '/v1/audit', query: { nextToken: 'forged' }, caller: acmeAdmin })).status,
    ).toBe(400);
    expect(
      (await audit({ method: 'GET', path: '/v1/audit', query: { month: '2020-01' }, caller: acmeAdmin })).json.items,
    ).toEqual([]);
  });

  it("records key rotations with the old key's expiry before and after", async () => {
    const db = documentClient({ endpoint: t.endpoint });
    const log = new DynamoAuditLog(db, (tenant) => t.tenantTables[tenant]!);
    const clock = fixedClock(new Date().toISOString());
    const admin = keyAdmin({
      keys: new DynamoKeyStore(db, t.keysTable),
      clock,
      onChange: (c, actor) =>
        log.record({
          tenant: c.tenant,
          keyId: actor,
          what: c.what,
          subject: c.keyId,
          at: clock.now().toISOString(),
          before: c.before,
          after: c.after,
        }),
    });
    await admin.rotate('globex', { scope: 'admin', overlapHours: 24 }, 'cli:ops');
    const res = await audit({ method: 'GET', path: '/v1/audit', caller: globexAdmin });
    const rotated = res.json.items.find((e: { what: string }) => e.what === 'key.rotated');
    expect(rotated).toMatchObject({
      keyId: 'cli:ops',
      subject: 'globex-admin',
      before: { status: 'active' },
      after: { status: 'active', expiresAt: expect.any(String) },
    });
    expect(JSON.stringify(res.json)).not.toMatch(/cvm_globex_admin_/);
    expect(
      (await audit({ method: 'GET', path: '/v1/audit', caller: acmeAdmin })).json.items.some((e: { what: string }) =>
        e.what.startsWith('key.'),
      ),
    ).toBe(false);
  });
});

describe('consent changes', () => {
  it('count a channel that appears, flips or disappears, and nothing else', () => {
    expect(consentChange({ sms: true }, { sms: true })).toBeUndefined();
    expect(consentChange(undefined, {})).toBeUndefined();
    expect(consentChange({ sms: true }, { sms: false })).toEqual({ before: { sms: true }, after: { sms: false } });
    expect(consentChange({ sms: true }, {})).toBeDefined();
    expect(consentChange(undefined, { app: false })).toBeDefined();
  });
});
