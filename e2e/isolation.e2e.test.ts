import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, type RouteSpec } from '#http/routes.ts';
import { startLocal, type StartedRuntime } from '../scripts/local/npm-start.ts';
import { seedBodies } from './support/http-fuzz.ts';

/**
 * The tenant isolation matrix, generated from ROUTES so a new route is covered the day it is
 * declared: for every guarded route, tenant B's keys against tenant A's resources get exactly
 * what absence gets (same status, same problem type), no answer to B mentions A's data, and a
 * channel key gets 403 on every admin route.
 */
let rt: StartedRuntime;
let base: string;
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
  name: { a: 'kpis', absent: 'kpis' },
  // every tenant has the market's channels: A connects email (a webhook naming A), nobody connects push
  channel: { a: 'email', absent: 'push' },
};

const call = async (method: string, path: string, key: string, body?: unknown) => {
  const res = await fetch(base + path, {
    method,
    headers: { 'x-api-key': key, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: res.status, text, type: json?.type as string | undefined, json };
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

/** Reads first, then deletes, then writes: B's own writes must not change what B's later reads see. */
const ORDER: Record<string, number> = { GET: 0, DELETE: 1, POST: 2, PUT: 3, PATCH: 3 };
const guarded = ROUTES.filter((r) => r.scope !== 'public').sort((x, y) => ORDER[x.method]! - ORDER[y.method]!);

beforeAll(async () => {
  // Workflow waits shortened so tenant A's campaign fixture runs to its end within the setup.
  rt = await startLocal({ CVM_TIME_SCALE: '100000' });
  base = rt.info.baseUrl;
  A = rt.info.tenants['consumer']!;
  B = rt.info.tenants['enterprise']!;
  const seeds = seedBodies(NOW) as Record<string, Record<string, unknown>>;
  const ok = (r: { status: number; text: string }) => expect(r.status, r.text).toBeLessThan(300);
  ok(
    await call('PUT', `/v1/customers/${MARK}cust`, A.apiKey, {
      ...seeds['putCustomer'],
      householdId: `${MARK}hh`,
      accountId: `${MARK}acct`,
    }),
  );
  ok(await call('PUT', `/v1/actions/${MARK}action`, A.apiKey, { ...seeds['putAction'], name: `${MARK}offer` }));
  ok(await call('PUT', `/v1/triggers/${MARK}trigger`, A.apiKey, { ...seeds['putTrigger'], actionId: `${MARK}action` }));
  // loopback over http is a target the local runtime allows; nothing is sent on email here
  ok(await call('PUT', '/v1/channels/email', A.apiKey, { type: 'webhook', url: `http://127.0.0.1:9/${MARK}hook` }));
  ok(
    await call('POST', '/v1/events', A.channelKey, {
      events: [
        {
          eventId: `${MARK}ev`,
          customerId: `${MARK}cust`,
          type: 'billing.topup',
          occurredAt: NOW,
          data: { amount: 50 },
        },
      ],
    }),
  );
  const decision = await call('POST', '/v1/decisions', A.channelKey, { customerId: `${MARK}cust`, channel: 'sms' });
  ok(decision);
  const decisionId = decision.json.decisionId as string;
  // decision ids name no customer: the absent one is a well-formed id nobody was given
  fixtures['decisionId'] = { a: decisionId, absent: `${decisionId.slice(0, 9)}zzzzzzzzzzzz` };
  if (ROUTES.some((r) => r.id === 'createCampaign')) {
    const campaign = await call('POST', '/v1/campaigns', A.apiKey, {
      ...seeds['createCampaign'],
      name: `${MARK}campaign`,
      audience: { customerIds: [`${MARK}cust`] },
    });
    // campaigns are new: until one can be started here, their routes are still checked against absence
    if (campaign.status < 300) {
      fixtures['campaignId']!.a = campaign.json.campaignId as string;
      // A's own campaign decides for A's customer in the background: let it finish first, so the
      // before/after comparison below sees only what B's requests could have changed.
      for (let i = 0; i < 240; i++) {
        const c = await call('GET', `/v1/campaigns/${campaign.json.campaignId}`, A.apiKey);
        if (!['running', 'paused'].includes(c.json?.status)) break;
        await new Promise((r) => setTimeout(r, 250));
      }
    } else console.warn(`could not start a campaign for tenant A (${campaign.status}): ${rt.output().slice(-1500)}`);
  }
});

afterAll(async () => {
  if (rt && rt.child.exitCode === null) await rt.interrupt();
});

describe('tenant isolation, generated from ROUTES', () => {
  it('has a fixture for every path parameter of every route (add one when a route adds a resource)', () => {
    const missing = [...new Set(guarded.flatMap(paramsOf))].filter((p) => !fixtures[p]);
    expect(missing).toEqual([]);
  });

  it("gives tenant B on tenant A's resources exactly what absence gets, and never A's data", async () => {
    const before = await Promise.all(
      [`/v1/customers/${MARK}cust`, `/v1/actions/${MARK}action`, `/v1/triggers/${MARK}trigger`].map((p) =>
        call('GET', p, A.apiKey),
      ),
    );
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
    const after = await Promise.all(
      [`/v1/customers/${MARK}cust`, `/v1/actions/${MARK}action`, `/v1/triggers/${MARK}trigger`].map((p) =>
        call('GET', p, A.apiKey),
      ),
    );
    for (const [i, res] of after.entries()) {
      expect(res.status).toBe(200);
      // state.asOf is the read time, not stored data
      const strip = (v: any) => ({
        ...v,
        updatedAt: undefined,
        state: v.state ? { ...v.state, asOf: undefined } : undefined,
      });
      const now = strip(res.json);
      const then = strip(before[i]!.json);
      expect(now).toEqual(then);
    }
  });

  it("lists and reports of tenant A never show tenant B's rows either", async () => {
    await call('PUT', '/v1/actions/iso-b-action', B.apiKey, {
      ...(seedBodies(NOW)['putAction'] as object),
      name: 'iso-b-offer',
    });
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
