import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, type RouteSpec } from '#http/routes.ts';
import { expectAnswer, fetchTransport, type Transport } from '../scripts/lib/api/api-client.ts';
import { startLocal, type StartedRuntime } from '../scripts/local/npm-start.ts';
import { seedBodies } from './support/http-fuzz.ts';
import { type TenantApi, tenantApi } from './support/tenant-api.ts';

/**
 * The tenant isolation matrix, generated from ROUTES so a new route is covered the day it is
 * declared: for every guarded route, tenant B's keys against tenant A's resources get exactly
 * what absence gets (same status, same problem type), no answer to B mentions A's data, and a
 * channel key gets 403 on every admin route.
 */
let rt: StartedRuntime;
/** The matrix's requests: method, path and body come from ROUTES at run time, so they go through the untyped transport. */
let send: Transport;
let apiA: TenantApi;
let apiB: TenantApi;
let A: { apiKey: string; channelKey: string };
let B: { apiKey: string; channelKey: string };

/** Every id tenant A owns starts with this marker; no answer to tenant B may contain it. */
const MARK = 'iso-a-';
const NOW = new Date().toISOString();

/** Path parameters: A's resource and an id nobody has. Report names are global, not resources. */
const fixtures: Record<string, { a: string; absent: string }> = {
  customerId: { a: `${MARK}cust`, absent: 'iso-none-cust' },
  householdId: { a: `${MARK}hh`, absent: 'iso-none-hh' },
  actionId: { a: `${MARK}action`, absent: 'iso-none-action' },
  triggerId: { a: `${MARK}trigger`, absent: 'iso-none-trigger' },
  decisionId: { a: '', absent: '' }, // filled in from A's real decision
  campaignId: { a: 'iso-a-campaign-not-created', absent: 'iso-none-campaign' }, // filled in from A's real campaign
  audienceId: { a: 'iso-a-audience-not-created', absent: 'iso-none-audience' }, // filled in from A's real audience
  name: { a: 'kpis', absent: 'kpis' },
  // every tenant has the market's channels: A connects email (a webhook naming A), nobody connects push
  channel: { a: 'email', absent: 'push' },
};

const call = async (method: string, path: string, key: string, body?: unknown) => {
  const res = await send(method, path, { key, ...(body === undefined ? {} : { body }) });
  return {
    status: res.status,
    text: res.text,
    type: (res.json as { type?: string } | undefined)?.type,
    json: res.json,
  };
};

const paramsOf = (route: RouteSpec) => (route.path.match(/\{([^}]+)\}/g) ?? []).map((p) => p.slice(1, -1));
const pathWith = (route: RouteSpec, which: 'a' | 'absent') =>
  route.path.replace(/\{([^}]+)\}/g, (_, p: string) => encodeURIComponent(fixtures[p]?.[which] ?? 'x'));

/** The route's body with resource ids in it (customerId) pointing at A's resource or at nothing. */
function bodyWith(route: RouteSpec, which: 'a' | 'absent'): unknown {
  const seed = seedBodies(NOW)[route.id];
  if (seed === undefined) return route.body ? {} : undefined;
  const customerId = fixtures['customerId']![which];
  return JSON.parse(
    JSON.stringify(seed)
      .replaceAll('"fz-cust-1"', JSON.stringify(customerId))
      .replaceAll('"fz-ev-1"', `"iso-ev-${which}"`),
  );
}

const action = (name: string) => ({
  name,
  kind: 'offer' as const,
  treatments: { sms: { templateKey: 'iso', text: { en: 'Hi' } } },
  eligibility: true,
  propensity: { starting: 0.1 },
  value: 10,
  lever: 1,
  limits: { perCustomer: [{ channel: 'sms' as const, max: 1, days: 7 }], perDay: 100 },
});

/** Reads first, then deletes, then writes: B's own writes must not change what B's later reads see. */
const ORDER: Record<string, number> = { GET: 0, DELETE: 1, POST: 2, PUT: 3, PATCH: 3 };
const guarded = ROUTES.filter((r) => r.scope !== 'public').sort((x, y) => ORDER[x.method]! - ORDER[y.method]!);

