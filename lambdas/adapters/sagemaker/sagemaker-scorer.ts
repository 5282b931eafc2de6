import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { Clock } from '#domain/clock.ts';
import type { Scores } from '#domain/customer.ts';
import type { ScoringAnswer, ScoringPort, ScoringRequest } from '#domain/ports/scoring.ts';
import { CircuitBreaker, DEFAULT_BREAKER, type BreakerSettings } from '#domain/scoring/circuit-breaker.ts';
import type { LoadedHead, LoadedModel } from '#domain/scoring/model-store.ts';
import { npsClassOf } from '#domain/nps.ts';
import { Scorer } from '#domain/scoring/scorer.ts';
import { DIMENSION, METRIC, type FallbackReason } from '#adapters/metrics/platform-metrics.ts';
import { headKey, type EndpointMap, type EndpointTarget } from './endpoints.ts';

export type { FallbackReason };

export interface SageMakerScoringOptions {
  client: SageMakerRuntimeClient;
  models: readonly LoadedModel[];
  endpoints: EndpointMap;
  /** All calls for one customer must answer within this many milliseconds. */
  latencyBudgetMs: number;
  clock: Clock;
  breaker?: BreakerSettings;
  /**
   * Called once per scoring that needs the endpoint, before anything can fall back, so fallbacks
   * over requests is a rate of at most 1 (a metric; see powertoolsRequestRecorder).
   */
  onRequest?: () => void;
  /**
   * Called once per fallback (a metric; see powertoolsFallbackRecorder). `detail` names the model
   * head or endpoint and the error's name, never its text, so it may be logged.
   */
  onFallback?: (reason: FallbackReason, detail: string) => void;
}

/** The runtime client: no SDK retries, since the latency budget leaves no room for them (the evaluator answers instead). */
export const sagemakerRuntimeClient = (region?: string) =>
  new SageMakerRuntimeClient({ ...(region ? { region } : {}), maxAttempts: 1 });

/**
 * A feature row as the built-in XGBoost container reads `text/csv`: values in feature-spec order,
 * no header, a missing value (NaN) as an empty cell.
 */
export function csvRowOf(row: ArrayLike<number>): string {
  let out = '';
  for (let i = 0; i < row.length; i++) {
    const v = row[i]!;
    if (i > 0) out += ',';
    if (!Number.isNaN(v)) out += String(v);
  }
  return out;
}

/** Rows per InvokeEndpoint in a batch (what the cost model assumes: sagemakerCustomersPerInvoke). */
export const ROWS_PER_INVOKE = 100;

/** The container's answer to `count` rows: one prediction per row, newline- or comma-separated. */
export function parsePredictions(body: Uint8Array | undefined, count: number): number[] {
  const text = new TextDecoder().decode(body ?? new Uint8Array()).trim();
  const cells = text.replace(/^\[|\]$/g, '').split(/[,\n]/);
  const values = cells.map((c) => (c.trim() === '' ? NaN : Number(c)));
  if (values.length !== count || values.some((v) => !Number.isFinite(v)))
    throw new Error(`unexpected endpoint answer to ${count} rows '${text.slice(0, 40)}'`);
  return values;
}

class DeadlineError extends Error {
  constructor() {
    super('latency budget spent');
    this.name = 'TimeoutError';
  }
}

function reasonOf(err: unknown): FallbackReason {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timeout';
  if (e?.name === 'ThrottlingException' || e?.$metadata?.httpStatusCode === 429) return 'throttled';
  return 'error';
}

function errorNameOf(err: unknown): string {
  const e = err as { name?: unknown; code?: unknown; $metadata?: { httpStatusCode?: number } } | undefined;
  const name = typeof e?.name === 'string' ? e.name : typeof e?.code === 'string' ? e.code : 'Error';
  const status = e?.$metadata?.httpStatusCode;
  return status ? `${name} (${status})` : name;
}

