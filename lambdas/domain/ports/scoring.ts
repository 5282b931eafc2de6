/** Ports of scoring: the models that score a customer, where scores are kept, and the scan that feeds the nightly run. */
import type { StateView, StoredStateView } from '../customer-state.ts';
import type { CustomerRecord, Profile, Scores } from '../customer.ts';
import type { CustomerId, TenantId } from '../ids.ts';
import type { Histograms } from '../scoring/psi.ts';

/** What scoring reads about a customer: the profile and the derived state. */
export interface ScoringRequest {
  profile: Profile;
  state?: StateView;
}

/**
 * One customer's scores and who answered: the SageMaker endpoint, or the in-process evaluator of
 * the same artifact (embedded mode, or a fallback whose `fallbackReason` is timeout, throttled,
 * error or circuit-open).
 */
export interface ScoringAnswer {
  scores: Scores;
  source: 'sagemaker' | 'embedded';
  fallbackReason?: string;
}

/** Scores customers with the pinned models: one (decisions, score on demand) or a block (the nightly run). */
export interface ScoringPort {
  score(input: ScoringRequest): Promise<ScoringAnswer>;
  /** Scores many customers at once (the nightly run's blocks), each answer as `score` gives it, in order. */
  scoreBatch(inputs: readonly ScoringRequest[]): Promise<ScoringAnswer[]>;
  /** `{<model>: <version>}` of the models answering. */
  readonly modelVersions: Record<string, string>;
}

/** Writes a customer's latest scores onto the stored profile (never onto a tombstone). */
export interface ScoreStore {
  /** 'missing' when there is no live profile (absent or erased); nothing is written then. */
  saveScores(tenant: TenantId, customerId: CustomerId, scores: Scores): Promise<'written' | 'missing'>;
}

/** One stored customer as a scan of the tenant table meets it. */
export interface ScannedCustomer {
  customerId: CustomerId;
  record: CustomerRecord;
  /** The state item as stored: its counters as of the customer's last event. */
  state?: StoredStateView;
}

/** Reads a tenant's live profiles (with state), one parallel-scan segment at a time. */
export interface ProfileScan {
  scanSegment(tenant: TenantId, segment: number, totalSegments: number): AsyncIterable<ScannedCustomer>;
}

/** What one segment of a score-base run found: its counts and the histograms of its scores and watched features. */
export interface SegmentCounts {
  segment: number;
  /** Customers with a live profile that were scored. */
  scored: number;
  /** Of those, whose scores moved by more than the delta and were written. */
  written: number;
  /** Scored but unchanged (no write), or erased between scan and write. */
  skipped: number;
  histograms: Histograms;
}

/**
 * The segments' outcomes of a score-base run, kept under the run (the execution's name) until its
 * report merges them: the outcomes do not travel through the workflow, whose payloads are limited
 * to 256 KiB whatever the number of segments.
 */
export interface ScoreRunStore {
  /** Keeps a segment's outcome, replacing what an earlier attempt of the same segment kept: a retry counts once. */
  keepSegment(tenant: TenantId, run: string, outcome: SegmentCounts, expiresAt: Date): Promise<void>;
  /** The outcomes kept for the run, one per segment that finished. */
  segmentsOf(tenant: TenantId, run: string): AsyncIterable<SegmentCounts>;
}
