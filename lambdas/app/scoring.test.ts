import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { loadPinnedModelsFromDir } from '#adapters/models/file-model-store.ts';
import { EmbeddedScoring } from '#adapters/scoring/embedded-scoring.ts';
import { fixedClock } from '#domain/clock.ts';
import { applyEvents, fieldsView, stateView } from '#domain/customer-state.ts';
import type { CustomerRecord, Scores } from '#domain/customer.ts';
import { ibmTelco } from '#domain/datasets/ibm-telco.ts';
import { Scorer } from '#domain/scoring/scorer.ts';
import type { ProfileScan, ScannedCustomer, ScoreStore, ScoringPort } from '#domain/ports/scoring.ts';
import { platformMetrics, powertoolsDriftMetrics } from '#adapters/metrics/powertools-metrics.ts';
import { featureDriftCounter, featureKey } from '#domain/scoring/feature-drift.ts';
import { feature } from '#domain/scoring/features.ts';
import { emfBlobs } from '../test-support/emf.ts';
import { anEvent } from '../test-support/event-builders.ts';
import { MemoryCustomerRepo } from '../test-support/memory-customer-repo.ts';
import { standInScoring } from '../test-support/stand-in-scoring.ts';
import { publishDrift, reportScoreBase, scoreCustomer, scoreSegment, type SegmentResult } from './scoring.ts';

const at = '2025-03-01T00:00:00.000Z';
/** The nightly run's clock and the whole state view (the stand-in models read any field). */
const nightly = { clock: fixedClock(at), readState: stateView };
/** A stand-in model: churn = monthlyCharge / 100. */
const scoring = standInScoring({ churn: '1' }, ({ profile }) => ({
  churn: { value: (profile.monthlyCharge ?? 0) / 100, model: 'churn', version: '1', at },
}));
const record = (id: string, monthlyCharge: number, scores?: Scores): CustomerRecord => ({
  customerId: id,
  version: 1,
  createdAt: at,
  updatedAt: at,
  monthlyCharge,
  ...(scores ? { scores } : {}),
});

function stores() {
  const repo = new MemoryCustomerRepo();
  const saved: string[] = [];
  const scoreStore: ScoreStore = {
    async saveScores(tenant, id, scores) {
      const agg = await repo.load(tenant, id);
      if (!agg.record) return 'missing';
      await repo.save(tenant, { ...agg.record, scores }, undefined);
      saved.push(id);
      return 'written';
    },
  };
  const scan: ProfileScan = {
    async *scanSegment(tenant) {
      for (const [key, p] of repo.profiles) {
        if (!key.startsWith(`${tenant}/`) || 'erasedAt' in p) continue;
        yield { customerId: p.customerId, record: structuredClone(p) } satisfies ScannedCustomer;
      }
    },
  };
  return { repo, saved, scoreStore, scan };
}

describe('scoreCustomer', () => {
  it('writes the first scores onto the profile', async () => {
    const { repo, saved, scoreStore } = stores();
    await repo.save('acme', record('c1', 42), undefined);
    const out = await scoreCustomer({ customers: repo, scoring, scoreStore, writeDelta: 0.01 })('acme', 'c1');
    expect(out).toMatchObject({ written: true, source: 'embedded', scores: { churn: { value: 0.42 } } });
    expect(saved).toEqual(['c1']);
    expect((await repo.load('acme', 'c1')).record!.scores!.churn!.value).toBe(0.42);
  });

  it('leaves the profile alone when the score moved by no more than the delta', async () => {
    const { repo, saved, scoreStore } = stores();
    await repo.save('acme', record('c1', 42, { churn: { value: 0.415, model: 'churn', version: '1', at } }), undefined);
    const out = await scoreCustomer({ customers: repo, scoring, scoreStore, writeDelta: 0.01 })('acme', 'c1');
    expect(out.written).toBe(false);
    expect(saved).toEqual([]);
  });

  it('answers 404 for a customer without a profile', async () => {
    const { repo, scoreStore } = stores();
    await expect(
      scoreCustomer({ customers: repo, scoring, scoreStore, writeDelta: 0.01 })('acme', 'nobody'),
    ).rejects.toMatchObject({ code: 'not-found' });
  });
});

