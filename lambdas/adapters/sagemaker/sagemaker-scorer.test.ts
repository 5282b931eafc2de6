import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadPinnedModelsFromDir } from '#adapters/models/file-model-store.ts';
import { fixedClock } from '#domain/clock.ts';
import { ibmTelco } from '#domain/datasets/ibm-telco.ts';
import type { Profile } from '#domain/customer.ts';
import type { LoadedModel } from '#domain/scoring/model-store.ts';
import { Scorer } from '#domain/scoring/scorer.ts';
import { platformMetrics } from '#adapters/metrics/powertools-metrics.ts';
import { emittedMetrics } from '../../test-support/emf.ts';
import { headKey, type EndpointMap } from './endpoints.ts';
import {
  csvRowOf,
  parsePredictions,
  powertoolsFallbackRecorder,
  powertoolsRequestRecorder,
  SageMakerScoring,
  type FallbackReason,
} from './sagemaker-scorer.ts';

const MODELS = resolve(import.meta.dirname, '../../../models');
const rows = parse(readFileSync(resolve(import.meta.dirname, '../../../data/ibm-telco-churn.train.csv'), 'utf8'), {
  columns: true,
  to_line: 40,
}) as Record<string, string>[];
const profiles = rows.map((r, i) => ibmTelco.toProfile(r, i + 1)).flatMap((m) => (m.ok ? [m.profile] : []));

const sm = mockClient(SageMakerRuntimeClient);
const body = (text: string) => new TextEncoder().encode(text) as never;
const BUDGET = 80;

let models: LoadedModel[];
let churnOnly: LoadedModel[];
beforeAll(async () => {
  models = await loadPinnedModelsFromDir(MODELS, 'demo', {
    churn: { version: '1' },
    'cross-sell': { version: '1' },
    nps: { version: '1' },
  });
  churnOnly = models.filter((m) => m.kind === 'churn');
});
afterEach(() => sm.reset());

const endpointsOf = (ms: LoadedModel[]): EndpointMap =>
  Object.fromEntries(
    ms.flatMap((m) =>
      m.heads.map((h) => [headKey(m.model, h.name), { endpointName: `cvm-demo-${m.model}-${h.name}` }]),
    ),
  );

function adapter(
  ms = churnOnly,
  extra: {
    fallbacks?: FallbackReason[];
    requests?: { count: number };
    clock?: ReturnType<typeof fixedClock>;
    endpoints?: EndpointMap;
  } = {},
) {
  const clock = extra.clock ?? fixedClock('2025-03-01T10:00:00Z');
  return new SageMakerScoring({
    client: new SageMakerRuntimeClient({
      region: 'af-south-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    }),
    models: ms,
    endpoints: extra.endpoints ?? endpointsOf(ms),
    latencyBudgetMs: BUDGET,
    clock,
    breaker: { failureThreshold: 2, coolDownMs: 60_000 },
    onRequest: () => {
      if (extra.requests) extra.requests.count++;
    },
    onFallback: (r) => extra.fallbacks?.push(r),
  });
}

const customer: Profile = profiles[0]!;

describe('SageMaker scoring adapter', () => {
  it('scores with the endpoint and parses its CSV answer', async () => {
    sm.on(InvokeEndpointCommand).resolves({ Body: body('0.734\n'), ContentType: 'text/csv' });
    const out = await adapter().score({ profile: customer });
    expect(out.source).toBe('sagemaker');
    expect(out.fallbackReason).toBeUndefined();
    expect(out.scores.churn).toMatchObject({ value: 0.734, model: 'churn', version: '1' });
    const call = sm.commandCalls(InvokeEndpointCommand)[0]!.args[0].input;
    expect(call).toMatchObject({ EndpointName: 'cvm-demo-churn-churn', ContentType: 'text/csv', Accept: 'text/csv' });
  });

  it('sends every applicable head once, each to its own endpoint, and keeps NPS within 0-10 with its class', async () => {
    sm.on(InvokeEndpointCommand).callsFake((input: { EndpointName: string }) => ({
      Body: body(input.EndpointName.includes('nps') ? '11.2' : '0.5'),
    }));
    const local = new Scorer(models, fixedClock('2025-03-01T10:00:00Z')).score({ profile: customer });
    const out = await adapter(models).score({ profile: customer });
    const heads = 1 + Object.keys(local.crossSell ?? {}).length + 1;
    expect(sm.commandCalls(InvokeEndpointCommand)).toHaveLength(heads);
    expect(out.source).toBe('sagemaker');
    expect(out.scores.nps).toMatchObject({ score: 10, class: 'promoter' });
    expect(Object.keys(out.scores.crossSell ?? {}).sort()).toEqual(Object.keys(local.crossSell ?? {}).sort());
  });

  it('answers with the in-process evaluator within the budget when the endpoint times out', async () => {
    sm.on(InvokeEndpointCommand).callsFake(() => new Promise((r) => setTimeout(() => r({ Body: body('0.9') }), 5_000)));
    const fallbacks: FallbackReason[] = [];
    const started = performance.now();
    const out = await adapter(churnOnly, { fallbacks }).score({ profile: customer });
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(BUDGET + 60);
    expect(out).toMatchObject({ source: 'embedded', fallbackReason: 'timeout' });
    const expected = new Scorer(churnOnly, fixedClock('2025-03-01T10:00:00Z')).score({ profile: customer });
    expect(out.scores.churn!.value).toBe(expected.churn!.value);
    expect(fallbacks).toEqual(['timeout']);
  });

  it('falls back with the reason throttled when SageMaker throttles', async () => {
    sm.on(InvokeEndpointCommand).rejects(
      Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 429 } }),
    );
    const fallbacks: FallbackReason[] = [];
    const out = await adapter(churnOnly, { fallbacks }).score({ profile: customer });
    expect(out).toMatchObject({ source: 'embedded', fallbackReason: 'throttled' });
    expect(fallbacks).toEqual(['throttled']);
  });

  it('falls back with the reason error on a model error or an unreadable answer', async () => {
    sm.on(InvokeEndpointCommand).resolves({ Body: body('<html>oops</html>') });
    const out = await adapter().score({ profile: customer });
    expect(out).toMatchObject({ source: 'embedded', fallbackReason: 'error' });
  });

  it('opens the breaker after repeated failures and then skips the endpoint', async () => {
    sm.on(InvokeEndpointCommand).rejects(Object.assign(new Error('boom'), { name: 'ModelError' }));
    const scoring = adapter();
    await scoring.score({ profile: customer });
    await scoring.score({ profile: customer });
    expect(sm.commandCalls(InvokeEndpointCommand)).toHaveLength(2);
    const out = await scoring.score({ profile: customer });
    expect(out).toMatchObject({ source: 'embedded', fallbackReason: 'circuit-open' });
    expect(sm.commandCalls(InvokeEndpointCommand)).toHaveLength(2);
  });

  it('half-opens after the cool-down: one probe goes out, and its success closes the breaker', async () => {
    const clock = fixedClock('2025-03-01T10:00:00Z');
    sm.on(InvokeEndpointCommand).rejects(Object.assign(new Error('boom'), { name: 'ModelError' }));
    const scoring = adapter(churnOnly, { clock });
    await scoring.score({ profile: customer });
    await scoring.score({ profile: customer });
    expect(scoring.breakerOf('cvm-demo-churn-churn').state).toBe('open');
    clock.advance(60_000);
    expect(scoring.breakerOf('cvm-demo-churn-churn').state).toBe('half-open');
    sm.reset();
    sm.on(InvokeEndpointCommand).resolves({ Body: body('0.25') });
    const probe = await scoring.score({ profile: customer });
    expect(probe.source).toBe('sagemaker');
    expect(scoring.breakerOf('cvm-demo-churn-churn').state).toBe('closed');
    expect(sm.commandCalls(InvokeEndpointCommand)).toHaveLength(1);
  });
});

