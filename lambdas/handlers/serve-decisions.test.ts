import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '#adapters/dynamo/client.ts';
import { DynamoAuditLog } from '#adapters/dynamo/audit-log.ts';
import type { Caller } from '#domain/api-key.ts';
import { experimentGroup } from '#domain/decisioning/experiments.ts';
import { decisioningSettingsOf } from '#config/decisioning-settings.ts';
import { demoCatalog } from '#config/markets/demo-catalog.ts';
import { loadMarket } from '#config/markets/index.ts';
import { openApiDocument } from '#http/openapi.ts';
import { ROUTES } from '#http/routes.ts';
import { invoker, type Invoke } from '../test-support/api-event.ts';
import { testTables, type TestTables } from '../test-support/dynamo.ts';

let t: TestTables;
let call: Invoke;
let customersApi: Invoke;
const acmeAdmin: Caller = { tenant: 'acme', scope: 'admin', keyId: 'acme-admin' };
const acmeChannel: Caller = { tenant: 'acme', scope: 'channel', keyId: 'acme-channel' };
const globexAdmin: Caller = { tenant: 'globex', scope: 'admin', keyId: 'globex-admin' };
const settings = decisioningSettingsOf(loadMarket('demo'));
// Call-centre decisions are inbound; 10:00 in Johannesburg is outside quiet hours anyway. In
// the future: DynamoDB Local's TTL really deletes, so items must not expire by the real clock
// while the platform clock (CVM_NOW) decides what has expired.
const NOW = '2030-03-12T08:00:00.000Z';

/** The first customer ids of the given experiment group for tenant acme. */
function idsIn(group: string, n: number, prefix: string): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < n; i++)
    if (experimentGroup('acme', `${prefix}${i}`, settings.experiments) === group) out.push(`${prefix}${i}`);
  return out;
}

const profile = {
  segment: 'youth',
  tariff: 'smart-50',
  tenureMonths: 30,
  monthlyCharge: 85,
  contract: 'month-to-month',
  products: ['phone', 'internet-fiber'],
  language: 'af',
  consent: { sms: true, app: true, 'call-centre': true, ussd: true },
};

beforeAll(async () => {
  t = await testTables();
  Object.assign(process.env, t.env, { DECISIONING: JSON.stringify(settings), CVM_NOW: NOW });
  call = invoker((await import('./serve-decisions.ts')).handler as never);
  customersApi = invoker((await import('./serve-customers.ts')).handler as never);
  for (const action of demoCatalog) {
    const res = await call({ method: 'PUT', path: `/v1/actions/${action.actionId}`, body: action, caller: acmeAdmin });
    expect(res.status, JSON.stringify(res.json)).toBe(201);
  }
});

const putCustomer = (id: string, body: unknown = profile) =>
  customersApi({ method: 'PUT', path: `/v1/customers/${id}`, body, caller: acmeAdmin });
const decideFor = (
  customerId: string,
  channel = 'app',
  extra: Record<string, unknown> = {},
  caller: Caller = acmeChannel,
) => call({ method: 'POST', path: '/v1/decisions', body: { customerId, channel, ...extra }, caller });
const respondTo = (decisionId: string, body: unknown, caller: Caller = acmeChannel) =>
  call({ method: 'POST', path: `/v1/decisions/${encodeURIComponent(decisionId)}/responses`, body, caller });
const exportOf = async (id: string) =>
  (await customersApi({ method: 'GET', path: `/v1/customers/${id}/export`, caller: acmeAdmin })).json;
const getDecision = (decisionId: string, caller: Caller = acmeChannel) =>
  call({ method: 'GET', path: `/v1/decisions/${encodeURIComponent(decisionId)}`, caller });
/** What decisions leave under the customer: its contact ledger (`L`), and contact items of before it (`H#`). */
const contactsOf = async (id: string) =>
  (await exportOf(id)).items.filter((i: { sk: string }) => i.sk === 'L' || i.sk.startsWith('H#'));

