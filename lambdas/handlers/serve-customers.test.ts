import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '#adapters/dynamo/client.ts';
import { DynamoDecisionLog } from '#adapters/dynamo/decision-log.ts';
import { aDecisionRecord } from '../test-support/decision-records.ts';
import { testTables, type TestTables } from '../test-support/dynamo.ts';
import { invoker, type Invoke } from '../test-support/api-event.ts';
import type { Caller } from '#domain/api-key.ts';

let t: TestTables;
let call: Invoke;
const acmeAdmin: Caller = { tenant: 'acme', scope: 'admin', keyId: 'acme-admin' };
const acmeChannel: Caller = { tenant: 'acme', scope: 'channel', keyId: 'acme-channel' };
const globexAdmin: Caller = { tenant: 'globex', scope: 'admin', keyId: 'globex-admin' };

const profile = {
  segment: 'youth',
  tariff: 'smart-50',
  tenureMonths: 14,
  monthlyCharge: 85,
  contract: 'month-to-month',
  products: ['phone', 'internet-fiber'],
  householdId: 'hh-1',
  accountId: 'acc-1',
  consent: { sms: true, app: false },
  language: 'en',
  attributes: { region: 'gauteng', handset: 'android' },
};

beforeAll(async () => {
  t = await testTables();
  Object.assign(process.env, t.env);
  const mod = await import('./serve-customers.ts');
  call = invoker(mod.handler as never);
});

const put = (id: string, body: unknown, caller: Caller = acmeAdmin, headers?: Record<string, string>) =>
  call({ method: 'PUT', path: `/v1/customers/${id}`, body, caller, ...(headers ? { headers } : {}) });
const get = (id: string, caller: Caller = acmeChannel) => call({ method: 'GET', path: `/v1/customers/${id}`, caller });

describe('customer profiles', () => {
  it('creates a profile with 201 and an ETag, and reads it back with derived fields', async () => {
    const created = await put('c-100', profile);
    expect(created.status).toBe(201);
    expect(created.headers['etag']).toBe('"1"');
    const read = await get('c-100');
    expect(read.status).toBe(200);
    expect(read.headers['etag']).toBe('"1"');
    expect(read.json).toMatchObject({
      ...profile,
      customerId: 'c-100',
      version: 1,
      valueTier: 'gold',
      state: {},
      recentContacts: [],
    });
  });

  it('accepts a GET -> edit -> PUT round trip, ignoring the read-only fields', async () => {
    await put('c-101', profile);
    const read = await get('c-101');
    const edited = { ...read.json, tariff: 'smart-100', version: 99, valueTier: 'bronze' };
    const replaced = await put('c-101', edited, acmeAdmin, { 'if-match': read.headers['etag']! });
    expect(replaced.status).toBe(200);
    expect(replaced.json).toMatchObject({ tariff: 'smart-100', version: 2, valueTier: 'gold' });
  });

  it('refuses a stale If-Match with 412 and keeps the stored version', async () => {
    await put('c-102', profile);
    await put('c-102', { ...profile, tariff: 'second' });
    const stale = await put('c-102', { ...profile, tariff: 'stale' }, acmeAdmin, { 'if-match': '"1"' });
    expect(stale.status).toBe(412);
    expect(stale.headers['content-type']).toBe('application/problem+json');
    expect((await get('c-102')).json).toMatchObject({ tariff: 'second', version: 2 });
  });

  it('treats If-Match on a customer that does not exist as a failed precondition', async () => {
    expect((await put('c-ghost', profile, acmeAdmin, { 'if-match': '"1"' })).status).toBe(412);
    expect((await get('c-ghost')).status).toBe(404);
  });

  it('rejects a malformed If-Match header naming it', async () => {
    for (const bad of ['version-1', '"1" "2"', '*, "1"', 'w/"1"']) {
      const res = await put('c-103', profile, acmeAdmin, { 'if-match': bad });
      expect(res.status).toBe(400);
      expect(res.json.errors).toEqual([{ field: 'If-Match', message: 'not an entity tag list' }]);
    }
    expect((await get('c-103')).status).toBe(404);
  });

  it('answers 412 to If-Match: * on a missing customer and creates nothing, and takes * on an existing one', async () => {
    const missing = await put('c-104', profile, acmeAdmin, { 'if-match': '*' });
    expect(missing.status).toBe(412);
    expect((await get('c-104')).status).toBe(404);
    await put('c-104', profile);
    const any = await put('c-104', { ...profile, tariff: 'any' }, acmeAdmin, { 'if-match': '*' });
    expect(any.status).toBe(200);
    expect(any.headers['etag']).toBe('"2"');
  });

  it('answers 412 to any well-formed tag that does not match strongly, and takes a list naming the version', async () => {
    await put('c-105', profile);
    await put('c-105', { ...profile, tariff: 'second' });
    for (const tag of ['"stale-version"', '"1"', 'W/"2"', '"1", W/"2"', '"02"'])
      expect((await put('c-105', { ...profile, tariff: 'lost' }, acmeAdmin, { 'if-match': tag })).status).toBe(412);
    expect((await get('c-105')).json).toMatchObject({ tariff: 'second', version: 2 });
    const listed = await put('c-105', { ...profile, tariff: 'third' }, acmeAdmin, { 'if-match': '"1", "2"' });
    expect(listed.status).toBe(200);
    expect(listed.json).toMatchObject({ tariff: 'third', version: 3 });
  });
});

