import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocal, type StartedRuntime } from '../scripts/local/npm-start.ts';
import { fuzzApi, fuzzRules } from './support/http-fuzz.ts';

/** Two hundred generated requests in `npm test`; e2e/fuzz.long.test.ts sends 10,000+. */
describe('API fuzzing (quick)', () => {
  let rt: StartedRuntime;
  // the scheduled build-reports job would write report snapshots in the middle of a table comparison
  beforeAll(async () => {
    rt = await startLocal({ CVM_REPORTS_INTERVAL_S: '86400' });
  });
  afterAll(async () => {
    if (rt && rt.child.exitCode === null) await rt.interrupt();
  });

  it('answers 200 arbitrary requests without a 5xx, with documented problem+json, and no 4xx changes stored data', async () => {
    const info = rt.info as typeof rt.info & { dynamoEndpoint: string };
    const stats = await fuzzApi({
      baseUrl: info.baseUrl,
      dynamoEndpoint: info.dynamoEndpoint,
      numRuns: 200,
      keys: { own: info.tenants['consumer']!, other: info.tenants['enterprise']! },
    });
    console.log('fuzz (quick):', JSON.stringify(stats));
    expect(stats.fiveXx).toBe(0);
    expect(stats.sent).toBeGreaterThan(180);
    // bodies that are not UTF-8 or hold prototype keys were sent, and none was taken
    expect(stats.hostile.sent).toBeGreaterThan(0);
  });

  it('refuses every rule over a limit with 400 naming its field, stores every other, and answers each rule bomb within a second', async () => {
    const stats = await fuzzRules({
      baseUrl: rt.info.baseUrl,
      numRuns: 200,
      keys: { own: rt.info.tenants['consumer']!, other: rt.info.tenants['enterprise']! },
    });
    console.log('fuzz rules (quick):', JSON.stringify(stats));
    expect(stats.fiveXx).toBe(0);
    expect(stats.accepted).toBeGreaterThan(10);
    expect(stats.slowestBombMs).toBeLessThan(1000);
  });
});
