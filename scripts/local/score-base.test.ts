import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '#adapters/dynamo/client.ts';
import { DynamoCustomerRepo } from '#adapters/dynamo/customer-repo.ts';
import { importProfiles } from '#app/import-profiles.ts';
import { loadMarket } from '#config/markets/index.ts';
import { fixedClock } from '#domain/clock.ts';
import { ibmTelco } from '#domain/datasets/ibm-telco.ts';
import { testTables, type TestTables } from '../../lambdas/test-support/dynamo.ts';
import { localScoringEnv, runScoreBase } from './score-base.ts';

const rows = parse(readFileSync(resolve(import.meta.dirname, '../../data/ibm-telco-churn.train.csv'), 'utf8'), {
  columns: true,
  to_line: 31,
}) as Record<string, string>[];
const profiles = rows.map((r, i) => ibmTelco.toProfile(r, i + 1)).flatMap((m) => (m.ok ? [m.profile] : []));

let tables: TestTables;
let repo: DynamoCustomerRepo;
let env: Record<string, string>;
beforeAll(async () => {
  tables = await testTables(['consumer']);
  repo = new DynamoCustomerRepo(documentClient({ endpoint: tables.endpoint }), (t) => tables.tenantTables[t]!);
  await importProfiles({ customers: repo, clock: fixedClock('2025-03-01T00:00:00Z') })('consumer', profiles);
  await repo.erase('consumer', profiles[0]!.customerId, new Date('2025-03-02T00:00:00Z'));
  env = localScoringEnv(loadMarket('demo'), tables.endpoint, tables.tenantTables);
});

describe('score-base workflow on the local runtime (same ASL, same handlers)', () => {
  it('scores every live profile across the segments and writes their first scores', async () => {
    const report = await runScoreBase({ tenant: 'consumer', totalSegments: 3 }, env);
    const live = profiles.length - 1;
    expect(report).toMatchObject({
      tenant: 'consumer',
      segments: 3,
      failedSegments: [],
      scored: live,
      written: live,
      skipped: 0,
    });
    expect(report.drift['churn']!.customers).toBe(live);
    expect(report.drift['churn']!.psi).toEqual(expect.any(Number));
    expect(report.drift['nps']!.drift).toMatch(/stable|moderate|significant/);
    // each pinned model's drift, and its top features by gain (models.psiTopFeatures) against training
    const market = loadMarket('demo');
    expect(Object.keys(report.modelDrift).sort()).toEqual(Object.keys(market.scoring.models).sort());
    expect(report.modelDrift['churn']!.psi).toEqual(expect.any(Number));
    expect(Object.keys(report.featureDrift)).toHaveLength(
      Object.keys(market.scoring.models).length * market.models.psiTopFeatures,
    );
    expect(report.featureDrift['churn/tenure_months']).toMatchObject({ psi: expect.any(Number), customers: live });
    const stored = await repo.load('consumer', profiles[1]!.customerId);
    expect(stored.record!.scores!.churn).toMatchObject({
      model: 'churn',
      version: market.scoring.models['churn']!.version,
    });
    expect(stored.record!.version).toBe(1);
    expect((await repo.load('consumer', profiles[0]!.customerId)).record).toBeUndefined();
  });

  it('writes nothing on a second run when no score moved', async () => {
    const report = await runScoreBase({ tenant: 'consumer', totalSegments: 2 }, env);
    expect(report).toMatchObject({ scored: profiles.length - 1, written: 0, skipped: profiles.length - 1 });
  });
});