describe("the fallback rate's metrics", () => {
  it('counts one request per scoring that needs the endpoint, whether SageMaker answers or not', async () => {
    const requests = { count: 0 };
    const fallbacks: FallbackReason[] = [];
    const scoring = adapter(models, { requests, fallbacks });
    sm.on(InvokeEndpointCommand).resolves({ Body: body('0.5') });
    await scoring.score({ profile: customer });
    expect(requests.count).toBe(1); // one per scoring, not one per head
    sm.reset();
    sm.on(InvokeEndpointCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await scoring.score({ profile: customer });
    await scoring.score({ profile: customer });
    await scoring.score({ profile: customer }); // the breaker is open by now: still a request, and a fallback
    expect(requests.count).toBe(4);
    expect(fallbacks).toEqual(['throttled', 'throttled', 'circuit-open']);
  });

  it('counts a scoring whose head has no endpoint as a request that fell back', async () => {
    const requests = { count: 0 };
    const fallbacks: FallbackReason[] = [];
    await adapter(churnOnly, { requests, fallbacks, endpoints: {} }).score({ profile: customer });
    expect(requests.count).toBe(1);
    expect(fallbacks).toEqual(['no-endpoint']);
    expect(sm.commandCalls(InvokeEndpointCommand)).toHaveLength(0);
  });

  it("writes ScoringRequest and ScoringFallback with the same dimensions but the fallback's reason", async () => {
    const metrics = platformMetrics('demo');
    const emitted = await emittedMetrics(() => {
      powertoolsRequestRecorder(metrics)();
      powertoolsFallbackRecorder(metrics)('timeout');
    });
    expect(emitted).toEqual([
      { namespace: 'telco-cvm', name: 'ScoringRequest', dimensions: { service: 'telco-cvm', market: 'demo' } },
      {
        namespace: 'telco-cvm',
        name: 'ScoringFallback',
        dimensions: { service: 'telco-cvm', market: 'demo', reason: 'timeout' },
      },
    ]);
  });
});

describe('the CSV request body', () => {
  it('is the feature vector the evaluator uses, in feature-spec order', async () => {
    sm.on(InvokeEndpointCommand).resolves({ Body: body('0.5') });
    await adapter().score({ profile: customer });
    const sent = new TextDecoder().decode(sm.commandCalls(InvokeEndpointCommand)[0]!.args[0].input.Body as Uint8Array);
    const head = churnOnly[0]!.heads[0]!;
    const row = new Float64Array(head.features.width);
    head.features.fill({ profile: customer }, row);
    expect(sent.split(',').map(Number)).toEqual(Array.from(row));
    expect(sent.split(',')).toHaveLength(head.spec.features.length);
  });

  it('leaves a missing value as an empty cell, which the container reads as missing', async () => {
    sm.on(InvokeEndpointCommand).resolves({ Body: body('0.5') });
    const { monthlyCharge: _m, ...noCharge } = customer;
    await adapter().score({ profile: { ...noCharge, attributes: {} } });
    const sent = new TextDecoder().decode(sm.commandCalls(InvokeEndpointCommand)[0]!.args[0].input.Body as Uint8Array);
    const head = churnOnly[0]!.heads[0]!;
    const row = new Float64Array(head.features.width);
    head.features.fill({ profile: { ...noCharge, attributes: {} } }, row);
    const cells = sent.split(',');
    expect(cells).toHaveLength(row.length);
    row.forEach((v, i) => expect(cells[i]).toBe(Number.isNaN(v) ? '' : String(v)));
    expect(cells.some((c) => c === '')).toBe(true);
    expect(csvRowOf([1, NaN, 2.5])).toBe('1,,2.5');
  });

  it('reads one prediction per row sent from newline, comma or bracketed answers, and no other count', () => {
    const body = (text: string) => new TextEncoder().encode(text);
    expect(parsePredictions(body('0.25\n'), 1)).toEqual([0.25]);
    expect(parsePredictions(body('[0.25]'), 1)).toEqual([0.25]);
    expect(parsePredictions(body('0.25\n0.5\n'), 2)).toEqual([0.25, 0.5]);
    expect(parsePredictions(body('0.25,0.5'), 2)).toEqual([0.25, 0.5]);
    expect(() => parsePredictions(body('0.25,0.5'), 1)).toThrow(/to 1 rows/);
    expect(() => parsePredictions(body(''), 1)).toThrow();
  });
});

describe('SageMaker scoring adapter, a block of customers', () => {
  /** An endpoint answering each CSV row with a value of its own cells, so a row's answer is its own. */
  const perRow = (input: { EndpointName: string; Body: Uint8Array }) => {
    const lines = new TextDecoder().decode(input.Body).split('\n');
    const values = lines.map((line) => {
      const sum = line.split(',').reduce((s, c) => s + (c === '' ? 0.5 : Number(c)), 0);
      return input.EndpointName.includes('nps') ? sum % 11 : (sum % 97) / 97;
    });
    return { Body: body(values.join('\n')) };
  };
  const block = [...profiles, ...profiles, ...profiles, ...profiles].map((profile) => ({ profile }));

  it('sends each head its rows 100 to a request and answers each customer as scoring it alone would', async () => {
    sm.on(InvokeEndpointCommand).callsFake(perRow);
    const requests = { count: 0 };
    const out = await adapter(models, { requests }).scoreBatch(block);
    const batchCalls = sm.commandCalls(InvokeEndpointCommand).length;
    expect(requests.count).toBe(1);
    const local = new Scorer(models, fixedClock('2025-03-01T10:00:00Z')).scoreBatch(block);
    const rowsPerHead = new Map<string, number>();
    const heads = local.flatMap((s) => [
      ...(s.churn ? ['churn'] : []),
      ...(s.nps ? ['nps'] : []),
      ...Object.keys(s.crossSell ?? {}).map((p) => `cross-sell/${p}`),
    ]);
    for (const head of heads) rowsPerHead.set(head, (rowsPerHead.get(head) ?? 0) + 1);
    expect(rowsPerHead.get('churn')).toBeGreaterThan(100);
    expect(batchCalls).toBe([...rowsPerHead.values()].reduce((n, rows) => n + Math.ceil(rows / 100), 0));
    sm.reset();
    sm.on(InvokeEndpointCommand).callsFake(perRow);
    const alone = adapter(models);
    const one = [];
    for (const input of block) one.push(await alone.score(input));
    expect(out).toEqual(one);
    expect(out.every((o) => o.source === 'sagemaker')).toBe(true);
  });

  it('answers the whole block with the in-process evaluator when one head fails, with the reason', async () => {
    sm.on(InvokeEndpointCommand).callsFake((input: { EndpointName: string; Body: Uint8Array }) => {
      if (input.EndpointName.includes('tech-support')) throw Object.assign(new Error('boom'), { name: 'ModelError' });
      return perRow(input);
    });
    const fallbacks: FallbackReason[] = [];
    const out = await adapter(models, { fallbacks }).scoreBatch(block);
    const local = new Scorer(models, fixedClock('2025-03-01T10:00:00Z')).scoreBatch(block);
    expect(out).toEqual(local.map((scores) => ({ scores, source: 'embedded', fallbackReason: 'error' })));
    expect(fallbacks).toEqual(['error']);
  });
});