describe('the action catalog', () => {
  const action = {
    name: 'Weekend data',
    kind: 'offer',
    treatments: { sms: { templateKey: 'wk', text: { en: 'Weekend data for R10' } } },
    eligibility: { '>=': [{ var: 'profile.tenureMonths' }, 3] },
    propensity: { starting: 0.1 },
    value: 10,
    limits: { perCustomer: [{ max: 1, days: 7 }] },
  };

  it('creates, reads, lists, replaces and deletes an action', async () => {
    const created = await call({ method: 'PUT', path: '/v1/actions/weekend-data', body: action, caller: acmeAdmin });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ actionId: 'weekend-data', lever: 1, kind: 'offer' });
    expect((await call({ method: 'GET', path: '/v1/actions/weekend-data', caller: acmeAdmin })).json).toEqual(
      created.json,
    );
    const list = await call({ method: 'GET', path: '/v1/actions', caller: acmeAdmin });
    expect(list.json.items.map((a: { actionId: string }) => a.actionId)).toContain('weekend-data');
    const replaced = await call({
      method: 'PUT',
      path: '/v1/actions/weekend-data',
      body: { ...action, value: 12 },
      caller: acmeAdmin,
    });
    expect(replaced.status).toBe(200);
    expect(replaced.json.value).toBe(12);
    expect((await call({ method: 'DELETE', path: '/v1/actions/weekend-data', caller: acmeAdmin })).status).toBe(204);
    expect((await call({ method: 'GET', path: '/v1/actions/weekend-data', caller: acmeAdmin })).status).toBe(404);
    expect((await call({ method: 'DELETE', path: '/v1/actions/weekend-data', caller: acmeAdmin })).status).toBe(404);
  });

  it('names each bad field with 400 problem+json and writes nothing', async () => {
    const res = await call({
      method: 'PUT',
      path: '/v1/actions/bad-one',
      caller: acmeAdmin,
      body: {
        ...action,
        kind: 'bribe',
        eligibility: { frobnicate: [1] },
        treatments: { pigeon: { templateKey: 'x', text: { en: 'x' } } },
        colour: 'red',
      },
    });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/problem+json');
    const fields = res.json.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['kind', 'eligibility', 'colour']));
    expect(fields.some((f: string) => f.startsWith('treatments'))).toBe(true);
    expect((await call({ method: 'GET', path: '/v1/actions/bad-one', caller: acmeAdmin })).status).toBe(404);
    const mismatch = await call({
      method: 'PUT',
      path: '/v1/actions/bad-two',
      body: { ...action, actionId: 'other' },
      caller: acmeAdmin,
    });
    expect(mismatch.json.errors).toEqual([{ field: 'actionId', message: expect.stringContaining('bad-two') }]);
  });

  it('refuses an unknown placeholder and an SMS text over the market segments, naming field, placeholder and language', async () => {
    const put = (text: Record<string, string>) =>
      call({
        method: 'PUT',
        path: '/v1/actions/personal',
        body: { ...action, treatments: { sms: { templateKey: 'p', text } } },
        caller: acmeAdmin,
      });
    const unknown = await put({ en: 'ok {{state.dataUsedPct:3}}%', af: 'Jy het {{state.dataUsed}}% gebruik' });
    expect(unknown.status).toBe(400);
    expect(unknown.json.errors).toEqual([
      { field: 'treatments.sms.text.af', message: expect.stringContaining('{{state.dataUsed}}') },
    ]);
    // the demo market allows 2 parts: 306 GSM-7 characters at most, a placeholder counted at its width
    const long = await put({ en: 'ok', zu: `${'a'.repeat(290)} {{profile.attributes.firstName:20}}` });
    expect(long.status).toBe(400);
    expect(long.json.errors).toEqual([
      { field: 'treatments.sms.text.zu', message: expect.stringMatching(/the zu SMS text takes 3 segments/) },
    ]);
    expect((await call({ method: 'GET', path: '/v1/actions/personal', caller: acmeAdmin })).status).toBe(404);
    const fits = await put({ en: `${'a'.repeat(290)} {{profile.attributes.firstName:15}}` });
    expect(fits.status).toBe(201);
  });

  it('keeps catalogs apart per tenant and needs the admin key', async () => {
    expect((await call({ method: 'GET', path: '/v1/actions/device-upgrade', caller: globexAdmin })).status).toBe(404);
    expect((await call({ method: 'GET', path: '/v1/actions', caller: acmeChannel })).status).toBe(403);
  });
});