interface Call {
  key: string;
  head: LoadedHead;
  target: EndpointTarget | undefined;
  apply(scores: Scores, value: number): void;
}

/**
 * SageMaker mode: each applicable model head is scored by `InvokeEndpoint` (CSV in feature-spec
 * order, one request per customer per head, all in parallel) within the latency budget. The
 * in-process evaluator of the same artifact scores first (microseconds); it decides which heads
 * apply (cross-sell only for products not held) and is the answer whenever the endpoint times
 * out, throttles, fails or rests behind its open circuit breaker: a decision never waits longer
 * than the budget and never fails for the endpoint's sake.
 */
export class SageMakerScoring implements ScoringPort {
  private readonly local: Scorer;
  private readonly byKey = new Map<string, { model: LoadedModel; head: LoadedHead }>();
  private readonly breakers = new Map<string, CircuitBreaker>();

  constructor(private readonly opts: SageMakerScoringOptions) {
    this.local = new Scorer(opts.models, opts.clock);
    for (const model of opts.models)
      for (const head of model.heads) this.byKey.set(headKey(model.model, head.name), { model, head });
  }

  get modelVersions(): Record<string, string> {
    return this.local.modelVersions;
  }

  /** The breaker of one endpoint (shared by the heads it serves). */
  breakerOf(endpointName: string): CircuitBreaker {
    let b = this.breakers.get(endpointName);
    if (!b) {
      b = new CircuitBreaker(this.opts.breaker ?? DEFAULT_BREAKER, this.opts.clock);
      this.breakers.set(endpointName, b);
    }
    return b;
  }

  private callsFor(local: Scores): Call[] {
    const calls: Call[] = [];
    const add = (modelKind: string, product: string | undefined, apply: Call['apply']) => {
      for (const [key, { model, head }] of this.byKey) {
        if (model.kind !== modelKind) continue;
        if (product !== undefined && (head.product ?? head.name) !== product) continue;
        calls.push({ key, head, target: this.opts.endpoints[key], apply });
        return;
      }
    };
    if (local.churn)
      add('churn', undefined, (s, v) => {
        s.churn = { ...s.churn!, value: v };
      });
    for (const product of Object.keys(local.crossSell ?? {})) {
      add('cross-sell', product, (s, v) => {
        s.crossSell![product] = { ...s.crossSell![product]!, value: v };
      });
    }
    if (local.nps) {
      add('nps', undefined, (s, v) => {
        const score = Math.min(10, Math.max(0, v));
        s.nps = { ...s.nps!, score, class: npsClassOf(score) };
      });
    }
    return calls;
  }

  /** One customer: a block of one, so a decision and the nightly run take the same path to the endpoint. */
  async score(input: ScoringRequest): Promise<ScoringAnswer> {
    return (await this.scoreBatch([input]))[0]!;
  }

