import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '#adapters/dynamo/client.ts';
import { DynamoScoreRunStore } from '#adapters/dynamo/score-run-store.ts';
import { fileModelSource } from '#adapters/models/file-model-store.ts';
import { EmbeddedScoring } from '#adapters/scoring/embedded-scoring.ts';
import { loadMarket } from '#config/markets/index.ts';
import { fixedClock } from '#domain/clock.ts';
import { stateView } from '#domain/customer-state.ts';
import type { CustomerRecord } from '#domain/customer.ts';
import { ibmTelco } from '#domain/datasets/ibm-telco.ts';
import type { ProfileScan, ScoreStore } from '#domain/ports/scoring.ts';
import { featureDriftCounter } from '#domain/scoring/feature-drift.ts';
import { loadPinnedModels } from '#domain/scoring/model-store.ts';
import { Scorer } from '#domain/scoring/scorer.ts';
import { type DriftBaseline, loadDriftBaseline } from '#domain/scoring/training-histogram.ts';
import { testTables } from '../test-support/dynamo.ts';
import {
  reportScoreBase,
  reportScoreRun,
  SCORE_RUN_KEEP_DAYS,
  scoreRunSegment,
  scoreSegment,
  type SegmentResult,
} from './scoring.ts';

const AT = '2026-12-06T02:00:00.000Z';
const SEGMENTS = 4;
const market = loadMarket('demo');
const rows = parse(readFileSync(resolve(import.meta.dirname, '../../data/ibm-telco-churn.train.csv'), 'utf8'), {
  columns: true,
  to_line: 401,
}) as Record<string, string>[];
const records: CustomerRecord[] = rows
  .map((r, i) => ibmTelco.toProfile(r, i + 1))
  .flatMap((m) => (m.ok ? [{ ...m.profile, version: 1, createdAt: AT, updatedAt: AT }] : []));

/** A parallel scan over the IBM rows: segment k holds every row whose index is k modulo the segment count. */
const scan: ProfileScan = {
  async *scanSegment(_tenant, segment, totalSegments) {
    for (let i = segment; i < records.length; i += totalSegments)
      yield { customerId: records[i]!.customerId, record: records[i]! };
  },
};
const writes = (answer: 'written' | 'missing'): ScoreStore => ({ saveScores: async () => answer });

let baseline: DriftBaseline;
let ports: Omit<Parameters<typeof scoreSegment>[0], 'scoreStore'>;
let runs: DynamoScoreRunStore;
let table: string;
let db: ReturnType<typeof documentClient>;

beforeAll(async () => {
  const t = await testTables(['consumer']);
  table = t.tenantTables['consumer']!;
  db = documentClient({ endpoint: t.endpoint });
  runs = new DynamoScoreRunStore(db, () => table);
  const source = fileModelSource(resolve(import.meta.dirname, '../../models'));
  const clock = fixedClock(AT);
  baseline = await loadDriftBaseline(source, 'demo', market.scoring.models, market.models.psiTopFeatures);
  ports = {
    scan,
    scoring: new EmbeddedScoring(new Scorer(await loadPinnedModels(source, 'demo', market.scoring.models), clock)),
    writeDelta: market.scoring.writeDelta,
    featureDrift: featureDriftCounter(baseline.features),
    clock,
    readState: stateView,
  };
});

/** The report as the workflow made it before: every segment's whole result through the Map to the report. */
async function reportThroughTheMap(tenant: string) {
  const results: SegmentResult[] = [];
  for (let segment = 0; segment < SEGMENTS; segment++)
    results.push(
      await scoreSegment({ ...ports, scoreStore: writes('written') })({ tenant, segment, totalSegments: SEGMENTS }),
    );
  return { results, report: reportScoreBase(tenant, results, baseline.training, baseline.modelOf) };
}

const runSegment = (run: string, segment: number, answer: 'written' | 'missing' = 'written') =>
  scoreRunSegment({ ...ports, scoreStore: writes(answer), runs })({
    tenant: 'consumer',
    run,
    segment,
    totalSegments: SEGMENTS,
  });