describe('bad input changes nothing', () => {
  it('names unknown fields and wrong types, and writes nothing', async () => {
    const res = await put('c-200', { ...profile, tenureMonths: 'long', colour: 'blue' });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.json.errors.map((e: { field: string }) => e.field).sort()).toEqual(['colour', 'tenureMonths']);
    expect((await get('c-200')).status).toBe(404);
  });

  it('answers malformed JSON with 400', async () => {
    const res = await call({ method: 'PUT', path: '/v1/customers/c-201', rawBody: '{"segment": ', caller: acmeAdmin });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ status: 400, errors: [{ field: '(body)', message: 'malformed JSON' }] });
    expect((await get('c-201')).status).toBe(404);
  });

  it('answers a body over 64 KB with 413', async () => {
    const res = await put('c-202', { ...profile, attributes: { big: 'x'.repeat(1000) }, segment: 'y'.repeat(70_000) });
    expect(res.status).toBe(413);
    expect((await get('c-202')).status).toBe(404);
  });

  it('names a customer id outside the id pattern', async () => {
    const res = await put(encodeURIComponent('bad id!'), profile);
    expect(res.status).toBe(400);
    expect(res.json.errors[0].field).toBe('customerId');
  });

  it('refuses more than 100 attributes and an unknown consent channel', async () => {
    const attributes = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`a${i}`, i]));
    expect((await put('c-203', { ...profile, attributes })).status).toBe(400);
    const res = await put('c-203', { ...profile, consent: { pigeon: true } });
    expect(res.status).toBe(400);
    expect(res.json.errors[0].field).toMatch(/^consent/);
  });

  it('answers an unknown method with 405 and an Allow header', async () => {
    const res = await call({ method: 'POST', path: '/v1/customers/c-1', caller: acmeAdmin });
    expect(res.status).toBe(405);
    expect(res.headers['allow']).toContain('PATCH');
  });
});

