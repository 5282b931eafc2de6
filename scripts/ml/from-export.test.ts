import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '#adapters/dynamo/client.ts';
import { DynamoCustomerRepo } from '#adapters/dynamo/customer-repo.ts';
import { DynamoScoreStore } from '#adapters/dynamo/score-store.ts';
import { fileModelSource } from '#adapters/models/file-model-store.ts';
import { importProfiles } from '#app/import-profiles.ts';
import { fixedClock } from '#domain/clock.ts';
import type { ProfileWithId } from '#domain/datasets/dataset-schema.ts';
import { ibmTelco } from '#domain/datasets/ibm-telco.ts';
import { loadModel } from '#domain/scoring/model-store.ts';
import { Scorer } from '#domain/scoring/scorer.ts';
import type { FeatureHistogramFile, ScoreHistogramFile } from '#domain/scoring/training-histogram.ts';
import { testTables } from '../../lambdas/test-support/dynamo.ts';
import { hasPythonXgboost, PYTHON } from '../../lambdas/test-support/xgboost-endpoint.ts';
import { exportFeatures } from '../export/export.ts';
import { buildFromExport, type FromExportSummary, writeExportHistograms } from './from-export.ts';

/**
 * The loop closed on a small base: customers imported and churned through their state as the
 * event processor leaves it, exported as an analyst would, trained from the export into a
 * temporary models root (never the repository's), and the new version scored in process.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const CUSTOMERS = 400;
const EXPORTED_AT = new Date('2026-06-01T00:00:00Z');
const SNAPSHOT = Date.parse('2026-03-03T00:00:00Z'); // 90 days before the export: the default window
const DAY = 86_400_000;
const available = hasPythonXgboost();

const rows = parse(readFileSync(resolve(ROOT, 'data/ibm-telco-churn.train.csv'), 'utf8'), {
  columns: true,
  to_line: CUSTOMERS + 1,
}) as Record<string, string>[];
const mapped = rows.flatMap((r, i) => {
  const m = ibmTelco.toProfile(r, i + 1);
  return m.ok ? [{ profile: m.profile, churned: m.label?.churned === true }] : [];
});

let dir: string;
let models: string;
let summary: FromExportSummary;
let trained: { status: number | null; stderr: string };
let exportRows: Record<string, string>[];
const gone: ProfileWithId[] = [];

if (!available)
  describe('training from an analyst export', () => {
    it.skip(`skipped: ${PYTHON} has no xgboost (apt-get install python3-xgboost; .ci/run does)`, () => {});
  });

describe.runIf(available)('training from an analyst export (export -> train round trip)', () => {
  beforeAll(async () => {
    const tables = await testTables(['consumer']);
    const db = documentClient({ endpoint: tables.endpoint });
    const table = tables.tenantTables['consumer']!;
    const repo = new DynamoCustomerRepo(db, () => table);
    await importProfiles({ customers: repo, clock: fixedClock('2026-01-01T00:00:00Z') })(
      'consumer',
      mapped.map((m) => m.profile),
    );
    // the dataset's churners leave inside the window; every 25th customer had left before the snapshot
    await Promise.all(
      mapped.map(async ({ profile, churned }, i) => {
        const before = i % 25 === 0;
        if (!churned && !before) return;
        if (before) gone.push(profile);
        const at = new Date(before ? SNAPSHOT - 30 * DAY : SNAPSHOT + ((i % 85) + 1) * DAY).toISOString();
        await db.send(
          new PutCommand({
            TableName: table,
            Item: {
              pk: `C#${profile.customerId}`,
              sk: 'S',
              status: 'churned',
              churn: { at, eventId: `churn-${i}`, reason: 'price' },
              ...(i % 3 === 0 ? { lastNps: { at, eventId: `nps-${i}`, score: i % 11 } } : {}),
            },
          }),
        );
      }),
    );
    dir = mkdtempSync(join(tmpdir(), 'cvm-loop-'));
    const file = join(dir, 'consumer.csv');
    await exportFeatures({
      market: 'demo',
      tenant: 'consumer',
      out: file,
      scan: new DynamoScoreStore(db, () => table),
      totalSegments: 2,
      now: EXPORTED_AT,
    });
    exportRows = parse(readFileSync(file, 'utf8'), { columns: true }) as Record<string, string>[];
    models = join(dir, 'models');
    const work = join(dir, 'work');
    // 100 boosting rounds instead of 400: the loop is under test, not the model's quality
    summary = buildFromExport({ market: 'demo', file, out: work, modelsDir: models, maxRounds: 100 });
    const py = spawnSync(
      PYTHON,
      [resolve(ROOT, 'scripts/ml/train.py'), '--market', 'demo', '--work', work, '--models', models],
      { encoding: 'utf8' },
    );
    trained = { status: py.status, stderr: py.stderr };
    if (py.status === 0) await writeExportHistograms('demo', work, models);
  }, 120_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('labels churn within the window after the snapshot and leaves out who had left before it', () => {
    const churn = summary.jobs.find((j) => j.model === 'churn')!;
    expect(exportRows).toHaveLength(mapped.length);
    expect(churn).toMatchObject({ version: '1', rows: mapped.length - gone.length });
    expect(churn.positives).toBe(mapped.filter((m, i) => m.churned && i % 25 !== 0).length);
  });

  it('keeps the synthetic NPS model while the export holds fewer answers than models.nps.minSurveys', () => {
    expect(summary.surveys).toBeGreaterThan(0);
    expect(summary.skipped).toContainEqual({
      model: 'nps',
      why: expect.stringContaining('the model trained on the SYNTHETIC survey set keeps serving'),
    });
    expect(summary.jobs.map((j) => j.model)).toEqual(['churn']);
  });

  it('trains NPS on the collected answers once there are models.nps.minSurveys of them', () => {
    const work = join(dir, 'work-nps');
    const enough = buildFromExport({
      market: 'demo',
      file: join(dir, 'consumer.csv'),
      out: work,
      modelsDir: models,
      minSurveys: summary.surveys,
    });
    expect(enough.jobs.find((j) => j.model === 'nps')).toEqual({ model: 'nps', version: '1', rows: summary.surveys });
    const job = JSON.parse(readFileSync(join(work, 'demo', 'nps', 'job.json'), 'utf8'));
    expect(job.manifest.labels).toBe('observed');
    expect(job.source.labelRule).toContain('latest collected survey.nps answer');
  });

  it('trains a new version with a model card that names the export, the snapshot and the label rule', () => {
    expect(trained.status, trained.stderr).toBe(0);
    const version = join(models, 'demo', 'churn', '1');
    const card = readFileSync(join(version, 'model-card.md'), 'utf8');
    expect(card).toContain("the platform's own analyst export `consumer.csv`");
    expect(card).toContain('snapshot 2026-03-03');
    expect(card).toContain(
      `${mapped.length - gone.length} customers used (left out: ${gone.length} churned-before-snapshot)`,
    );
    expect(card).toContain('within 90 days after the snapshot');
    expect(JSON.parse(readFileSync(join(version, 'manifest.json'), 'utf8'))).toMatchObject({ labels: 'observed' });
    expect(existsSync(join(models, 'demo', 'nps'))).toBe(false);
  });

  it('scores with the in-process evaluator as xgboost does, churners above the rest', async () => {
    const loaded = await loadModel(fileModelSource(models), 'demo', 'churn', '1');
    const parity = JSON.parse(readFileSync(join(models, 'demo', 'churn', '1', 'parity.json'), 'utf8')) as {
      features: Array<Array<number | null>>;
      predictions: number[];
    };
    parity.features.forEach((f, i) =>
      expect(loaded.heads[0]!.evaluator.predict(f.map((v) => v ?? Number.NaN))).toBeCloseTo(parity.predictions[i]!, 6),
    );
    const scorer = new Scorer([loaded], fixedClock('2026-06-02T00:00:00Z'));
    const mean = (ms: typeof mapped) =>
      ms.reduce((s, m) => s + scorer.score({ profile: m.profile }).churn!.value, 0) / ms.length;
    expect(mean(mapped.filter((m) => m.churned))).toBeGreaterThan(mean(mapped.filter((m) => !m.churned)) + 0.1);
  });

  it("writes the new version's training histograms from the export's rows, for the nightly drift", () => {
    const dir = join(models, 'demo', 'churn', '1');
    const scores = JSON.parse(readFileSync(join(dir, 'score-histogram.json'), 'utf8')) as ScoreHistogramFile;
    const features = JSON.parse(readFileSync(join(dir, 'feature-histogram.json'), 'utf8')) as FeatureHistogramFile;
    expect(scores.scores['churn']!.reduce((s, c) => s + c, 0)).toBe(mapped.length - gone.length);
    expect(features.features[0]!.counts.reduce((s, c) => s + c, 0)).toBe(mapped.length - gone.length);
    expect(features.features.map((f) => f.gain)).toEqual(
      [...features.features.map((f) => f.gain)].sort((a, b) => b - a),
    );
  });
});
