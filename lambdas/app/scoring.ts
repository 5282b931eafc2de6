import type { Clock } from '#domain/clock.ts';
import type { StateReader } from '#domain/customer-state.ts';
import type { Scores } from '#domain/customer.ts';
import { NotFoundError } from '#domain/errors.ts';
import type { CustomerId, TenantId } from '#domain/ids.ts';
import type { Meter } from '#domain/usage-readings.ts';
import type { CustomerRepo } from '#domain/ports/customers.ts';
import type {
  ProfileScan,
  ScannedCustomer,
  ScoreRunStore,
  ScoreStore,
  ScoringPort,
  ScoringRequest,
  SegmentCounts,
} from '#domain/ports/scoring.ts';
import {
  countScores,
  driftOf,
  mergeHistograms,
  populationStabilityIndex,
  type Drift,
  type DriftMetrics,
  type Histograms,
} from '#domain/scoring/psi.ts';
import { scoresMoved } from '#domain/scoring/score-change.ts';
import { type FeatureDriftCounter, parseFeatureKey } from '#domain/scoring/feature-drift.ts';

export interface ScoreCustomerResult {
  customerId: CustomerId;
  scores: Scores;
  /** True when the scores moved by more than the delta and were written onto the profile. */
  written: boolean;
  source: 'sagemaker' | 'embedded';
  fallbackReason?: string;
}

/**
 * Scores one stored customer and writes the scores onto the profile only when they moved by more
 * than `writeDelta` (or a model version changed): a stable customer costs no write.
 */
export const scoreCustomer =
  (ports: {
    customers: CustomerRepo;
    scoring: ScoringPort;
    scoreStore: ScoreStore;
    writeDelta: number;
    meter?: Meter;
  }) =>
  async (tenant: TenantId, customerId: CustomerId): Promise<ScoreCustomerResult> => {
    const agg = await ports.customers.load(tenant, customerId);
    if (!agg.record) throw new NotFoundError(`customer ${customerId} not found`);
    const { scores, source, fallbackReason } = await ports.scoring.score({
      profile: agg.record,
      ...(agg.state ? { state: agg.state } : {}),
    });
    ports.meter?.meter(tenant, 'Score', 1);
    const moved = scoresMoved(agg.record.scores, scores, ports.writeDelta);
    const written = moved && (await ports.scoreStore.saveScores(tenant, customerId, scores)) === 'written';
    return { customerId, scores, written, source, ...(fallbackReason ? { fallbackReason } : {}) };
  };

/** One Map item of the score-base workflow: a range of work, never a batch of customers. */
export interface SegmentWork {
  tenant: TenantId;
  segment: number;
  totalSegments: number;
}

/** A Map item of a run: the segment, and the run (the execution's name) its outcome is kept under. */
export interface RunSegmentWork extends SegmentWork {
  run: string;
}

export interface SegmentResult extends SegmentCounts {
  tenant: TenantId;
}

/**
 * What a segment hands back to the workflow: a few numbers whatever its size or the models'
 * histograms, which stay in the run store (a Map result is limited to 256 KiB; at ~1.5 KB of
 * histograms per segment, 1,000 segments would not fit).
 */
export interface SegmentStatus {
  segment: number;
  scored: number;
  written: number;
  skipped: number;
}

/**
 * Days a run's segment outcomes are kept: beyond the report, for a redrive of the execution
 * (allowed for 14 days after it stopped), whose report reads the segments of the first attempt too.
 */
export const SCORE_RUN_KEEP_DAYS = 15;

/**
 * Customers scored together: a scan page (score-store's pageSize) in one call of the scorer, so
 * its compiled trees run over many rows at once instead of one customer at a time.
 */
export const SCORE_BLOCK = 500;

/**
 * Scores every live profile of one parallel-scan segment in blocks; writes only moved scores. Each
 * customer scored is one `Score` (the work is the scoring; only a share of them is rewritten).
 * Writes, histograms, feature counts and the meter go customer by customer, in scan order: the
 * blocks change only how the scores are computed. A block whose scoring fails fails the segment
 * (the blocks before it are written and metered; the workflow's retry scores the segment again).
 */