describe('scoreSegment and the report', () => {
  it('counts scored, written and skipped customers and the score histogram', async () => {
    const { repo, scoreStore, scan } = stores();
    await repo.save('acme', record('a', 10), undefined);
    await repo.save('acme', record('b', 55, { churn: { value: 0.55, model: 'churn', version: '1', at } }), undefined);
    await repo.save('acme', record('c', 95), undefined);
    const run = scoreSegment({ ...nightly, scan, scoring, scoreStore, writeDelta: 0.01 });
    const first = await run({ tenant: 'acme', segment: 0, totalSegments: 1 });
    expect(first).toMatchObject({ scored: 3, written: 2, skipped: 1 });
    expect(first.histograms['churn']).toEqual([0, 1, 0, 0, 0, 1, 0, 0, 0, 1]);
    const second = await run({ tenant: 'acme', segment: 0, totalSegments: 1 });
    expect(second).toMatchObject({ scored: 3, written: 0, skipped: 3 });
  });

  it('adds the segments up, names failed segments and reads drift against training', () => {
    const seg = (segment: number, scored: number, churn: number[]): SegmentResult => ({
      tenant: 'acme',
      segment,
      scored,
      written: 1,
      skipped: scored - 1,
      histograms: { churn },
    });
    const training = { churn: [10, 10, 10, 10, 10, 10, 10, 10, 10, 10] };
    const report = reportScoreBase(
      'acme',
      [
        seg(0, 5, [1, 1, 1, 1, 1, 0, 0, 0, 0, 0]),
        seg(1, 5, [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]),
        { segment: 2, error: { Error: 'UnavailableError' } },
      ],
      training,
    );
    expect(report).toMatchObject({ segments: 3, failedSegments: [2], scored: 10, written: 2, skipped: 8 });
    expect(report.drift['churn']).toMatchObject({ psi: 0, drift: 'stable', customers: 10 });
  });

  it('reports unknown drift for a score without a training histogram', () => {
    const report = reportScoreBase(
      'acme',
      [
        {
          tenant: 'acme',
          segment: 0,
          scored: 1,
          written: 1,
          skipped: 0,
          histograms: { nps: [1, 0, 0, 0, 0, 0, 0, 0, 0, 0] },
        },
      ],
      {},
    );
    expect(report.drift['nps']).toEqual({ psi: null, drift: 'unknown', customers: 1 });
  });
});

describe('scoreSegment reads the state at its clock', () => {
  it('scores a customer quiet for a month on windows that slid on, not on the counters last stored', async () => {
    const stored = applyEvents(undefined, [anEvent('network.call_dropped', {}, { now: at })], new Date(at), {
      dedupeWindowHours: 48,
    }).state;
    expect(stored.droppedCalls30d).toBe(1);
    const read: unknown[] = [];
    const model = standInScoring({ churn: '1' }, ({ state }) => {
      read.push(state?.droppedCalls30d);
      return { churn: { value: 0.5, model: 'churn', version: '1', at } };
    });
    const scan: ProfileScan = {
      async *scanSegment() {
        yield { customerId: 'a', record: record('a', 10), state: stored };
      },
    };
    for (const days of [1, 31])
      await scoreSegment({
        scan,
        scoring: model,
        scoreStore: { saveScores: async () => 'written' },
        writeDelta: 0.01,
        clock: fixedClock(new Date(Date.parse(at) + days * 86_400_000).toISOString()),
        readState: fieldsView(['droppedCalls30d']),
      })({ tenant: 'acme', segment: 0, totalSegments: 1 });
    expect(read).toEqual([1, 0]);
  });
});