describe('decisions', () => {
  it("answers the best actions with treatment text in the customer's language, tier and service level", async () => {
    const [id] = idsIn('champion', 1, 'd-a-');
    await putCustomer(id!);
    const res = await decideFor(id!, 'app');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      customerId: id,
      channel: 'app',
      experiment: { group: 'champion' },
      valueTier: 'gold',
      serviceLevel: 'priority-queue',
    });
    // the id names no customer and is a plain API id
    expect(res.json.decisionId).toMatch(/^[0-9a-z]{15,25}$/);
    expect(res.json.decisionId).not.toContain(id);
    expect(res.json.actions.length).toBeGreaterThan(0);
    expect(res.json.actions.length).toBeLessThanOrEqual(3);
    const first = res.json.actions[0];
    expect(first.treatment.language).toBe('af');
    expect(first.reasons.at(-1).code).toBe('ranked');
    const scores = res.json.actions.map((a: { score: number }) => a.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(Object.keys(res.json.modelVersions)).toEqual(expect.arrayContaining(['churn', 'cross-sell']));
    expect(res.json.excluded.length).toBeGreaterThan(0);
    // under the customer only its contact ledger, with what the contact policy counts: channel, actions, kinds
    const contacts = await contactsOf(id!);
    expect(contacts).toHaveLength(1);
    expect(contacts[0]).toMatchObject({ sk: 'L', version: 1, d: {}, a: {} });
    expect(contacts[0].c).toHaveLength(1);
    expect(contacts[0].c[0]).toContain(` app d ${res.json.decisionId} `);
    for (const a of res.json.actions) expect(contacts[0].c[0]).toContain(`${a.kind[0]}:${a.actionId}`);
    expect(JSON.stringify(contacts[0]).length).toBeLessThan(400);
    const view = await customersApi({ method: 'GET', path: `/v1/customers/${id}`, caller: acmeAdmin });
    expect(view.json.recentContacts).toEqual([
      {
        id: res.json.decisionId,
        at: expect.any(String),
        channel: 'app',
        source: 'decision',
        offers: res.json.actions.map((a: { actionId: string; kind: string }) => ({
          actionId: a.actionId,
          kind: a.kind,
        })),
      },
    ]);
    // the full record is in the decision log, by id
    const logged = await getDecision(res.json.decisionId);
    expect(logged.status).toBe(200);
    expect(logged.json.actions).toEqual(res.json.actions);
  });

  it('holds control customers out of marketing, says why and logs the group', async () => {
    const [id] = idsIn('control', 1, 'd-c-');
    await putCustomer(id!);
    const res = await decideFor(id!);
    expect(res.json).toMatchObject({ actions: [], experiment: { group: 'control' } });
    const marketing = res.json.excluded.filter((e: { kind: string }) => e.kind === 'offer' || e.kind === 'retention');
    expect(marketing.length).toBeGreaterThan(0);
    for (const e of marketing) expect(e.reasons).toEqual([expect.objectContaining({ code: 'control-group' })]);
    // nothing offered, so nothing under the customer; the log keeps the group for the reports
    expect(await contactsOf(id!)).toEqual([]);
    expect((await getDecision(res.json.decisionId)).json).toMatchObject({
      actions: [],
      experiment: { group: 'control' },
    });
  });

  it('still gives a control customer service: the health check after three dropped calls', async () => {
    const [id] = idsIn('control', 2, 'd-cs-').slice(1);
    await putCustomer(id!);
    await documentClient({ endpoint: t.endpoint }).send(
      new PutCommand({
        TableName: t.tenantTables['acme'],
        Item: { pk: `C#${id}`, sk: 'S', droppedCalls24h: 3 },
      }),
    );
    const res = await decideFor(id!, 'call-centre');
    expect(res.json.experiment).toEqual(expect.objectContaining({ group: 'control' }));
    expect(res.json.actions.length).toBeGreaterThan(0);
    expect(res.json.actions.every((a: { kind: string }) => a.kind === 'service' || a.kind === 'information')).toBe(
      true,
    );
  });

  it('puts the health check first at the call centre after three dropped calls, and offers nothing', async () => {
    const [id] = idsIn('champion', 2, 'd-h-').slice(1);
    await putCustomer(id!);
    const db = documentClient({ endpoint: t.endpoint });
    await db.send(
      new PutCommand({
        TableName: t.tenantTables['acme'],
        Item: { pk: `C#${id}`, sk: 'S', droppedCalls24h: 3 },
      }),
    );
    const res = await decideFor(id!, 'call-centre');
    expect(res.json.actions[0].actionId).toBe('care-health-check-call');
    expect(res.json.actions.every((a: { kind: string }) => a.kind !== 'offer')).toBe(true);
    expect(
      res.json.excluded.some((e: { reasons: { code: string }[] }) => e.reasons[0]!.code === 'service-problem-open'),
    ).toBe(true);
  });

  it('does not offer a declined action again within the suppression window', async () => {
    const [id] = idsIn('champion', 3, 'd-s-').slice(2);
    await putCustomer(id!);
    const first = await decideFor(id!, 'app', { limit: 1 });
    const offered = first.json.actions[0].actionId;
    expect((await respondTo(first.json.decisionId, { actionId: offered, response: 'declined' })).status).toBe(200);
    const again = await decideFor(id!, 'app', { limit: 10 });
    expect(again.json.actions.map((a: { actionId: string }) => a.actionId)).not.toContain(offered);
  });

  it("404s an unknown customer and another tenant's customer", async () => {
    const [id] = idsIn('champion', 4, 'd-t-').slice(3);
    await putCustomer(id!);
    expect((await decideFor('nobody-here')).status).toBe(404);
    expect((await decideFor(id!, 'app', {}, { tenant: 'globex', scope: 'channel', keyId: 'g' })).status).toBe(404);
  });

  it('rejects bad input naming the fields, and logs nothing', async () => {
    const [id] = idsIn('champion', 5, 'd-b-').slice(4);
    await putCustomer(id!);
    const res = await call({
      method: 'POST',
      path: '/v1/decisions',
      body: { customerId: id, channel: 'fax', limit: 0, mood: 'x' },
      caller: acmeChannel,
    });
    expect(res.status).toBe(400);
    expect(res.json.errors.map((e: { field: string }) => e.field).sort()).toEqual(['channel', 'limit', 'mood']);
    expect(await contactsOf(id!)).toEqual([]);
    expect((await exportOf(id!)).decisions).toEqual([]);
  });
});