export const scoreSegment =
  (ports: {
    scan: ProfileScan;
    scoring: ScoringPort;
    scoreStore: ScoreStore;
    writeDelta: number;
    meter?: Meter;
    /** Counts the watched features of each customer beside the scores (feature drift). */
    featureDrift?: FeatureDriftCounter;
    /** Customers per scoring call (SCORE_BLOCK). */
    blockSize?: number;
    clock: Clock;
    /**
     * The state as the models read it at the run's clock: the stored counters are as of each
     * customer's last event, and their windows have slid on since (fieldsView of what they read).
     */
    readState: StateReader;
  }) =>
  async (work: SegmentWork): Promise<SegmentResult> => {
    const result: SegmentResult = {
      tenant: work.tenant,
      segment: work.segment,
      scored: 0,
      written: 0,
      skipped: 0,
      histograms: {},
    };
    const blockSize = Math.max(1, ports.blockSize ?? SCORE_BLOCK);

    const scoreBlock = async (block: readonly ScannedCustomer[]) => {
      const now = ports.clock.now();
      const inputs = block.map(
        (c): ScoringRequest => ({ profile: c.record, ...(c.state ? { state: ports.readState(c.state, now) } : {}) }),
      );
      const answers = await ports.scoring.scoreBatch(inputs);
      for (let i = 0; i < block.length; i++) {
        const c = block[i]!;
        const { scores } = answers[i]!;
        result.scored++;
        countScores(result.histograms, scores);
        ports.featureDrift?.count(result.histograms, inputs[i]!);
        if (
          scoresMoved(c.record.scores, scores, ports.writeDelta) &&
          (await ports.scoreStore.saveScores(work.tenant, c.customerId, scores)) === 'written'
        )
          result.written++;
        else result.skipped++;
      }
    };

    try {
      let block: ScannedCustomer[] = [];
      for await (const c of ports.scan.scanSegment(work.tenant, work.segment, work.totalSegments)) {
        block.push(c);
        if (block.length < blockSize) continue;
        const full = block;
        block = [];
        await scoreBlock(full);
      }
      if (block.length > 0) await scoreBlock(block);
    } finally {
      // one reading per segment, also for the customers scored before a failure (a retry scores them again)
      if (result.scored > 0) ports.meter?.meter(work.tenant, 'Score', result.scored);
    }
    return result;
  };

/**
 * A segment of a run: scores it (scoreSegment), keeps its outcome under the run and returns only
 * its status. Keyed by run and segment, so a segment the workflow retries replaces its outcome
 * rather than counting twice.
 */
export const scoreRunSegment =
  (ports: Parameters<typeof scoreSegment>[0] & { runs: ScoreRunStore }) =>
  async (work: RunSegmentWork): Promise<SegmentStatus> => {
    const { tenant: _t, ...counts } = await scoreSegment(ports)(work);
    const expiresAt = new Date(ports.clock.now().getTime() + SCORE_RUN_KEEP_DAYS * 86_400_000);
    await ports.runs.keepSegment(work.tenant, work.run, counts, expiresAt);
    return { segment: counts.segment, scored: counts.scored, written: counts.written, skipped: counts.skipped };
  };

/** Which run the report step reads: the tenant, the run and the segments it planned. */
export interface ScoreRunRef {
  tenant: TenantId;
  run: string;
  totalSegments: number;
}

/**
 * The report of a run from the outcomes its segments kept: a planned segment without one failed
 * (after the workflow's retries, its Catch let the run go on) and is named in `failedSegments`.
 * The merge is reportScoreBase's, so totals and drift are those of the segments' own results.
 */
export const reportScoreRun =
  (ports: { runs: ScoreRunStore }) =>
  async (
    ref: ScoreRunRef,
    baseline: { training: Histograms; modelOf?: Record<string, string> },
  ): Promise<ScoreBaseReport> => {
    const kept = new Map<number, SegmentResult>();
    for await (const counts of ports.runs.segmentsOf(ref.tenant, ref.run))
      if (counts.segment < ref.totalSegments) kept.set(counts.segment, { tenant: ref.tenant, ...counts });
    const outcomes: SegmentOutcome[] = [];
    for (let segment = 0; segment < ref.totalSegments; segment++)
      outcomes.push(kept.get(segment) ?? { segment, error: 'no outcome kept' });
    return reportScoreBase(ref.tenant, outcomes, baseline.training, baseline.modelOf);
  };

