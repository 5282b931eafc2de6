/**
 * The cheap levers of the decision figure (issue 15, item 8). Those the market config can pull
 * are read from the synthesized template like everything else (CONFIG_LEVERS, LEAN); those the
 * platform does not have are switches of the model (Levers), so the printout shows what they
 * would give and what each one trades.
 */
import {
  MIN_DECISION_LOG_DAYS,
  parseMarketConfig,
  type MarketConfig,
  type MarketConfigInput,
} from '#config/market-config.ts';
import { MARKETS } from '#config/markets/index.ts';
import type { Assumptions, LogPath } from './cost-math.ts';

/** Levers the platform does not have: priced by the model only. */
export interface Levers {
  /** The full decision record goes to Firehose (then S3) instead of the decision log table and its two indexes. */
  firehoseLog: boolean;
  /** ...and each container gathers its records and sends them every few seconds, several to a 5 KB Firehose record (implies firehoseLog). */
  batchedLog: boolean;
  /** No trace of decisions recorded: API Gateway's sampling skips `/v1/decisions` (a sampling rule of its own). */
  noDecisionTraces: boolean;
}
export type LeverKey = keyof Levers;

export const NO_LEVERS: Levers = { firehoseLog: false, batchedLog: false, noDecisionTraces: false };
export const ALL_LEVERS: Levers = { firehoseLog: true, batchedLog: true, noDecisionTraces: true };

export const logPathOf = (l: Levers): LogPath =>
  l.batchedLog ? 'firehose-batched' : l.firehoseLog ? 'firehose' : 'table';

export const LEVERS: readonly { key: LeverKey; title: string; trades: string }[] = [
  {
    key: 'firehoseLog',
    title:
      'full decision log via Firehose to S3 (5 KB per record billed) instead of the decision table and its byCustomer/byDay indexes',
    trades:
      'GET /v1/decisions/{id}, responses by id (issue 15 item 4 wants both from DynamoDB), export/erasure by customer and the decisions report lose their DynamoDB reads: they must read S3 (Athena or a per-day object index), minutes behind, or keep a slim by-id item (1 WRU back); records buffered in Firehose are lost if a PutRecord fails after the answer. Not in the platform: modelled only',
  },
  {
    key: 'batchedLog',
    title:
      'the same, with each container gathering its records and sending them every few seconds (and at shutdown), several to a 5 KB Firehose record: no PutRecord wait on the decision',
    trades:
      'besides the above, the records a container gathered since its last send are lost when it is reaped without a shutdown hook or crashes: the audit log can miss decisions (the contact ledger still has their contacts, so no limit is exceeded); records reach S3 up to the interval later. Not in the platform: modelled only',
  },
  {
    key: 'noDecisionTraces',
    title: "no trace of decisions recorded (API Gateway's sampling skips /v1/decisions)",
    trades:
      'X-Ray bills the trace API Gateway records, so turning tracing off on the decisions function (observability.decisionTracing) saves nothing; skipping decisions takes a sampling rule of their own, one more resource, and the market stack has none left at 12 tenants. A slow or failing decision is then seen in metrics and error logs only. Modelled only',
  },
];

type Value = number | boolean;

/** A lever the market config pulls: the option, where it sits, its lean value, and what it trades. */
export interface ConfigLever {
  option: string;
  valueIn: (config: MarketConfig) => Value;
  /** The raw config with the option set. */
  set: (raw: MarketConfigInput, value: Value) => MarketConfigInput;
  /** Its value in the lean configuration. */
  lean: Value;
  /** The value the printout compares with when a market already ships the lean one. */
  otherwise: Value;
  trades: string;
}

const inRetention =
  (key: 'decisionLogDays' | 'decisionLogPitr') =>
  (raw: MarketConfigInput, value: Value): MarketConfigInput => ({
    ...raw,
    retention: { ...raw.retention, [key]: value },
  });
const inObservability =
  (key: 'meterFlushSeconds' | 'decisionTracing') =>
  (raw: MarketConfigInput, value: Value): MarketConfigInput => ({
    ...raw,
    observability: { ...raw.observability, [key]: value },
  });