describe('responses', () => {
  it('records a response once, 409s an action not offered, 404s unknown and foreign decisions', async () => {
    const [id] = idsIn('champion', 6, 'd-r-').slice(5);
    await putCustomer(id!);
    const d = (await decideFor(id!, 'app')).json;
    const actionId = d.actions[0].actionId;
    const ok = await respondTo(d.decisionId, { actionId, response: 'accepted' });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ duplicate: false, response: 'accepted' });
    const dup = await respondTo(d.decisionId, { actionId, response: 'declined' });
    expect(dup.json).toMatchObject({ duplicate: true, response: 'accepted' });
    expect((await respondTo(d.decisionId, { actionId: 'never-offered', response: 'accepted' })).status).toBe(409);
    expect((await respondTo(`${id}~0000000000abcdef`, { actionId, response: 'accepted' })).status).toBe(404);
    expect(
      (
        await respondTo(
          d.decisionId,
          { actionId, response: 'accepted' },
          { tenant: 'globex', scope: 'channel', keyId: 'g' },
        )
      ).status,
    ).toBe(404);
    expect((await respondTo('not-a-decision', { actionId, response: 'accepted' })).status).toBe(400);
    const bad = await respondTo(d.decisionId, { actionId, response: 'maybe' });
    expect(bad.json.errors[0].field).toBe('response');
    // recorded once in the log, and in the contact ledger (a campaign's take-up reads it there)
    expect((await getDecision(d.decisionId)).json.responses).toEqual([
      { actionId, response: 'accepted', at: expect.any(String) },
    ]);
    expect((await contactsOf(id!))[0].a).toEqual({ [actionId]: expect.any(Number) });
  });

  it('stores one of 10 concurrent, different answers and tells every duplicate caller that one (issue 17)', async () => {
    const [id] = idsIn('champion', 7, 'd-r-').slice(6);
    await putCustomer(id!);
    const d = (await decideFor(id!, 'app')).json;
    const actionId = d.actions[0].actionId;
    const answers = Array.from({ length: 10 }, (_, i) => (['accepted', 'declined', 'ignored'] as const)[i % 3]);
    const results = await Promise.all(answers.map((response) => respondTo(d.decisionId, { actionId, response })));
    expect(results.map((r) => r.status)).toEqual(answers.map(() => 200));
    const firsts = results.filter((r) => !r.json.duplicate);
    expect(firsts).toHaveLength(1);
    const stored = firsts[0]!.json.response;
    expect((await getDecision(d.decisionId)).json.responses).toEqual([
      { actionId, response: stored, at: expect.any(String) },
    ]);
    expect(results.map((r) => r.json.response)).toEqual(answers.map(() => stored));
    // the contact ledger holds the stored answer alone (an ignored answer leaves none)
    const ledger = (await contactsOf(id!))[0];
    expect([ledger.a?.[actionId] !== undefined, ledger.d?.[actionId] !== undefined]).toEqual([
      stored === 'accepted',
      stored === 'declined',
    ]);
  });
});

