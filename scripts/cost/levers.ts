/**
 * The cheap levers of the decision figure (issue 15, item 8), each a switch of the model so the
 * printout shows the cost with and without it, and what each one trades.
 */
import type { Assumptions, LogPath } from './cost-math.ts';

export interface Levers {
  /** The full decision record goes to Firehose (then S3) instead of the decision log table and its two indexes. */
  firehoseLog: boolean;
  /** ...and each container gathers its records and sends them every few seconds, several to a 5 KB Firehose record (implies firehoseLog). */
  batchedLog: boolean;
  /** One EMF line per container every `emfFlushSeconds` (and at shutdown) instead of one per invocation. */
  containerMetrics: boolean;
  /** No point-in-time recovery on the decision log table. */
  noLogPitr: boolean;
  /** No X-Ray traces of decisions (tracing off on the decisions function; the sampling rule keeps the rest). */
  noDecisionTraces: boolean;
}
export type LeverKey = keyof Levers;

export const NO_LEVERS: Levers = {
  firehoseLog: false,
  batchedLog: false,
  containerMetrics: false,
  noLogPitr: false,
  noDecisionTraces: false,
};
export const ALL_LEVERS: Levers = {
  firehoseLog: true,
  batchedLog: true,
  containerMetrics: true,
  noLogPitr: true,
  noDecisionTraces: true,
};

export const logPathOf = (l: Levers): LogPath =>
  l.batchedLog ? 'firehose-batched' : l.firehoseLog ? 'firehose' : 'table';

export const LEVERS: readonly { key: LeverKey; title: string; trades: string }[] = [
  {
    key: 'firehoseLog',
    title:
      'full decision log via Firehose to S3 (5 KB per record billed) instead of the decision table and its byCustomer/byDay indexes',
    trades:
      'GET /v1/decisions/{id}, responses by id, export/erasure by customer and the decisions report lose their DynamoDB reads: they must read S3 (Athena or a per-day object index), minutes behind, or keep a slim by-id item (1 WRU back); records buffered in Firehose are lost if a PutRecord fails after the answer',
  },
  {
    key: 'batchedLog',
    title:
      'the same, with each container gathering its records and sending them every few seconds (and at shutdown), several to a 5 KB Firehose record: no PutRecord wait on the decision',
    trades:
      'besides the above, the records a container gathered since its last send are lost when it is reaped without a shutdown hook or crashes: the audit log can miss decisions (the contact ledger still has their contacts, so no limit is exceeded); records reach S3 up to the interval later',
  },
  {
    key: 'containerMetrics',
    title: 'one EMF metrics line per container every few seconds instead of one per invocation',
    trades:
      "readings metered since a container's last flush are lost when Lambda reaps it without a shutdown hook (no extension registered) or the process crashes; metrics arrive up to the flush interval late",
  },
  {
    key: 'noLogPitr',
    title: 'no point-in-time recovery on the decision log table',
    trades: 'a bad deploy or an erasure bug that deletes log items cannot be undone from a 35-day restore window',
  },
  {
    key: 'noDecisionTraces',
    title: 'no X-Ray traces of decisions (tracing off on the decisions function)',
    trades:
      "a slow or failing decision cannot be followed call by call; latency is seen only in metrics and the function's error logs",
  },
];

/**
 * EMF lines per decision. Per invocation: one. Per container: a container writes at most one
 * line per tenant every `emfFlushSeconds`; Lambda keeps `warmContainersPerBusy` containers per
 * busy one, so the market writes at most warm x tenants / interval lines a second, and never more
 * lines than decisions.
 */
export function emfLinesPerDecision(
  containerMetrics: boolean,
  decisionsPerSecond: number,
  decisionMs: number,
  tenants: number,
  a: Assumptions,
): number {
  if (!containerMetrics || decisionsPerSecond <= 0) return 1;
  const warm = Math.max(1, Math.ceil(((decisionsPerSecond * decisionMs) / 1000) * a.warmContainersPerBusy));
  return Math.min(1, (warm * tenants) / a.emfFlushSeconds / decisionsPerSecond);
}