describe('score-base runs keep their segments in the tenant table (DynamoDB Local, demo models)', () => {
  it('merges the kept segments into the same totals, histograms and drift as the results passed through the Map', async () => {
    const before = await reportThroughTheMap('consumer');
    for (let segment = 0; segment < SEGMENTS; segment++) await runSegment('run-1', segment);
    const after = await reportScoreRun({ runs })(
      { tenant: 'consumer', run: 'run-1', totalSegments: SEGMENTS },
      baseline,
    );
    expect(after).toEqual(before.report);
    expect(after).toMatchObject({ scored: records.length, failedSegments: [], segments: SEGMENTS });
    // drift is measured: the scores' and the watched features' PSI against their training histograms
    expect(after.drift['churn']!.psi).toEqual(expect.any(Number));
    expect(Object.keys(after.featureDrift)).toHaveLength(
      Object.keys(market.scoring.models).length * market.models.psiTopFeatures,
    );
  });

  it('counts a segment the workflow retried once: the last attempt replaces what the earlier one kept', async () => {
    const { report: once } = await reportThroughTheMap('consumer');
    for (let segment = 0; segment < SEGMENTS; segment++) await runSegment('run-retried', segment);
    // segment 2 again, as a retry after its task timed out: its scores are on the profiles by now
    const retry = await runSegment('run-retried', 2, 'missing');
    const report = await reportScoreRun({ runs })(
      { tenant: 'consumer', run: 'run-retried', totalSegments: SEGMENTS },
      baseline,
    );
    expect(report.scored).toBe(records.length);
    expect(report.histograms).toEqual(once.histograms);
    expect(report.drift).toEqual(once.drift);
    expect(report.written).toBe(once.written - retry.scored);
    expect(report.skipped).toBe(retry.scored);
  });

  it('names the planned segments that kept no outcome as failed, and reads only its own run', async () => {
    await runSegment('run-partial', 0);
    await runSegment('run-partial', 3);
    await runSegment('run-other', 1);
    const report = await reportScoreRun({ runs })(
      { tenant: 'consumer', run: 'run-partial', totalSegments: SEGMENTS },
      baseline,
    );
    expect(report.failedSegments).toEqual([1, 2]);
    const { results } = await reportThroughTheMap('consumer');
    expect(report.scored).toBe(results[0]!.scored + results[3]!.scored);
  });

  it('keeps each outcome as one item under the run that expires after the redrive window', async () => {
    await runSegment('run-ttl', 1);
    const items = (
      await db.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': 'SB#run-ttl' },
        }),
      )
    ).Items!;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ sk: 'SEG#0000001', kind: 'score-segment', segment: 1 });
    expect(items[0]!['expiresAt']).toBe(Date.parse(AT) / 1000 + SCORE_RUN_KEEP_DAYS * 86_400);
  });
});

describe('what a segment hands back to the workflow', () => {
  it('is a few numbers, while its outcome (about 1.5 KB with the demo models) stays in the table', async () => {
    const { results } = await reportThroughTheMap('consumer');
    const outcomeBytes = Buffer.byteLength(JSON.stringify(results[0]));
    // 24 histograms: 9 scores (churn, 7 cross-sell heads, nps) and 15 watched features
    expect(Object.keys(results[0]!.histograms)).toHaveLength(24);
    expect(outcomeBytes).toBeGreaterThan(1000);
    const status = await runSegment('run-bytes', 0);
    expect(status).toEqual({
      segment: 0,
      scored: results[0]!.scored,
      written: results[0]!.written,
      skipped: results[0]!.skipped,
    });
    // the largest a status can be: the highest segment, and counts of a whole 9M-customer base
    const largest = { segment: 999_999, scored: 9_000_000, written: 9_000_000, skipped: 9_000_000 };
    expect(Buffer.byteLength(JSON.stringify(largest))).toBeLessThanOrEqual(80);
  });
});