describe('scoreSegment in blocks', () => {
  const ROOT = resolve(import.meta.dirname, '../..');
  const rows = parse(readFileSync(resolve(ROOT, 'data/ibm-telco-churn.train.csv'), 'utf8'), {
    columns: true,
    to_line: 90,
  }) as Record<string, string>[];
  const customers = rows
    .map((r, i) => ibmTelco.toProfile(r, i + 1))
    .flatMap((m, i): CustomerRecord[] =>
      m.ok ? [{ ...m.profile, customerId: `c${i}`, version: 1, createdAt: at, updatedAt: at }] : [],
    );

  /** One segment of these customers (every third already holding the scores of a previous run). */
  async function run(scoring: ScoringPort, blockSize: number | undefined, previous: Scores[] = []) {
    const { repo, saved, scoreStore, scan } = stores();
    for (const [i, c] of customers.entries())
      await repo.save('acme', { ...c, ...(i % 3 === 0 && previous[i] ? { scores: previous[i] } : {}) }, undefined);
    const featureDrift = featureDriftCounter([
      { model: 'churn', feature: feature.number('tenure', 'profile.tenureMonths'), edges: [6, 24, 48] },
    ]);
    const metered: number[] = [];
    const out = await scoreSegment({
      ...nightly,
      scan,
      scoring,
      scoreStore,
      writeDelta: 0.01,
      featureDrift,
      meter: { meter: (_t, _n, count = 1) => void metered.push(count) },
      ...(blockSize ? { blockSize } : {}),
    })({ tenant: 'acme', segment: 0, totalSegments: 1 });
    const stored = await Promise.all(
      customers.map(async (c) => (await repo.load('acme', c.customerId)).record!.scores),
    );
    return { out, saved, stored, metered };
  }

  it('writes, counts and meters the same whatever the block boundaries', async () => {
    const models = await loadPinnedModelsFromDir(resolve(ROOT, 'models'), 'demo', {
      churn: { version: '1' },
      'cross-sell': { version: '1' },
      nps: { version: '1' },
    });
    const embedded = new EmbeddedScoring(new Scorer(models, fixedClock(at)));
    const calls: number[] = [];
    const counted: ScoringPort = {
      modelVersions: embedded.modelVersions,
      score: (input) => embedded.score(input),
      scoreBatch: (inputs) => {
        calls.push(inputs.length);
        return embedded.scoreBatch(inputs);
      },
    };
    // one customer per block is the reference
    const first = await run(embedded, 1);
    expect(first.out.scored).toBe(customers.length);
    const previous = first.stored.map((s) => s!);
    const reference = await run(embedded, 1, previous);
    for (const size of [2, 7, 64, undefined]) {
      calls.length = 0;
      const blocks = await run(counted, size, previous);
      expect(blocks).toEqual(reference);
      expect(calls.reduce((a, b) => a + b, 0)).toBe(customers.length);
      expect(Math.max(...calls)).toBe(Math.min(size ?? 500, customers.length));
    }
    expect(reference.out.written).toBeGreaterThan(0);
    expect(reference.out.skipped).toBeGreaterThan(0);
  });

  it('fails the segment at a block whose scoring fails, with the blocks before it written and metered', async () => {
    const broken = standInScoring({ churn: '1' }, ({ profile }) => {
      if (profile.monthlyCharge === undefined) throw new Error('model input missing');
      return { churn: { value: profile.monthlyCharge / 100, model: 'churn', version: '1', at } };
    });
    const { repo, saved, scoreStore, scan } = stores();
    await repo.save('acme', record('a', 10), undefined);
    await repo.save('acme', record('b', 20), undefined);
    await repo.save('acme', record('c', 30), undefined);
    await repo.save('acme', { ...record('d', 0), monthlyCharge: undefined } as unknown as CustomerRecord, undefined);
    const metered: number[] = [];
    const run = scoreSegment({
      ...nightly,
      scan,
      scoring: broken,
      scoreStore,
      writeDelta: 0.01,
      blockSize: 2,
      meter: { meter: (_t, _n, count = 1) => void metered.push(count) },
    });
    await expect(run({ tenant: 'acme', segment: 0, totalSegments: 1 })).rejects.toThrow('model input missing');
    expect(saved).toEqual(['a', 'b']);
    expect(metered).toEqual([2]);
  });
});