describe('keys and tenants', () => {
  it('requires a caller (401) and the admin scope to write (403)', async () => {
    expect((await call({ method: 'GET', path: '/v1/customers/c-100' })).status).toBe(401);
    const denied = await put('c-300', profile, acmeChannel);
    expect(denied.status).toBe(403);
    expect((await get('c-300')).status).toBe(404);
  });

  it("hides one tenant's customers from another as if absent", async () => {
    await put('c-shared', profile);
    const other = await get('c-shared', globexAdmin);
    const absent = await get('c-never', globexAdmin);
    expect(other.status).toBe(404);
    expect(other.json.detail).toBe(absent.json.detail.replace('c-never', 'c-shared'));
    expect((await call({ method: 'GET', path: '/v1/customers/c-shared/export', caller: globexAdmin })).status).toBe(
      404,
    );
    expect((await call({ method: 'DELETE', path: '/v1/customers/c-shared', caller: globexAdmin })).status).toBe(404);
    expect((await call({ method: 'GET', path: '/v1/households/hh-1', caller: globexAdmin })).status).toBe(404);
    expect((await get('c-shared')).status).toBe(200);
  });
});

describe('erasure and subject access', () => {
  it('exports everything, then erases it and leaves a tombstone that refuses re-creation', async () => {
    await put('c-400', profile);
    const exported = await call({ method: 'GET', path: '/v1/customers/c-400/export', caller: acmeAdmin });
    expect(exported.status).toBe(200);
    expect(exported.json.items).toEqual([expect.objectContaining({ kind: 'profile', customerId: 'c-400' })]);

    const erased = await call({ method: 'DELETE', path: '/v1/customers/c-400', caller: acmeAdmin });
    expect(erased.status).toBe(204);
    expect(erased.raw).toBe('');
    expect((await get('c-400')).status).toBe(404);
    expect((await call({ method: 'GET', path: '/v1/customers/c-400/export', caller: acmeAdmin })).status).toBe(404);
    expect((await put('c-400', profile)).status).toBe(409);
    expect((await call({ method: 'DELETE', path: '/v1/customers/c-400', caller: acmeAdmin })).status).toBe(404);
  });
});

describe("erasure and subject access reach the customer's decisions in the decision log", () => {
  it("exports every decision about the customer and erases them, leaving other customers' alone", async () => {
    await put('c-500', profile);
    await put('c-501', profile);
    const db = documentClient({ endpoint: t.endpoint });
    const log = new DynamoDecisionLog(db, {
      tenant: (tenant) => t.tenantTables[tenant]!,
      decisions: (tenant) => t.decisionTables[tenant]!,
    });
    const mine = ['2026-01-01T10:00:00.000Z', '2026-02-01T10:00:00.000Z', '2026-03-01T10:00:00.000Z'].map((at) =>
      aDecisionRecord('c-500', at),
    );
    const theirs = aDecisionRecord('c-501', '2026-01-05T10:00:00.000Z');
    for (const r of [...mine, theirs]) await log.record('acme', r);

    const exported = await call({ method: 'GET', path: '/v1/customers/c-500/export', caller: acmeAdmin });
    expect(exported.json.decisions.map((d: { decisionId: string }) => d.decisionId)).toEqual(
      mine.map((r) => r.decisionId),
    );
    expect(exported.json.decisions[0]).toMatchObject({ customerId: 'c-500', actions: mine[0]!.actions });
    // under the customer only profile (and, once it has contacts, state and contact ledger): the decisions are in the log
    expect(exported.json.items.map((i: { sk: string }) => i.sk)).toEqual(['P']);

    expect((await call({ method: 'DELETE', path: '/v1/customers/c-500', caller: acmeAdmin })).status).toBe(204);
    const stored = async (id: string) =>
      (await db.send(new GetCommand({ TableName: t.decisionTables['acme'], Key: { id } }))).Item;
    for (const r of mine) expect(await stored(r.decisionId)).toBeUndefined();
    expect(await stored(theirs.decisionId)).toMatchObject({ customerId: 'c-501' });
    expect(
      (await call({ method: 'GET', path: '/v1/customers/c-501/export', caller: acmeAdmin })).json.decisions,
    ).toHaveLength(1);
    // another tenant's export of the same id sees none of them
    expect((await call({ method: 'GET', path: '/v1/customers/c-501/export', caller: globexAdmin })).status).toBe(404);
  });
});