export interface ScoreBaseReport {
  tenant: TenantId;
  segments: number;
  failedSegments: number[];
  scored: number;
  written: number;
  skipped: number;
  /** Per score: PSI of this run's distribution against the training data, and its reading. */
  drift: Record<string, DriftReading>;
  /** Per pinned model: the largest PSI of its scores (its heads), what the score-drift alarm reads. */
  modelDrift: Record<string, { psi: number | null; drift: Drift | 'unknown' }>;
  /** Per watched feature (`<model>/<feature>`): PSI of its values against the training data. */
  featureDrift: Record<string, DriftReading & { model: string; feature: string }>;
  histograms: Histograms;
}

export interface DriftReading {
  psi: number | null;
  drift: Drift | 'unknown';
  customers: number;
}

function readingOf(actual: readonly number[], expected: readonly number[] | undefined): DriftReading {
  const psi = expected && expected.length === actual.length ? populationStabilityIndex(expected, actual) : NaN;
  return {
    psi: Number.isFinite(psi) ? Number(psi.toFixed(6)) : null,
    drift: Number.isFinite(psi) ? driftOf(psi) : 'unknown',
    customers: actual.reduce((s, c) => s + c, 0),
  };
}

/** A segment that failed after its retries reaches the report as `{segment, error}`. */
export type SegmentOutcome = SegmentResult | { segment: number; error: unknown };

/**
 * The reduce step: totals of the segments, each score's and watched feature's drift from its
 * training histogram, and each model's drift (`modelOf`: the model a score key belongs to).
 */
export function reportScoreBase(
  tenant: TenantId,
  outcomes: readonly SegmentOutcome[],
  training: Histograms,
  modelOf: Record<string, string> = {},
): ScoreBaseReport {
  const ok = outcomes.filter((o): o is SegmentResult => 'scored' in o);
  const failed = outcomes
    .filter((o) => !('scored' in o))
    .map((o) => o.segment)
    .sort((a, b) => a - b);
  const histograms = mergeHistograms(ok.map((o) => o.histograms));
  const drift: ScoreBaseReport['drift'] = {};
  const featureDrift: ScoreBaseReport['featureDrift'] = {};
  const modelDrift: ScoreBaseReport['modelDrift'] = {};
  for (const key of Object.keys(histograms).sort()) {
    const reading = readingOf(histograms[key]!, training[key]);
    const feature = parseFeatureKey(key);
    if (feature) {
      featureDrift[`${feature.model}/${feature.feature}`] = { ...feature, ...reading };
      continue;
    }
    drift[key] = reading;
    const model = modelOf[key];
    if (!model) continue;
    const worst = (modelDrift[model] ??= { psi: null, drift: 'unknown' });
    if (reading.psi !== null && (worst.psi === null || reading.psi > worst.psi))
      modelDrift[model] = { psi: reading.psi, drift: reading.drift };
  }
  const sum = (k: 'scored' | 'written' | 'skipped') => ok.reduce((s, o) => s + o[k], 0);
  return {
    tenant,
    segments: outcomes.length,
    failedSegments: failed,
    scored: sum('scored'),
    written: sum('written'),
    skipped: sum('skipped'),
    drift,
    modelDrift,
    featureDrift,
    histograms,
  };
}

/**
 * Emits the drift of a run: `ScorePsi` of each pinned model (its worst head) and `FeaturePsi` of
 * each watched feature. A reading without a training histogram (psi null) emits nothing, so the
 * alarm never sees a made-up zero.
 */
export function publishDrift(
  report: Pick<ScoreBaseReport, 'modelDrift' | 'featureDrift'>,
  metrics: DriftMetrics,
): void {
  for (const [model, { psi }] of Object.entries(report.modelDrift)) if (psi !== null) metrics.scorePsi(model, psi);
  for (const { model, feature, psi } of Object.values(report.featureDrift))
    if (psi !== null) metrics.featurePsi(model, feature, psi);
}
