import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decisioningSettingsOf } from '#config/decisioning-settings.ts';
import { loadMarket } from '#config/markets/index.ts';
import { experimentGroup } from '#domain/decisioning/experiments.ts';
import { expectAnswer } from '../scripts/lib/api/api-client.ts';
import { startLocal, type StartedRuntime } from '../scripts/local/npm-start.ts';
import { type TenantApi, tenantApi } from './support/tenant-api.ts';

/*
 * Issue 19 item 3 on the local runtime: the programme report compares the global control group
 * with everyone else, from what the build-reports job (every second here) reads of the base.
 */

let rt: StartedRuntime;
let consumer: TenantApi;
beforeAll(async () => {
  rt = await startLocal({ CVM_REPORTS_INTERVAL_S: '1' });
  consumer = tenantApi(rt, 'consumer');
}, 120_000);
afterAll(async () => {
  await rt?.interrupt();
});

const experiments = decisioningSettingsOf(loadMarket('demo')).experiments;

describe('GET /v1/reports/programme', () => {
  it('counts the global control group and everyone else, with the differences and their intervals', async () => {
    const ids = Array.from({ length: 60 }, (_, i) => `2783${String(i).padStart(7, '0')}`);
    for (const id of ids)
      expectAnswer(
        await consumer.admin.put('/v1/customers/{customerId}', {
          path: { customerId: id },
          body: { segment: 'youth', monthlyCharge: 50, consent: { sms: true }, language: 'en' },
        }),
        201,
      );
    const control = ids.filter((id) => experimentGroup('consumer', id, experiments) === 'control').length;

    // the job runs every second while the API sees writes: wait for a snapshot that has them all
    let summary: Record<string, unknown> | undefined;
    for (let i = 0; i < 60 && summary?.['controlCustomers'] === undefined; i++) {
      const res = await consumer.admin.get('/v1/reports/{name}', { path: { name: 'programme' } });
      const latest = res.status === 200 ? (res.json.periods.at(-1)?.summary as Record<string, unknown>) : undefined;
      if (latest && Number(latest['controlCustomers']) + Number(latest['othersCustomers']) === ids.length)
        summary = latest;
      else await new Promise((r) => setTimeout(r, 500));
    }
    expect(summary, 'no programme snapshot with the 60 customers').toBeDefined();
    expect(summary).toMatchObject({ controlCustomers: control, othersCustomers: ids.length - control });
    expect(Object.keys(summary!)).toEqual(
      expect.arrayContaining(['churnRateDifference', 'churnRateCi95Low', 'churnRateCi95High', 'arpuDifference']),
    );

    const csv = await consumer.admin.get('/v1/reports/{name}', {
      path: { name: 'programme' },
      query: { format: 'csv' },
    });
    expect(csv.status).toBe(200);
    expect(csv.text.split('\r\n')[0]).toMatch(/^period,/);
    const svg = await consumer.admin.get('/v1/reports/{name}', {
      path: { name: 'programme' },
      query: { format: 'svg' },
    });
    expect(svg.status).toBe(200);
    expect(svg.text).toMatch(/^<svg/);
  }, 90_000);
});