describe('PATCH with a JSON merge patch (RFC 7396)', () => {
  const patch = (id: string, body: unknown, headers: Record<string, string> = {}) =>
    call({
      method: 'PATCH',
      path: `/v1/customers/${id}`,
      body,
      caller: acmeAdmin,
      headers: { 'content-type': 'application/merge-patch+json', ...headers },
    });

  it('changes what it names and keeps consent and the household (the README example)', async () => {
    await put('p-1', profile);
    const res = await patch('p-1', { segment: 'family', tariff: 'smart-80' }, { 'If-Match': '"1"' });
    expect(res.status).toBe(200);
    expect(res.headers['etag']).toBe('"2"');
    expect(res.json).toMatchObject({
      segment: 'family',
      tariff: 'smart-80',
      consent: profile.consent,
      householdId: 'hh-1',
      attributes: profile.attributes,
    });
    expect((await call({ method: 'GET', path: '/v1/households/hh-1', caller: acmeAdmin })).status).toBe(200);
  });

  it('merges objects member by member and removes with null', async () => {
    await put('p-2', profile);
    const res = await patch('p-2', {
      consent: { sms: false },
      attributes: { handset: null, plan: 'x' },
      accountId: null,
    });
    expect(res.status).toBe(200);
    expect(res.json.consent).toEqual({ sms: false, app: false });
    expect(res.json.attributes).toEqual({ region: 'gauteng', plan: 'x' });
    expect(res.json.accountId).toBeUndefined();
  });

  it('refuses a patch whose result is not a valid profile, naming the field, and changes nothing', async () => {
    await put('p-3', profile);
    const res = await patch('p-3', { tenureMonths: -1, consent: { fax: true } });
    expect(res.status).toBe(400);
    expect(res.json.errors.map((e: { field: string }) => e.field).sort()).toEqual(['consent.fax', 'tenureMonths']);
    expect((await get('p-3')).headers['etag']).toBe('"1"');
  });

  it('answers 412 on a stale If-Match, 404 for an unknown customer', async () => {
    await put('p-4', profile);
    expect((await patch('p-4', { segment: 'x' }, { 'If-Match': '"7"' })).status).toBe(412);
    expect((await patch('p-404', { segment: 'x' })).status).toBe(404);
    expect((await get('p-404')).status).toBe(404);
  });

  it('loses no update when patches of different fields race', async () => {
    await put('p-5', { ...profile, attributes: {} });
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => patch('p-5', { attributes: { [`k${i}`]: i } })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(6).fill(200));
    const final = await get('p-5');
    expect(final.json.attributes).toEqual({ k0: 0, k1: 1, k2: 2, k3: 3, k4: 4, k5: 5 });
    expect(final.headers['etag']).toBe('"7"');
  });
});

describe('households', () => {
  it('lists members and sums their monthly value', async () => {
    await put('h-a', { ...profile, householdId: 'hh-9', monthlyCharge: 30 });
    await put('h-b', { ...profile, householdId: 'hh-9', monthlyCharge: 45.5 });
    const res = await call({ method: 'GET', path: '/v1/households/hh-9', caller: acmeChannel });
    expect(res.status).toBe(200);
    expect(res.json.monthlyValue).toBe(75.5);
    expect(res.json.members.map((m: { customerId: string }) => m.customerId).sort()).toEqual(['h-a', 'h-b']);
  });

  it('moves a customer between households when the profile changes', async () => {
    await put('h-c', { ...profile, householdId: 'hh-10' });
    await put('h-c', { ...profile, householdId: 'hh-11' });
    expect((await call({ method: 'GET', path: '/v1/households/hh-10', caller: acmeChannel })).status).toBe(404);
    expect(
      (await call({ method: 'GET', path: '/v1/households/hh-11', caller: acmeChannel })).json.members,
    ).toHaveLength(1);
  });
});