describe('GET /v1/decisions/{decisionId}', () => {
  it('answers the logged decision with reasons, excluded codes, group, model versions, context and responses', async () => {
    const [id] = idsIn('champion', 7, 'd-g-').slice(6);
    await putCustomer(id!);
    const d = (await decideFor(id!, 'app', { context: { intent: 'offer', campaign: 'spring' } })).json;
    await respondTo(d.decisionId, { actionId: d.actions[0].actionId, response: 'declined' });
    for (const caller of [acmeChannel, acmeAdmin]) {
      const res = await getDecision(d.decisionId, caller);
      expect(res.status).toBe(200);
      expect(Object.keys(res.json)).toEqual([
        'decisionId',
        'customerId',
        'channel',
        'at',
        'actions',
        'excluded',
        'experiment',
        'valueTier',
        'serviceLevel',
        'modelVersions',
        'context',
        'responses',
      ]);
      expect(res.json).toMatchObject({
        decisionId: d.decisionId,
        customerId: id,
        channel: 'app',
        at: expect.any(String),
        actions: d.actions,
        experiment: d.experiment,
        valueTier: d.valueTier,
        serviceLevel: d.serviceLevel,
        modelVersions: d.modelVersions,
        context: { intent: 'offer', campaign: 'spring' },
        responses: [{ actionId: d.actions[0].actionId, response: 'declined', at: expect.any(String) }],
      });
      // the ranked reason carries the priority inputs; the strongest exclusions keep their codes
      expect(res.json.actions[0].reasons.at(-1).detail).toMatch(/p [\d.]+.* x w .* x v .* x l /);
      expect(res.json.excluded.length).toBeGreaterThan(0);
      expect(res.json.excluded.length).toBeLessThanOrEqual(5);
      expect(res.json.excluded[0]).toEqual({ actionId: d.excluded[0].actionId, code: d.excluded[0].reasons[0].code });
    }
  });

  it("404s another tenant's decision and an unknown id exactly alike, and 400s a malformed id", async () => {
    const [id] = idsIn('champion', 8, 'd-i-').slice(7);
    await putCustomer(id!);
    const d = (await decideFor(id!)).json;
    const unknown = `${d.decisionId.slice(0, 9)}zzzzzzzzzzzz`;
    for (const caller of [{ tenant: 'globex', scope: 'channel', keyId: 'g' } as Caller, globexAdmin]) {
      const foreign = await getDecision(d.decisionId, caller);
      expect(foreign.status).toBe(404);
      expect(foreign.raw).not.toContain(id);
      const none = await getDecision(unknown, caller);
      expect({ status: none.status, type: none.json.type }).toEqual({ status: 404, type: foreign.json.type });
    }
    expect((await getDecision(unknown)).status).toBe(404);
    expect((await getDecision('not a decision')).status).toBe(400);
    expect((await call({ method: 'GET', path: `/v1/decisions/${d.decisionId}`, caller: null })).status).toBe(401);
  });

  it('is documented in the served OpenAPI with the fields it answers, for channel keys', () => {
    const doc = openApiDocument() as {
      paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, { properties: Record<string, unknown>; required?: string[] }> };
    };
    const op = doc.paths['/v1/decisions/{decisionId}']!['get']!;
    expect(op.operationId).toBe('getDecision');
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403', '404']));
    const schema = doc.components.schemas['LoggedDecision']!;
    const fields = [
      'decisionId',
      'customerId',
      'channel',
      'at',
      'actions',
      'excluded',
      'experiment',
      'valueTier',
      'serviceLevel',
      'modelVersions',
      'context',
      'responses',
    ];
    expect(Object.keys(schema.properties)).toEqual(fields);
    expect(schema.required?.sort()).toEqual([...fields].sort());
    expect(ROUTES.find((r) => r.id === 'getDecision')?.scope).toBe('channel');
  });

  it('404s a decision past its expiry that TTL has not deleted yet, for reading and for responses', async () => {
    const [id] = idsIn('champion', 9, 'd-x-').slice(8);
    await putCustomer(id!);
    const d = (await decideFor(id!)).json;
    await documentClient({ endpoint: t.endpoint }).send(
      new UpdateCommand({
        TableName: t.decisionTables['acme'],
        Key: { id: d.decisionId },
        UpdateExpression: 'SET expiresAt = :past',
        ExpressionAttributeValues: { ':past': Math.floor(Date.parse(NOW) / 1000) - 1 },
      }),
    );
    expect((await getDecision(d.decisionId)).status).toBe(404);
    expect((await respondTo(d.decisionId, { actionId: d.actions[0].actionId, response: 'accepted' })).status).toBe(404);
  });
});

