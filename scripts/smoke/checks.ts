import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiClient } from '../lib/api/api-client.ts';
import { expectStatus, expectThat, SmokeFailure } from './http.ts';
import type { Step } from './run.ts';
import { SMOKE_EVENT_TYPE, smokeEvent, smokeProfile } from './smoke-customer.ts';

export interface SmokeContext {
  /** The typed client (no key of its own: each check names the key it sends). */
  api: ApiClient;
  /** The tenant's admin key: every check runs as the tenant's administrator. */
  key: string;
  wrongKey: string;
  customerId: string;
  /** How long the event may take to reach the customer's state (queue, processor, cold start). */
  applyWaitMs: number;
  /** Aborted on Ctrl-C: waiting stops so that the cleanup runs at once. */
  stop?: AbortSignal;
  /** Set when the PUT created the smoke customer; the checks that need it skip without it. */
  created?: { at: string };
}

const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

const customerPath = (ctx: SmokeContext) => `/v1/customers/${encodeURIComponent(ctx.customerId)}`;
const customer = (ctx: SmokeContext) => ({ path: { customerId: ctx.customerId } });

function needsCustomer(ctx: SmokeContext): { at: string } {
  if (!ctx.created) throw new SmokeFailure('skipped: the smoke customer was not created');
  return ctx.created;
}

export async function health(ctx: SmokeContext) {
  const reply = await ctx.api.get('/v1/health');
  expectStatus(reply, 200);
  expectThat(reply.json.status === 'ok', `status is not ok: ${reply.text.slice(0, 100)}`);
}

export async function openapi(ctx: SmokeContext) {
  const reply = await ctx.api.get('/v1/openapi.json');
  expectStatus(reply, 200);
  const doc = reply.json;
  expectThat(typeof doc.openapi === 'string' && doc.openapi.startsWith('3.'), 'not an OpenAPI 3 document');
  const paths = Object.keys(record(doc.paths));
  for (const path of ['/v1/customers/{customerId}', '/v1/events', '/v1/decisions']) {
    expectThat(paths.includes(path), `the document has no ${path}`);
  }
}

export async function noKeyIs401(ctx: SmokeContext) {
  expectStatus(await ctx.api.get('/v1/customers/{customerId}', { ...customer(ctx), key: null }), 401);
}

export async function wrongKeyIs403(ctx: SmokeContext) {
  expectStatus(await ctx.api.get('/v1/customers/{customerId}', { ...customer(ctx), key: ctx.wrongKey }), 403);
}

export async function putCustomer(ctx: SmokeContext) {
  const reply = await ctx.api.put('/v1/customers/{customerId}', {
    ...customer(ctx),
    key: ctx.key,
    body: smokeProfile(),
  });
  // 201 and nothing else: a 200 would mean the id belonged to someone already
  expectStatus(reply, 201);
  const createdAt = reply.json.createdAt;
  // the platform's clock, not this machine's: the event is dated by it (a local runtime may run at CVM_NOW)
  ctx.created = { at: typeof createdAt === 'string' ? createdAt : new Date().toISOString() };
}

export async function getCustomer(ctx: SmokeContext) {
  needsCustomer(ctx);
  const reply = await ctx.api.get('/v1/customers/{customerId}', { ...customer(ctx), key: ctx.key });
  expectStatus(reply, 200);
  const body = reply.json;
  expectThat(body.customerId === ctx.customerId, `answered customer ${String(body.customerId)}`);
  const consent = record(body.consent);
  const given = Object.entries(smokeProfile().consent).filter(([channel]) => consent[channel] !== false);
  expectThat(given.length === 0, `consent is not false for ${given.map(([c]) => c).join(', ')}`);
}

export async function sendEvent(ctx: SmokeContext) {
  const created = needsCustomer(ctx);
  // A tenant may have authored a trigger on the smoke's event type: then send nothing at all.
  const listening: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ctx.api.get('/v1/triggers', { key: ctx.key, query: { limit: 100, nextToken } });
    expectStatus(page, 200, 'GET /v1/triggers');
    for (const t of page.json.items) if (t.eventType === SMOKE_EVENT_TYPE) listening.push(t.triggerId);
    nextToken = page.json.nextToken;
  } while (nextToken);
  expectThat(listening.length === 0, `not sent: trigger ${listening.join(', ')} listens to ${SMOKE_EVENT_TYPE}`);

  const reply = await ctx.api.post('/v1/events', {
    key: ctx.key,
    body: { events: [smokeEvent(ctx.customerId, created.at)] },
  });
  expectStatus(reply, 202, 'POST /v1/events');
  const { accepted, rejected } = reply.json;
  expectThat(rejected.length === 0, `rejected: ${JSON.stringify(rejected)}`);
  expectThat(accepted === 1, `accepted ${accepted} events, not 1`);
}