describe('drift of the nightly run as metrics', () => {
  const segment = (histograms: SegmentResult['histograms']): SegmentResult => ({
    tenant: 'acme',
    segment: 0,
    scored: 10,
    written: 0,
    skipped: 10,
    histograms,
  });

  it('counts the watched features of each scored customer beside the scores', async () => {
    const { repo, scoreStore, scan } = stores();
    await repo.save('acme', record('a', 10), undefined);
    await repo.save('acme', record('b', 95), undefined);
    const featureDrift = featureDriftCounter([
      { model: 'churn', feature: feature.number('monthly_charge', 'profile.monthlyCharge'), edges: [50] },
    ]);
    const out = await scoreSegment({ ...nightly, scan, scoring, scoreStore, writeDelta: 0.01, featureDrift })({
      tenant: 'acme',
      segment: 0,
      totalSegments: 1,
    });
    expect(out.histograms[featureKey('churn', 'monthly_charge')]).toEqual([1, 1, 0]);
  });

  it("reads each model's drift as its worst head and each watched feature's against training", () => {
    const flat = [10, 10, 10, 10, 10, 10, 10, 10, 10, 10];
    const report = reportScoreBase(
      'acme',
      [
        segment({
          churn: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
          'crossSell.tv': [1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
          'crossSell.phone': [10, 0, 0, 0, 0, 0, 0, 0, 0, 0],
          nps: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
          [featureKey('churn', 'tenure_months')]: [0, 10, 0],
        }),
      ],
      { churn: flat, 'crossSell.tv': flat, 'crossSell.phone': flat, [featureKey('churn', 'tenure_months')]: [5, 5, 0] },
      { churn: 'churn', 'crossSell.tv': 'cross-sell', 'crossSell.phone': 'cross-sell' },
    );
    expect(report.modelDrift['churn']).toEqual({ psi: 0, drift: 'stable' });
    expect(report.modelDrift['cross-sell']).toEqual({
      psi: report.drift['crossSell.phone']!.psi,
      drift: 'significant',
    });
    // nps has no training histogram: no model reading, no made-up zero
    expect(report.modelDrift['nps']).toBeUndefined();
    expect(report.drift).not.toHaveProperty(featureKey('churn', 'tenure_months'));
    expect(report.featureDrift['churn/tenure_months']).toMatchObject({
      model: 'churn',
      feature: 'tenure_months',
      drift: 'significant',
      customers: 10,
    });
  });

  it('emits ScorePsi per model and FeaturePsi per watched feature, the tenant as a field, nothing without a reading', async () => {
    const report = {
      modelDrift: {
        churn: { psi: 0.31, drift: 'significant' as const },
        nps: { psi: null, drift: 'unknown' as const },
      },
      featureDrift: {
        'churn/tenure_months': {
          model: 'churn',
          feature: 'tenure_months',
          psi: 0.02,
          drift: 'stable' as const,
          customers: 10,
        },
        'churn/total_charges': {
          model: 'churn',
          feature: 'total_charges',
          psi: null,
          drift: 'unknown' as const,
          customers: 10,
        },
      },
    };
    const blobs = await emfBlobs(() => publishDrift(report, powertoolsDriftMetrics(platformMetrics('demo'), 'acme')));
    expect(
      blobs.map((b) => ({
        metric: b._aws.CloudWatchMetrics[0]!.Metrics[0]!.Name,
        dimensions: b._aws.CloudWatchMetrics[0]!.Dimensions[0]!.sort(),
        model: b['model'],
        feature: b['feature'],
        tenant: b['tenant'],
        value: b['ScorePsi'] ?? b['FeaturePsi'],
      })),
    ).toEqual([
      {
        metric: 'ScorePsi',
        dimensions: ['market', 'model', 'service'],
        model: 'churn',
        feature: undefined,
        tenant: 'acme',
        value: 0.31,
      },
      {
        metric: 'FeaturePsi',
        dimensions: ['feature', 'market', 'model', 'service'],
        model: 'churn',
        feature: 'tenure_months',
        tenant: 'acme',
        value: 0.02,
      },
    ]);
  });
});