describe('decisions made before the log left the customer partition', () => {
  it('take responses by their customer-prefixed id until they expire, once each', async () => {
    const [id] = idsIn('champion', 10, 'd-l-').slice(9);
    await putCustomer(id!);
    const at = new Date(Date.parse(NOW) - 3_600_000).toISOString();
    const legacyId = `${id}~${Date.parse(at).toString(36).padStart(9, '0')}abc123def456`;
    const legacyItem = (decisionId: string, expiresAt: number) => ({
      pk: `C#${id}`,
      sk: `H#${at}#${decisionId}`,
      id: decisionId,
      at,
      channel: 'app',
      source: 'decision',
      group: 'champion',
      seg: 'youth',
      offers: [{ actionId: 'device-upgrade', kind: 'offer', p: 0.2 }],
      ex: ['roaming-pack:no-consent'],
      mv: { churn: '1' },
      expiresAt,
    });
    const db = documentClient({ endpoint: t.endpoint });
    await db.send(
      new PutCommand({
        TableName: t.tenantTables['acme'],
        Item: legacyItem(legacyId, Date.parse(NOW) / 1000 + 86_400),
      }),
    );
    const first = await respondTo(legacyId, { actionId: 'device-upgrade', response: 'declined' });
    expect(first.status, JSON.stringify(first.json)).toBe(200);
    expect(first.json).toMatchObject({ decisionId: legacyId, duplicate: false, response: 'declined' });
    expect((await respondTo(legacyId, { actionId: 'device-upgrade', response: 'accepted' })).json).toMatchObject({
      duplicate: true,
      response: 'declined',
    });
    expect((await respondTo(legacyId, { actionId: 'other', response: 'accepted' })).status).toBe(409);
    const [stored] = await contactsOf(id!);
    expect(stored.offers[0]).toMatchObject({ response: 'declined', respondedAt: expect.any(String) });
    // the decline suppresses the action as any decline does
    expect(
      (await decideFor(id!, 'app', { limit: 10 })).json.actions.map((a: { actionId: string }) => a.actionId),
    ).not.toContain('device-upgrade');
    // only responses: the log never held it; and once expired it is gone
    expect((await getDecision(legacyId)).status).toBe(404);
    const expiredId = `${legacyId.slice(0, -3)}zzz`;
    await db.send(
      new PutCommand({ TableName: t.tenantTables['acme'], Item: legacyItem(expiredId, Date.parse(NOW) / 1000 - 1) }),
    );
    expect((await respondTo(expiredId, { actionId: 'device-upgrade', response: 'accepted' })).status).toBe(404);
  });
});