export const CONFIG_LEVERS: readonly ConfigLever[] = [
  {
    option: 'observability.meterFlushSeconds',
    valueIn: (c) => c.observability.meterFlushSeconds,
    set: inObservability('meterFlushSeconds'),
    lean: 10,
    otherwise: 0,
    trades:
      "the API functions' meter readings since a container's last line (Decision, Score, Event, a started campaign's WorkflowExecution, consumed capacity; at most the interval's worth) are lost when Lambda reaps it without SIGTERM (no extension registered) or it crashes; held readings are written at the container's next invocation after the interval, up to the interval late under steady traffic, later on a container that goes quiet. API requests per tenant come from the usage plans, sends and campaign contacts from other functions: exact either way. The loss falls on every tenant in proportion to its traffic, so the split of shared cost does not move with it",
  },
  {
    option: 'retention.decisionLogPitr',
    valueIn: (c) => c.retention.decisionLogPitr,
    set: inRetention('decisionLogPitr'),
    lean: false,
    otherwise: true,
    trades:
      'a bad deploy or an erasure bug that deletes or overwrites log items cannot be undone from 35 days of restore points; the tenant table keeps its PITR',
  },
  {
    option: 'observability.decisionTracing',
    valueIn: (c) => c.observability.decisionTracing,
    set: inObservability('decisionTracing'),
    lean: false,
    otherwise: true,
    trades:
      "a sampled decision's trace keeps API Gateway's segment only (no Lambda initialization or invocation segments); costs the same, X-Ray bills the trace",
  },
  {
    option: 'retention.decisionLogDays',
    valueIn: (c) => c.retention.decisionLogDays,
    set: inRetention('decisionLogDays'),
    lean: MIN_DECISION_LOG_DAYS,
    otherwise: 180,
    trades: `GET /v1/decisions/{id} answers 404 and responses are refused after it (a campaign with a longer responseWindow loses its late responses; a complaint about an older offer finds no record); at least ${MIN_DECISION_LOG_DAYS}: the month-to-date reports read the month's decisions`,
  },
];

/** A market as `loadMarket` gives it, with options of the raw config changed. */
function marketWith(market: MarketConfig, change: (raw: MarketConfigInput) => MarketConfigInput): MarketConfig {
  const raw = MARKETS[market.code];
  if (!raw) throw new Error(`no market '${market.code}'`);
  return parseMarketConfig(market.code, { ...change(raw), stage: market.stage });
}

/** The market with every configuration lever pulled: what the printout's "lean" figures synthesize. */
export const leanMarket = (market: MarketConfig): MarketConfig =>
  marketWith(market, (raw) => CONFIG_LEVERS.reduce((r, l) => l.set(r, l.lean), raw));

/**
 * The market with one lever moved: to its lean value, or, where the market ships that already,
 * to the value it is compared with (what the market would pay without it).
 */
export function marketWithLever(market: MarketConfig, lever: ConfigLever): { config: MarketConfig; value: Value } {
  const value = lever.valueIn(market) === lever.lean ? lever.otherwise : lever.lean;
  return { config: marketWith(market, (raw) => lever.set(raw, value)), value };
}

/**
 * EMF lines per decision. Per invocation (`flushSeconds` 0): one. Per container: a container
 * writes at most one line per tenant every `flushSeconds`; Lambda keeps `warmContainersPerBusy`
 * containers per busy one, so the market writes at most warm x tenants / interval lines a second,
 * and never more lines than decisions.
 */
export function emfLinesPerDecision(
  flushSeconds: number,
  decisionsPerSecond: number,
  decisionMs: number,
  tenants: number,
  a: Assumptions,
): number {
  if (!(flushSeconds > 0) || decisionsPerSecond <= 0) return 1;
  const warm = Math.max(1, Math.ceil(((decisionsPerSecond * decisionMs) / 1000) * a.warmContainersPerBusy));
  return Math.min(1, (warm * tenants) / flushSeconds / decisionsPerSecond);
}