beforeAll(async () => {
  // Workflow waits shortened so tenant A's campaign fixture runs to its end within the setup.
  rt = await startLocal({ CVM_TIME_SCALE: '100000' });
  send = fetchTransport(rt.info.baseUrl, 15_000);
  apiA = tenantApi(rt, 'consumer');
  apiB = tenantApi(rt, 'enterprise');
  A = apiA.keys;
  B = apiB.keys;
  const ok = (r: { status: number; text: string }) => expect(r.status, r.text).toBeLessThan(300);
  ok(
    await apiA.admin.put('/v1/customers/{customerId}', {
      path: { customerId: `${MARK}cust` },
      body: { segment: 'youth', householdId: `${MARK}hh`, accountId: `${MARK}acct`, consent: { sms: true } },
    }),
  );
  ok(
    await apiA.admin.put('/v1/actions/{actionId}', {
      path: { actionId: `${MARK}action` },
      body: action(`${MARK}offer`),
    }),
  );
  ok(
    await apiA.admin.put('/v1/triggers/{triggerId}', {
      path: { triggerId: `${MARK}trigger` },
      body: { eventType: 'usage.voice', condition: true, actionId: `${MARK}action`, channel: 'sms', cooldownHours: 1 },
    }),
  );
  // loopback over http is a target the local runtime allows; nothing is sent on email here
  ok(
    await apiA.admin.put('/v1/channels/{channel}', {
      path: { channel: 'email' },
      body: { type: 'webhook', url: `http://127.0.0.1:9/${MARK}hook` },
    }),
  );
  ok(
    await apiA.channel.post('/v1/events', {
      body: {
        events: [
          {
            eventId: `${MARK}ev`,
            customerId: `${MARK}cust`,
            type: 'billing.topup',
            occurredAt: NOW,
            data: { amount: 50 },
          },
        ],
      },
    }),
  );
  const decision = expectAnswer(
    await apiA.channel.post('/v1/decisions', { body: { customerId: `${MARK}cust`, channel: 'sms' } }),
    200,
  );
  const { decisionId } = decision.json;
  // decision ids name no customer: the absent one is a well-formed id nobody was given
  fixtures['decisionId'] = { a: decisionId, absent: `${decisionId.slice(0, 9)}zzzzzzzzzzzz` };
  // an uploaded audience of A's (awaiting its upload): B must not find it
  const audience = await apiA.admin.post('/v1/audiences', {});
  if (audience.status === 201) fixtures['audienceId']!.a = audience.json.audienceId;
  const campaign = await apiA.admin.post('/v1/campaigns', {
    body: {
      name: `${MARK}campaign`,
      goal: 'take-up',
      audience: { customerIds: [`${MARK}cust`] },
      actionIds: ['bigger-bundle-offer'],
      channel: 'sms',
      controlGroupPercent: 10,
      pilot: { percent: 10, minUplift: 1 },
      responseWindow: 'P7D',
    },
  });
  if (campaign.status === 202) {
    const { campaignId } = campaign.json;
    fixtures['campaignId']!.a = campaignId;
    // A's own campaign decides for A's customer in the background: let it finish first, so the
    // before/after comparison below sees only what B's requests could have changed.
    for (let i = 0; i < 240; i++) {
      const c = await apiA.admin.get('/v1/campaigns/{campaignId}', { path: { campaignId } });
      if (c.status !== 200 || !['running', 'paused'].includes(c.json.status)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
  } else console.warn(`could not start a campaign for tenant A (${campaign.status}): ${rt.output().slice(-1500)}`);
});

afterAll(async () => {
  if (rt && rt.child.exitCode === null) await rt.interrupt();
});

/** A's customer, action and trigger as A reads them. */
const aOwnRecords = async () => {
  const customer = await apiA.admin.get('/v1/customers/{customerId}', { path: { customerId: `${MARK}cust` } });
  const action = await apiA.admin.get('/v1/actions/{actionId}', { path: { actionId: `${MARK}action` } });
  const trigger = await apiA.admin.get('/v1/triggers/{triggerId}', { path: { triggerId: `${MARK}trigger` } });
  return [expectAnswer(customer, 200).json, expectAnswer(action, 200).json, expectAnswer(trigger, 200).json];
};

describe('tenant isolation, generated from ROUTES', () => {
  it('has a fixture for every path parameter of every route (add one when a route adds a resource)', () => {
    const missing = [...new Set(guarded.flatMap(paramsOf))].filter((p) => !fixtures[p]);
    expect(missing).toEqual([]);
  });

  it("gives tenant B on tenant A's resources exactly what absence gets, and never A's data", async () => {
    const before = await aOwnRecords();
    const rows: string[] = [];
    for (const route of guarded) {
      if (paramsOf(route).some((p) => !fixtures[p])) continue;
      const keys = route.scope === 'admin' ? { admin: B.apiKey } : { admin: B.apiKey, channel: B.channelKey };
      for (const [label, key] of Object.entries(keys)) {
        const onA = await call(route.method, pathWith(route, 'a'), key, bodyWith(route, 'a'));
        const onNothing = await call(route.method, pathWith(route, 'absent'), key, bodyWith(route, 'absent'));
        rows.push(`${route.id} as B ${label}: ${onA.status} / absent ${onNothing.status}`);
        expect
          .soft({ route: route.id, key: label, status: onA.status, type: onA.type })
          .toEqual({ route: route.id, key: label, status: onNothing.status, type: onNothing.type });
        expect.soft(onA.status, `${route.id}: ${onA.text.slice(0, 200)}`).toBeLessThan(500);
        // the ids B itself sent may be echoed back; beyond them, nothing of A's may appear
        const echoed = paramsOf(route)
          .concat(route.body ? ['customerId'] : [])
          .reduce((t, p) => t.replaceAll(fixtures[p]!.a, fixtures[p]!.absent), onA.text);
        expect
          .soft(echoed.includes(MARK), `${route.id} as B ${label} showed A's data: ${onA.text.slice(0, 300)}`)
          .toBe(false);
        // every problem carries its own request id: the rest must be the same as absence gets
        const withoutRequestId = (text: string) => text.replace(/"requestId":"[^"]*"/, '"requestId":"…"');
        if (onA.status >= 400)
          expect.soft(withoutRequestId(echoed), `${route.id} as B ${label}`).toBe(withoutRequestId(onNothing.text));
      }
    }
    console.log(`isolation matrix (${rows.length} cells):\n  ${rows.join('\n  ')}`);
    // nothing B did reached A's data
    const after = await aOwnRecords();
    // state.asOf is the read time, updatedAt is not stored data
    const strip = ({ updatedAt: _, ...v }: Record<string, unknown> & { state?: object }) => ({
      ...v,
      state: v.state ? { ...v.state, asOf: undefined } : undefined,
    });
    expect(after.map(strip)).toEqual(before.map(strip));
  });

  it("lists and reports of tenant A never show tenant B's rows either", async () => {
    expect(
      (
        await apiB.admin.put('/v1/actions/{actionId}', {
          path: { actionId: 'iso-b-action' },
          body: action('iso-b-offer'),
        })
      ).status,
    ).toBeLessThan(300);
    for (const route of ROUTES.filter(
      (r) => r.method === 'GET' && r.scope !== 'public' && paramsOf(r).every((p) => p === 'name'),
    )) {
      const res = await call('GET', pathWith(route, 'a'), A.apiKey);
      expect(res.status, `${route.id}: ${res.text.slice(0, 200)}`).toBe(200);
      expect(res.text.includes('iso-b-'), route.id).toBe(false);
    }
  });

  it('refuses a channel key on every admin route with 403', async () => {
    const admin = ROUTES.filter((r) => r.scope === 'admin');
    expect(admin.length).toBeGreaterThan(5);
    for (const route of admin) {
      for (const key of [A.channelKey, B.channelKey]) {
        const res = await call(route.method, pathWith(route, 'a'), key, bodyWith(route, 'a'));
        expect
          .soft({ route: route.id, status: res.status, type: res.type })
          .toEqual({ route: route.id, status: 403, type: 'https://telco-cvm.dev/problems/forbidden' });
      }
    }
  });
});
