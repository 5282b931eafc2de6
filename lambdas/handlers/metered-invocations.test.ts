import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Caller } from '#domain/api-key.ts';
import { decisioningSettingsOf } from '#config/decisioning-settings.ts';
import { demoCatalog } from '#config/markets/demo-catalog.ts';
import { loadMarket } from '#config/markets/index.ts';
import { invoker, type Invoke } from '../test-support/api-event.ts';
import { dropUnreadEmf, EMF_METER_ENV } from '../test-support/emf.ts';
import { testTables, type TestTables } from '../test-support/dynamo.ts';

type Emf = Record<string, any>;

// The handlers (and the container meter) read the environment when first imported: each import below is dynamic, after it is set.

/** The EMF lines written to stdout while `run` ran (logs are on stdout too: only `_aws` lines count). */
async function emfDuring(run: () => Promise<unknown>): Promise<{ blobs: Emf[]; raw: string[] }> {
  const writes: string[] = [];
  const original = process.stdout.write.bind(process.stdout);
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: never[]) => {
    const text = String(chunk);
    if (text.includes('"_aws"')) {
      writes.push(text);
      return true;
    }
    return original(chunk, ...rest);
  }) as typeof process.stdout.write);
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  const raw = writes.join('').split('\n').filter(Boolean);
  return { blobs: raw.map((l) => JSON.parse(l) as Emf), raw };
}

afterEach(() => vi.restoreAllMocks());
afterAll(dropUnreadEmf());

describe('one decision, metered', () => {
  const acme: Caller = { tenant: 'acme', scope: 'admin', keyId: 'acme-admin' };
  let t: TestTables;
  let decisions: Invoke;
  let customers: Invoke;

  beforeAll(async () => {
    t = await testTables();
    const market = loadMarket('demo');
    Object.assign(process.env, t.env, {
      DECISIONING: JSON.stringify(decisioningSettingsOf(market)),
      CVM_NOW: '2025-03-12T08:00:00.000Z',
      MODEL_PINS: JSON.stringify(market.scoring.models),
      ...EMF_METER_ENV,
    });
    decisions = invoker((await import('./serve-decisions.ts')).handler as never);
    customers = invoker((await import('./serve-customers.ts')).handler as never);
    for (const action of demoCatalog)
      await decisions({ method: 'PUT', path: `/v1/actions/${action.actionId}`, body: action, caller: acme });
    await customers({
      method: 'PUT',
      path: '/v1/customers/c-1',
      caller: acme,
      body: {
        segment: 'youth',
        tenureMonths: 30,
        monthlyCharge: 85,
        contract: 'month-to-month',
        consent: { app: true },
      },
    });
  }, 60_000);

  it('leaves as ONE EMF line: the call, the decision by tenant and by channel, and the capacity it consumed', async () => {
    const { blobs, raw } = await emfDuring(async () => {
      const res = await decisions({
        method: 'POST',
        path: '/v1/decisions',
        body: { customerId: 'c-1', channel: 'app' },
        caller: { ...acme, scope: 'channel' },
      });
      expect(res.status).toBe(200);
    });
    expect(blobs).toHaveLength(1);
    const [blob] = blobs;
    expect(blob).toMatchObject({
      service: 'telco-cvm',
      market: t.market,
      tenant: 'acme',
      channel: 'app',
      ApiRequest: 1,
      Decision: 1,
    });
    expect(blob!['ReadCapacityUnits']).toBeGreaterThan(0);
    expect(blob!['WriteCapacityUnits']).toBeGreaterThan(0);
    expect(blob!['_aws'].CloudWatchMetrics.map((d: Emf) => d['Dimensions'])).toEqual([
      [['service', 'market', 'tenant']],
      [['service', 'market', 'channel']],
    ]);
    // the log ingestion one decision adds for metering (the cost model's emfBytes)
    expect(Buffer.byteLength(`${raw[0]}\n`)).toBeLessThan(640);
  });

  it('still writes the meters of a call that failed', async () => {
    const { blobs } = await emfDuring(async () => {
      const res = await decisions({
        method: 'POST',
        path: '/v1/decisions',
        body: { customerId: 'nobody', channel: 'app' },
        caller: { ...acme, scope: 'channel' },
      });
      expect(res.status).toBe(404);
    });
    expect(blobs).toHaveLength(1);
    expect(blobs[0]).toMatchObject({ tenant: 'acme', ApiRequest: 1 });
    expect(blobs[0]!['Decision']).toBeUndefined();
  });

  it('meters a score-base run as one workflow execution of its tenant when the report step ends', async () => {
    const { handler } = await import('./score-report.ts');
    const { blobs } = await emfDuring(() => handler({ tenant: 'acme', run: 'run-metered', totalSegments: 1 }));
    expect(blobs.map((b) => [b['tenant'], b['WorkflowExecution']])).toEqual([['acme', 1]]);
  });
});