describe('concurrent decisions for one customer', () => {
  it('offer an action limited to one per 7 days at most once, however many race', async () => {
    // globex's own catalog: one such action, so every answer that may offer it does
    const once = {
      name: 'Once a week',
      kind: 'offer',
      treatments: { app: { templateKey: 'once', text: { en: 'Once a week' } } },
      eligibility: true,
      propensity: { starting: 0.5 },
      value: 100,
      limits: { perCustomer: [{ max: 1, days: 7 }] },
    };
    const put = await call({ method: 'PUT', path: '/v1/actions/once-a-week', body: once, caller: globexAdmin });
    expect(put.status, JSON.stringify(put.json)).toBe(201);
    const globexChannel: Caller = { tenant: 'globex', scope: 'channel', keyId: 'globex-channel' };
    const racers: string[] = [];
    for (let i = 0; racers.length < 3; i++)
      if (experimentGroup('globex', `race-${i}`, settings.experiments) !== 'control') racers.push(`race-${i}`);
    for (const id of racers) {
      const created = await customersApi({
        method: 'PUT',
        path: `/v1/customers/${id}`,
        body: profile,
        caller: globexAdmin,
      });
      expect(created.status).toBe(201);
      const answers = await Promise.all(Array.from({ length: 10 }, () => decideFor(id, 'app', {}, globexChannel)));
      expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
      const offers = answers.filter((a) =>
        a.json.actions.some((x: { actionId: string }) => x.actionId === 'once-a-week'),
      );
      expect(offers.length, id).toBe(1);
      // the others say why: the limit, or (rarely, when the ledger kept changing) that it was contested
      for (const a of answers.filter((x) => !offers.includes(x)))
        expect(['action-limit', 'contact-conflict']).toContain(a.json.excluded[0].reasons[0].code);
      // and a sequential round after it offers it no more
      expect((await decideFor(id, 'app', {}, globexChannel)).json.actions).toEqual([]);
    }
  });
});

describe('the catalog audit trail', () => {
  it('records who created, replaced and removed an action, with before and after', async () => {
    const action = { ...demoCatalog[0]!, actionId: 'audited-offer' };
    await call({ method: 'PUT', path: '/v1/actions/audited-offer', body: action, caller: acmeAdmin });
    await call({ method: 'PUT', path: '/v1/actions/audited-offer', body: { ...action, value: 99 }, caller: acmeAdmin });
    expect((await call({ method: 'DELETE', path: '/v1/actions/audited-offer', caller: acmeAdmin })).status).toBe(204);
    const log = new DynamoAuditLog(documentClient({ endpoint: t.endpoint }), (tenant) => t.tenantTables[tenant]!);
    const trail = (await log.list('acme', NOW.slice(0, 7))).items.filter((e) => e.subject === 'audited-offer');
    expect(
      trail.map((e) => [
        e.what,
        e.keyId,
        (e.before as { value?: number } | undefined)?.value,
        (e.after as { value?: number } | undefined)?.value,
      ]),
    ).toEqual([
      ['action.deleted', acmeAdmin.keyId, 99, undefined],
      ['action.put', acmeAdmin.keyId, action.value, 99],
      ['action.put', acmeAdmin.keyId, undefined, action.value],
    ]);
    expect((await log.list('globex', NOW.slice(0, 7))).items.filter((e) => e.subject === 'audited-offer')).toEqual([]);
  });
});
