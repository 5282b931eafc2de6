import { beforeAll, describe, expect, it } from 'vitest';
import { decisioningSettingsOf } from '#config/decisioning-settings.ts';
import { demoCatalog } from '#config/markets/demo-catalog.ts';
import { loadMarket } from '#config/markets/index.ts';
import type { Caller } from '#domain/api-key.ts';
import { invoker, type Invoke } from '../test-support/api-event.ts';
import { testTables } from '../test-support/dynamo.ts';

/*
 * Issue 18 item 1: Idempotency-Key on POST /v1/decisions, POST /v1/decisions/{id}/responses and
 * POST /v1/campaigns, on Powertools idempotency over the market's table in DynamoDB Local.
 */

let decisions: Invoke;
let customers: Invoke;
let campaigns: Invoke;
const admin: Caller = { tenant: 'acme', scope: 'admin', keyId: 'acme-admin' };
const channel: Caller = { tenant: 'acme', scope: 'channel', keyId: 'acme-channel' };
const globex: Caller = { tenant: 'globex', scope: 'channel', keyId: 'globex-channel' };
const NOW = '2030-03-12T08:00:00.000Z';

const profile = {
  segment: 'youth',
  tariff: 'smart-50',
  tenureMonths: 30,
  monthlyCharge: 85,
  contract: 'month-to-month',
  products: ['phone', 'internet-fiber'],
  language: 'en',
  consent: { sms: true, app: true, 'call-centre': true, ussd: true },
};

beforeAll(async () => {
  const t = await testTables();
  Object.assign(process.env, t.env, {
    DECISIONING: JSON.stringify(decisioningSettingsOf(loadMarket('demo'))),
    CVM_NOW: NOW,
  });
  decisions = invoker((await import('./serve-decisions.ts')).handler as never);
  customers = invoker((await import('./serve-customers.ts')).handler as never);
  campaigns = invoker((await import('./serve-campaigns.ts')).handler as never);
  for (const action of demoCatalog)
    await decisions({ method: 'PUT', path: `/v1/actions/${action.actionId}`, body: action, caller: admin });
  for (const id of ['i-1', 'i-2', 'i-3', 'i-4'])
    await customers({ method: 'PUT', path: `/v1/customers/${id}`, body: profile, caller: admin });
});

const decide = (customerId: string, key?: string, caller = channel, extra: Record<string, unknown> = {}) =>
  decisions({
    method: 'POST',
    path: '/v1/decisions',
    body: { customerId, channel: 'app', ...extra },
    caller,
    ...(key ? { headers: { 'Idempotency-Key': key } } : {}),
  });

/** The decisions in the customer's export: one per decision that really ran. */
const decisionsOf = async (id: string) =>
  (await customers({ method: 'GET', path: `/v1/customers/${id}/export`, caller: admin })).json.decisions as unknown[];

describe('Idempotency-Key', () => {
  it('replays the first answer of POST /v1/decisions with no second decision', async () => {
    const first = await decide('i-1', 'retry-1');
    expect(first.status).toBe(200);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await decide('i-1', 'retry-1');
    expect(again.status).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json).toEqual(first.json);
    expect(await decisionsOf('i-1')).toHaveLength(1);
    // without a key every call decides again
    await decide('i-1');
    expect(await decisionsOf('i-1')).toHaveLength(2);
  });

  it('answers 422 for the same key with another body, and keeps the first answer', async () => {
    const first = await decide('i-2', 'retry-2');
    const other = await decide('i-2', 'retry-2', channel, { limit: 1 });
    expect(other.status).toBe(422);
    expect(other.json).toMatchObject({ type: 'https://telco-cvm.dev/problems/unprocessable', status: 422 });
    expect(other.json.errors).toEqual([{ field: 'Idempotency-Key', message: 'reused with a different body' }]);
    const again = await decide('i-2', 'retry-2');
    expect(again.json).toEqual(first.json);
  });

  it('runs concurrent requests with one key once: the others replay or answer 409 with Retry-After', async () => {
    const answers = await Promise.all(Array.from({ length: 6 }, () => decide('i-3', 'burst-1')));
    const ran = answers.filter((a) => a.status === 200 && a.headers['idempotent-replayed'] === undefined);
    expect(ran).toHaveLength(1);
    for (const a of answers) {
      if (a.status === 409) expect(a.headers['retry-after']).toBe('1');
      else expect(a.json).toEqual(ran[0]!.json);
    }
    expect(await decisionsOf('i-3')).toHaveLength(1);
  });

  it('stores a 4xx answer too, and scopes keys to the tenant', async () => {
    const missing = await decide('nobody-here', 'retry-404');
    expect(missing.status).toBe(404);
    const again = await decide('nobody-here', 'retry-404');
    expect(again.status).toBe(404);
    expect(again.headers['idempotent-replayed']).toBe('true');
    // the same key from another tenant is another request
    const theirs = await decide('nobody-here', 'retry-404', globex);
    expect(theirs.status).toBe(404);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
  });

  it('refuses a key outside 1-255 visible ASCII characters with 400 naming it', async () => {
    for (const key of ['a b', 'x'.repeat(256), 'ключ']) {
      const res = await decide('i-4', key);
      expect(res.status, key).toBe(400);
      expect(res.json.errors[0].field).toBe('Idempotency-Key');
    }
    expect(await decisionsOf('i-4')).toHaveLength(0);
  });

  it('replays a response to an offer and a campaign start', async () => {
    const decision = (await decide('i-4', 'for-response')).json;
    const actionId = decision.actions[0].actionId as string;
    const respond = () =>
      decisions({
        method: 'POST',
        path: `/v1/decisions/${decision.decisionId}/responses`,
        body: { actionId, response: 'accepted' },
        caller: channel,
        headers: { 'Idempotency-Key': 'resp-1' },
      });
    const first = await respond();
    expect(first.status).toBe(200);
    const again = await respond();
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json).toEqual(first.json);

    const spec = {
      name: 'idem',
      goal: 'take-up',
      audience: { customerIds: ['i-1', 'i-2'] },
      actionIds: [demoCatalog.find((a) => a.treatments['sms'])!.actionId],
      channel: 'sms',
      controlGroupPercent: 10,
      pilot: { percent: 50, minUplift: 0 },
      responseWindow: 'P1D',
    };
    const start = () =>
      campaigns({
        method: 'POST',
        path: '/v1/campaigns',
        body: spec,
        caller: admin,
        headers: { 'Idempotency-Key': 'c-1' },
      });
    const started = await start();
    expect(started.status).toBe(202);
    const replay = await start();
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json.campaignId).toBe(started.json.campaignId);
    const list = await campaigns({ method: 'GET', path: '/v1/campaigns', caller: admin });
    expect(list.json.items.filter((c: { name: string }) => c.name === 'idem')).toHaveLength(1);
  });
});