export async function eventApplied(ctx: SmokeContext) {
  needsCustomer(ctx);
  const deadline = Date.now() + ctx.applyWaitMs;
  for (;;) {
    const reply = await ctx.api.get('/v1/customers/{customerId}', { ...customer(ctx), key: ctx.key });
    expectStatus(reply, 200);
    // The smoke customer's only event is ours, so any state at all means it was applied; which
    // counters it moves is the state engine's business.
    if (Object.keys(record(reply.json.state)).length > 0) return;
    if (ctx.stop?.aborted) throw new SmokeFailure('interrupted');
    if (Date.now() >= deadline) {
      throw new SmokeFailure(`the customer's state did not show the event within ${ctx.applyWaitMs / 1000} s`);
    }
    await sleep(250);
  }
}

export async function decide(ctx: SmokeContext) {
  needsCustomer(ctx);
  // app is an inbound channel: the answer goes back to the caller, nothing is sent to the customer
  const reply = await ctx.api.post('/v1/decisions', {
    key: ctx.key,
    body: { customerId: ctx.customerId, channel: 'app', limit: 1 },
  });
  expectStatus(reply, 200);
  expectThat(typeof reply.json.decisionId === 'string', 'no decisionId');
  expectThat(Array.isArray(reply.json.actions), 'no actions list');
}

export async function exportCustomer(ctx: SmokeContext) {
  needsCustomer(ctx);
  const reply = await ctx.api.get('/v1/customers/{customerId}/export', { ...customer(ctx), key: ctx.key });
  expectStatus(reply, 200);
  const body = reply.json;
  expectThat(body.customerId === ctx.customerId, `exported customer ${String(body.customerId)}`);
  expectThat(Array.isArray(body.items) && body.items.length > 0, 'the export holds no items');
}

export async function readReport(ctx: SmokeContext) {
  const reply = await ctx.api.get('/v1/reports/{name}', { path: { name: 'kpis' }, key: ctx.key });
  expectStatus(reply, 200);
  expectThat(reply.json.report === 'kpis', `answered report ${String(reply.json.report)}`);
  expectThat(Array.isArray(reply.json.periods), 'no periods list');
}

export async function deleteCustomer(ctx: SmokeContext) {
  // Sent even when the PUT failed: a PUT that timed out may still have written the customer.
  const reply = await ctx.api.delete('/v1/customers/{customerId}', { ...customer(ctx), key: ctx.key });
  if (!ctx.created && reply.status === 404) throw new SmokeFailure('skipped: the smoke customer was not created');
  expectStatus(reply, 204);
}

export async function customerGone(ctx: SmokeContext) {
  const reply = await ctx.api.get('/v1/customers/{customerId}', { ...customer(ctx), key: ctx.key });
  // the one failure that leaves something behind: say which customer, so a person can erase it
  if (reply.status === 200) {
    throw new SmokeFailure(`${ctx.customerId} is still stored: erase it with DELETE ${customerPath(ctx)}`);
  }
  expectStatus(reply, 404);
}

/**
 * The checks in order. The round trip's erasure and its proof are cleanup steps: they run even
 * when an earlier check failed or the run was interrupted, so no smoke customer is left behind.
 */
export function smokeSteps(ctx: SmokeContext): Step[] {
  const step = (name: string, check: (c: SmokeContext) => Promise<void>, cleanup = false): Step => ({
    name,
    run: () => check(ctx),
    cleanup,
  });
  return [
    step('health', health),
    step('openapi', openapi),
    step('no key is 401', noKeyIs401),
    step('wrong key is 403', wrongKeyIs403),
    step('customer put', putCustomer),
    step('customer get', getCustomer),
    step('event accepted', sendEvent),
    step('event applied', eventApplied),
    step('decision', decide),
    step('customer export', exportCustomer),
    step('report read', readReport),
    step('customer delete', deleteCustomer, true),
    step('customer gone', customerGone, true),
  ];
}
