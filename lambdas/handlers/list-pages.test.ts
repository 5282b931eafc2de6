import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decisioningSettingsOf } from '#config/decisioning-settings.ts';
import { demoCatalog } from '#config/markets/demo-catalog.ts';
import { loadMarket } from '#config/markets/index.ts';
import type { Caller } from '#domain/api-key.ts';
import { invoker, type Invoke } from '../test-support/api-event.ts';
import { testTables } from '../test-support/dynamo.ts';

/*
 * Issue 18 item 5: every list pages the same way: `limit` 1-100 (50 by default), an opaque
 * `nextToken` bound to the tenant and the list, a forged or foreign token answers 400.
 */

let decisions: Invoke;
let events: Invoke;
const acme: Caller = { tenant: 'acme', scope: 'admin', keyId: 'acme-admin' };
const globex: Caller = { tenant: 'globex', scope: 'admin', keyId: 'globex-admin' };

const trigger = {
  eventType: 'network.call_dropped',
  condition: { '>=': [{ var: 'state.droppedCalls24h' }, 3] },
  actionId: 'care-health-check-call',
  channel: 'call-centre',
  cooldownHours: 24,
  priority: 10,
  enabled: true,
};

beforeAll(async () => {
  const t = await testTables();
  Object.assign(process.env, t.env, {
    DECISIONING: JSON.stringify(decisioningSettingsOf(loadMarket('demo'))),
    CVM_LOCAL_DIR: mkdtempSync(join(tmpdir(), 'cvm-list-pages-')),
  });
  decisions = invoker((await import('./serve-decisions.ts')).handler as never);
  events = invoker((await import('./serve-events.ts')).handler as never);
  const template = demoCatalog[0]!;
  for (let i = 0; i < 7; i++) {
    const put = await decisions({
      method: 'PUT',
      path: `/v1/actions/pg-${i}`,
      body: { ...template, actionId: `pg-${i}` },
      caller: acme,
    });
    expect(put.status).toBe(201);
    expect((await events({ method: 'PUT', path: `/v1/triggers/tg-${i}`, body: trigger, caller: acme })).status).toBe(
      201,
    );
  }
  await decisions({
    method: 'PUT',
    path: '/v1/actions/other',
    body: { ...template, actionId: 'other' },
    caller: globex,
  });
});

/** Every id of a list, following nextToken with pages of `limit`. */
async function walk(call: Invoke, path: string, idField: string, limit: number, caller = acme) {
  const pages: string[][] = [];
  let token: string | undefined;
  do {
    const query = { limit: String(limit), ...(token ? { nextToken: token } : {}) };
    const res = await call({ method: 'GET', path, query, caller });
    expect(res.status).toBe(200);
    pages.push(res.json.items.map((i: Record<string, string>) => i[idField]));
    token = res.json.nextToken;
  } while (token && pages.length < 20);
  return pages;
}

describe.each([
  ['/v1/actions', 'actionId', 'pg-', () => decisions],
  ['/v1/triggers', 'triggerId', 'tg-', () => events],
] as const)('GET %s', (path, idField, prefix, callOf) => {
  it('pages in id order with limit, and every item once', async () => {
    const pages = await walk(callOf(), path, idField, 3);
    const ids = pages.flat();
    expect(ids.filter((id) => id.startsWith(prefix))).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => `${prefix}${i}`));
    expect(new Set(ids).size).toBe(ids.length);
    expect(pages.every((p) => p.length <= 3)).toBe(true);
  });

  it('answers 50 at most without a limit, and refuses a limit outside 1-100', async () => {
    const res = await callOf()({ method: 'GET', path, caller: acme });
    expect(res.status).toBe(200);
    expect(res.json.items.length).toBeLessThanOrEqual(50);
    for (const limit of ['0', '101', 'x']) {
      const bad = await callOf()({ method: 'GET', path, query: { limit }, caller: acme });
      expect(bad.status, limit).toBe(400);
      expect(bad.json.errors[0].field).toContain('limit');
    }
  });

  it("refuses a forged token and another tenant's token with 400", async () => {
    const first = await callOf()({ method: 'GET', path, query: { limit: '1' }, caller: acme });
    const token = first.json.nextToken as string;
    expect(token).toEqual(expect.any(String));
    const forged = Buffer.from(JSON.stringify({ t: 'acme', l: 'actions', k: { pk: 'C#someone', sk: 'P' } })).toString(
      'base64url',
    );
    for (const [nextToken, caller] of [
      ['not-a-token', acme],
      [forged, acme],
      [token, globex],
    ] as const) {
      const res = await callOf()({ method: 'GET', path, query: { nextToken }, caller });
      expect(res.status).toBe(400);
      expect(res.json.errors).toEqual([{ field: 'nextToken', message: 'invalid' }]);
    }
  });
});