  /**
   * A block of customers (the nightly run's): each head's applicable rows go to its endpoint
   * `ROWS_PER_INVOKE` rows per InvokeEndpoint, all requests in parallel within the latency budget.
   * Any head failing, timing out or resting behind an open breaker sends the whole block to the
   * in-process evaluator (already computed: it decides which heads apply), with the reason.
   */
  async scoreBatch(inputs: readonly ScoringRequest[]): Promise<ScoringAnswer[]> {
    const local = this.local.scoreBatch(inputs);
    const embedded = (fallbackReason?: FallbackReason): ScoringAnswer[] =>
      local.map((scores) => ({ scores, source: 'embedded' as const, ...(fallbackReason ? { fallbackReason } : {}) }));
    const fallback = (reason: FallbackReason, detail: string) => {
      this.opts.onFallback?.(reason, detail);
      return embedded(reason);
    };
    // per head: the customers it applies to, and how its value lands in their scores
    const byHead = new Map<string, { call: Call; rows: Array<{ customer: number; apply: Call['apply'] }> }>();
    local.forEach((scores, customer) => {
      for (const call of this.callsFor(scores)) {
        const entry = byHead.get(call.key) ?? { call, rows: [] };
        entry.rows.push({ customer, apply: call.apply });
        byHead.set(call.key, entry);
      }
    });
    if (byHead.size === 0) return embedded();
    this.opts.onRequest?.();
    const heads = [...byHead.values()];
    const missing = heads.find((h) => !h.call.target);
    if (missing) return fallback('no-endpoint', missing.call.key);
    const acquired: CircuitBreaker[] = [];
    for (const { call } of heads) {
      const breaker = this.breakerOf(call.target!.endpointName);
      if (acquired.includes(breaker)) continue;
      if (!breaker.tryAcquire()) {
        for (const b of acquired) b.release();
        return fallback('circuit-open', call.target!.endpointName);
      }
      acquired.push(breaker);
    }

    const requests = heads.flatMap(({ call, rows }) =>
      Array.from({ length: Math.ceil(rows.length / ROWS_PER_INVOKE) }, (_, k) => ({
        call,
        rows: rows.slice(k * ROWS_PER_INVOKE, (k + 1) * ROWS_PER_INVOKE),
      })),
    );
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new DeadlineError());
      }, this.opts.latencyBudgetMs);
    });
    const csvOf = (head: LoadedHead, customer: number) => {
      const r = new Float64Array(head.features.width);
      head.features.fill(inputs[customer]!, r);
      return csvRowOf(r);
    };
    const outcomes = await Promise.allSettled(
      requests.map(async ({ call, rows }) => {
        const out = await Promise.race([
          this.opts.client.send(
            new InvokeEndpointCommand({
              EndpointName: call.target!.endpointName,
              ...(call.target!.targetModel ? { TargetModel: call.target!.targetModel } : {}),
              ContentType: 'text/csv',
              Accept: 'text/csv',
              Body: new TextEncoder().encode(rows.map((r) => csvOf(call.head, r.customer)).join('\n')),
            }),
            { abortSignal: controller.signal },
          ),
          deadline,
        ]);
        return parsePredictions(out.Body, rows.length);
      }),
    );
    clearTimeout(timer);
    deadline.catch(() => {}); // settled by the race already, or never rejected

    const scores: Scores[] = local.map((s) => structuredClone(s));
    let failure: { reason: FallbackReason; detail: string } | undefined;
    outcomes.forEach((o, i) => {
      const { call, rows } = requests[i]!;
      const breaker = this.breakerOf(call.target!.endpointName);
      if (o.status === 'fulfilled') {
        breaker.recordSuccess();
        rows.forEach((r, k) => r.apply(scores[r.customer]!, o.value[k]!));
      } else {
        breaker.recordFailure();
        failure ??= { reason: reasonOf(o.reason), detail: `${call.key}: ${errorNameOf(o.reason)}` };
      }
    });
    if (failure) return fallback(failure.reason, failure.detail);
    return scores.map((s) => ({ scores: s, source: 'sagemaker' as const }));
  }
}

/**
 * ScoringFallback (Count) with a `reason` dimension, flushed as one EMF line per fallback, on the
 * market's metrics (adapters/metrics/powertools-metrics.ts `platformMetrics`).
 */
export function powertoolsFallbackRecorder(metrics: Metrics): (reason: FallbackReason) => void {
  return (reason) => {
    try {
      metrics
        .singleMetric()
        .addDimension(DIMENSION.reason, reason)
        .addMetric(METRIC.scoringFallback, MetricUnit.Count, 1);
    } catch {
      // a metric never fails the decision it describes
    }
  };
}

/** ScoringRequest (Count), the fallback rate's denominator: ScoringFallback's dimensions without `reason`. */
export function powertoolsRequestRecorder(metrics: Metrics): () => void {
  return () => {
    try {
      metrics.singleMetric().addMetric(METRIC.scoringRequest, MetricUnit.Count, 1);
    } catch {
      // a metric never fails the decision it describes
    }
  };
}
