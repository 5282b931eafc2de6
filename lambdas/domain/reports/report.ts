import type { CustomerRecord, ValueTierThresholds } from '../customer.ts';
import type { StateView } from '../customer-state.ts';
import type { ExperimentConfig } from '../decisioning/experiments.ts';

/**
 * Reports are snapshots built by a scheduled job from one scan of the tenant table (DESIGN.md,
 * "Cost-aware data design"): the API reads stored snapshots and never scans per request.
 */
export const REPORT_NAMES = ['kpis', 'exit-reasons', 'acquisition-quality', 'decisions', 'programme'] as const;
export type ReportName = (typeof REPORT_NAMES)[number];
export const isReportName = (s: string): s is ReportName => (REPORT_NAMES as readonly string[]).includes(s);

export const GRANULARITIES = ['day', 'month'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

export type Cell = string | number | null;
export type Row = Record<string, Cell>;

/** One report for one period bucket, as stored (`R#<name>`, `<granularity>#<period>`). */
export interface ReportSnapshot {
  name: ReportName;
  granularity: Granularity;
  /** `yyyy-mm-dd` or `yyyy-mm` in the market's time zone. */
  period: string;
  generatedAt: string;
  /** Headline figures of the whole period. */
  summary: Record<string, number | null>;
  /** Rows per dimension (`dimension` and `value` name the group; the rest are metrics). */
  rows: Row[];
  /** The metric a chart of this report shows. */
  chartMetric: string;
  /** Column order of the rows (stores such as DynamoDB do not keep the order of map keys). */
  columns?: string[];
}

/** What one customer contributes to the reports: profile and state (the scan reads nothing else). */
export interface ReportCustomer {
  customerId: string;
  record?: CustomerRecord;
  state?: StateView;
}

/**
 * One decision as the reports read it from the decision log's index by day: no join with the
 * customer, since the log keeps the customer's value tier and segment as they were when decided.
 */
export interface ReportDecision {
  customerId: string;
  at: string;
  channel: string;
  group: string;
  /** The offered actions, each with its response once one came through the responses API. */
  offers: { actionId: string; variantId?: string; response?: string }[];
  valueTier?: string;
  segment?: string;
}

/** An offer the customer accepted outside the responses API (an `offer.response` event), from its state. */
export interface Acceptance {
  actionId: string;
  at: string;
}

/** The customer's last accepted offer if its state has one (the organic take-up control decisions are measured by). */
export function lastAcceptance(state: StateView | undefined): Acceptance | undefined {
  const last = state?.lastOfferResponse;
  return last?.response === 'accepted' && typeof last.actionId === 'string' && typeof last.at === 'string'
    ? { actionId: last.actionId, at: last.at }
    : undefined;
}

export interface ReportContext {
  now: Date;
  timezone: string;
  valueTiers: ValueTierThresholds;
  /** actionId -> value (market currency) of the catalog, for revenue from accepted offers. */
  actionValues: Record<string, number>;
  /** Smallest group acquisition-quality flags (z-score needs a few customers to mean anything). */
  minFlagCount?: number;
  /** The tenant and the market's experiment: which customers are the global control group (programme report). */
  tenant?: string;
  experiments?: ExperimentConfig;
  /**
   * What each NPS model version learned from, by version: the KPI report says whether its
   * predicted NPS comes from a model trained on SYNTHETIC survey answers.
   */
  npsLabels?: Record<string, 'synthetic' | 'observed'>;
}

// One formatter per time zone: making one costs far more than formatting (the build calls this
// several times per customer and decision).
const dayFormats = new Map<string, Intl.DateTimeFormat>();
function dayFormat(timezone: string): Intl.DateTimeFormat {
  let f = dayFormats.get(timezone);
  if (!f)
    dayFormats.set(
      timezone,
      (f = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' })),
    );
  return f;
}

/** The period bucket an instant falls in, in the market's time zone. */
export function periodOf(at: Date | string, granularity: Granularity, timezone: string): string {
  const day = localDay(new Date(at).getTime(), timezone);
  return granularity === 'day' ? day : day.slice(0, 7);
}

// Every UTC offset in use since 1972 is a multiple of 15 minutes, so one local day holds for a
// whole quarter hour: the build asks for the same few thousand quarter hours millions of times.
const QUARTER_HOUR = 900_000;
const localDays = new Map<string, string>();
function localDay(t: number, timezone: string): string {
  const key = `${timezone}\u0000${Math.floor(t / QUARTER_HOUR)}`;
  let day = localDays.get(key);
  if (day === undefined) {
    if (localDays.size >= 20_000) localDays.clear();
    const parts = dayFormat(timezone).formatToParts(t);
    const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
    localDays.set(key, (day = `${get('year')}-${get('month')}-${get('day')}`));
  }
  return day;
}

export const round = (n: number, digits = 4) => {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};
export const ratio = (num: number, den: number): number | null => (den > 0 ? round(num / den) : null);

export const TENURE_BANDS = [
  { label: '0-6m', max: 6 },
  { label: '7-12m', max: 12 },
  { label: '13-24m', max: 24 },
  { label: '25-48m', max: 48 },
  { label: '49m+', max: Infinity },
] as const;
export function tenureBand(months: number | undefined): string {
  const m = months ?? 0;
  return TENURE_BANDS.find((b) => m <= b.max)!.label;
}

/** The report's reads of the state (numbers that are not finite read as 0). */
export interface StateFacts {
  status: 'active' | 'churned';
  spend30d: number;
  careContacts30d: number;
  unresolvedContacts30d: number;
  lastNps?: { score: number; at: string };
  churn?: { reason: string; at: string };
  acquisition?: { at: string; channel: string; tariff: string; promotion?: string; dealer?: string };
  exitInterview?: { at: string; reason: string; destinationOperator?: string };
}
export function stateFacts(state: StateView | undefined): StateFacts {
  const s = state ?? {};
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  const { lastNps: nps, churn, acquisition: acq, exitInterview: interview } = s;
  return {
    status: s.status === 'churned' ? 'churned' : 'active',
    spend30d: num(s.spend30d?.value),
    careContacts30d: num(s.careContacts30d),
    unresolvedContacts30d: num(s.unresolvedContacts30d),
    ...(nps ? { lastNps: { score: num(nps.score), at: String(nps.at) } } : {}),
    ...(churn ? { churn: { reason: String(churn.reason ?? 'other'), at: String(churn.at) } } : {}),
    ...(interview
      ? {
          exitInterview: {
            at: String(interview.at),
            reason: String(interview.reason ?? 'other'),
            ...(interview.destinationOperator ? { destinationOperator: String(interview.destinationOperator) } : {}),
          },
        }
      : {}),
    ...(acq
      ? {
          acquisition: {
            at: String(acq.at),
            channel: String(acq.channel ?? 'unknown'),
            tariff: String(acq.tariff ?? 'unknown'),
            ...(acq.promotion ? { promotion: String(acq.promotion) } : {}),
            ...(acq.dealer ? { dealer: String(acq.dealer) } : {}),
          },
        }
      : {}),
  };
}

/** Monthly value of a customer: the recurring charge, or recent spend when higher (prepaid). */
export const monthlyValue = (record: CustomerRecord | undefined, facts: StateFacts) =>
  Math.max(record?.monthlyCharge ?? 0, facts.spend30d);

/**
 * One accumulator per report and period: fed each customer once and each decision of the period
 * once (with the customer's last acceptance, when it has one), then asked for the snapshot.
 */
export interface ReportBuilder {
  add(customer: ReportCustomer): void;
  addDecision?(decision: ReportDecision, acceptance: Acceptance | undefined): void;
  snapshot(generatedAt: string): ReportSnapshot;
}
