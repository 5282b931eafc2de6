import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocal, type StartedRuntime } from '../scripts/local/npm-start.ts';
import { fuzzApi, fuzzRules } from './support/http-fuzz.ts';

/** `npm run test:long`: 10,000 generated requests (FUZZ_RUNS overrides, FUZZ_SEED replays a run). */
describe('API fuzzing (long)', () => {
  let rt: StartedRuntime;
  // the scheduled build-reports job would write report snapshots in the middle of a table comparison
  beforeAll(async () => {
    rt = await startLocal({ CVM_REPORTS_INTERVAL_S: '86400' });
  });
  afterAll(async () => {
    if (rt && rt.child.exitCode === null) await rt.interrupt();
  });

  const runs = Number(process.env['FUZZ_RUNS'] ?? 10_000);
  it(`answers ${runs} arbitrary requests without a 5xx, with documented problem+json, and no 4xx changes stored data`, async () => {
    const info = rt.info as typeof rt.info & { dynamoEndpoint: string };
    const seed = process.env['FUZZ_SEED'] ? Number(process.env['FUZZ_SEED']) : undefined;
    const stats = await fuzzApi({
      baseUrl: info.baseUrl,
      dynamoEndpoint: info.dynamoEndpoint,
      numRuns: runs,
      ...(seed !== undefined ? { seed } : {}),
      keys: { own: info.tenants['consumer']!, other: info.tenants['enterprise']! },
    });
    console.log('fuzz (long):', JSON.stringify(stats));
    expect(stats.fiveXx).toBe(0);
    expect(stats.cases).toBe(runs);
    // bodies that are not UTF-8 or hold prototype keys were sent, and none was taken
    expect(stats.hostile.sent).toBeGreaterThan(0);
  });

  const ruleRuns = Number(process.env['FUZZ_RULE_RUNS'] ?? 2_000);
  it(`sends ${ruleRuns} generated rules to the writes that take one: 400 naming the field over a limit, stored otherwise`, async () => {
    const seed = process.env['FUZZ_SEED'] ? Number(process.env['FUZZ_SEED']) : undefined;
    const stats = await fuzzRules({
      baseUrl: rt.info.baseUrl,
      numRuns: ruleRuns,
      ...(seed !== undefined ? { seed } : {}),
      keys: { own: rt.info.tenants['consumer']!, other: rt.info.tenants['enterprise']! },
    });
    console.log('fuzz rules (long):', JSON.stringify(stats));
    expect(stats.fiveXx).toBe(0);
    expect(stats.slowestBombMs).toBeLessThan(1000);
  });
});
