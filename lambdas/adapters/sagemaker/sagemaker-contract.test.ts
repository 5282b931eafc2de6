/**
 * Contract test: the SageMaker adapter, through the real AWS SDK (endpoint override), against a
 * local server that speaks the built-in XGBoost container's protocol and predicts with xgboost
 * itself (lambdas/test-support/xgboost-endpoint.py), on the pinned model files and rows of data/
 * as the importer maps them: profiles, and for the `ir` market the state its usage columns give
 * (the churn model's four state features), so every feature crosses the wire.
 * The mock-based tests (sagemaker-scorer.test.ts) cover budgets and breakers; this one covers what
 * a mock cannot: the request the SDK really sends, the CSV the container really reads (missing
 * values included) and the answer it really writes.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPinnedModelsFromDir } from '#adapters/models/file-model-store.ts';
import { fixedClock } from '#domain/clock.ts';
import type { Scores } from '#domain/customer.ts';
import { ibmTelco } from '#domain/datasets/ibm-telco.ts';
import { iranian } from '#domain/datasets/iranian.ts';
import type { DatasetSchema } from '#domain/datasets/dataset-schema.ts';
import { scoringInputOf } from '#domain/datasets/usage-state.ts';
import type { ScoringRequest } from '#domain/ports/scoring.ts';
import { headPath, type LoadedHead, type LoadedModel } from '#domain/scoring/model-store.ts';
import { Scorer } from '#domain/scoring/scorer.ts';
import {
  hasPythonXgboost,
  PYTHON,
  startXgboostEndpoint,
  type XgboostEndpoint,
} from '../../test-support/xgboost-endpoint.ts';
import { headKey, type EndpointMap } from './endpoints.ts';
import { csvRowOf, type FallbackReason, SageMakerScoring } from './sagemaker-scorer.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const MODELS = resolve(ROOT, 'models');
const clock = fixedClock('2025-03-01T10:00:00Z');
const available = hasPythonXgboost();

const pinsOf = (market: string) =>
  JSON.parse(readFileSync(resolve(MODELS, market, 'pins.json'), 'utf8')) as Record<string, { version: string }>;

/** The first rows of a data file as the importer maps them: the profile, and the state a usage period gives. */
function inputsOf(file: string, schema: DatasetSchema, count: number): ScoringRequest[] {
  const rows = parse(readFileSync(resolve(ROOT, 'data', file), 'utf8'), { columns: true, to_line: count + 1 });
  return (rows as Record<string, string>[]).flatMap((r, i) => {
    const m = schema.toProfile(r, i + 1);
    return m.ok ? [scoringInputOf(m, clock.now())] : [];
  });
}

/** The inputs and `n` copies of the first ones, each without one attribute (a field the operator's feed lacks). */
function withDropped(inputs: ScoringRequest[], n: number): ScoringRequest[] {
  const attrs = Object.keys(inputs[0]!.profile.attributes ?? {});
  const dropped = inputs.slice(0, n).map((input, k) => {
    const copy = structuredClone(input);
    delete copy.profile.attributes![attrs[k % attrs.length]!];
    return copy;
  });
  return [...inputs, ...dropped];
}

/** The head's answer in a Scores object (NPS clamped to 0-10 by both paths); undefined when the head does not apply. */
function headScore(scores: Scores, model: LoadedModel, head: LoadedHead): number | undefined {
  if (model.kind === 'churn') return scores.churn?.value;
  if (model.kind === 'nps') return scores.nps?.score;
  return scores.crossSell?.[head.product ?? head.name]?.value;
}

interface Market {
  name: string;
  models: LoadedModel[];
  inputs: ScoringRequest[];
  endpoints: EndpointMap;
  /** server model name per head key */
  serverName: Record<string, string>;
}

let server: XgboostEndpoint;
let demo: Market;
let ir: Market;

async function marketOf(name: string, inputs: ScoringRequest[], multiModel: boolean): Promise<Market> {
  const pins = pinsOf(name);
  const models = await loadPinnedModelsFromDir(MODELS, name, pins);
  const endpoints: EndpointMap = {};
  const serverName: Record<string, string> = {};
  for (const m of models)
    for (const h of m.heads) {
      const key = headKey(m.model, h.name);
      // serverless: one endpoint per head; real-time: one multi-model endpoint, heads by TargetModel
      endpoints[key] = multiModel
        ? { endpointName: `cvm-${name}`, targetModel: `${key}/model.tar.gz` }
        : { endpointName: `cvm-${name}-${m.model}-${h.name}` };
      serverName[key] = endpoints[key].targetModel ?? endpoints[key].endpointName;
    }
  return { name, models, inputs, endpoints, serverName };
}

function modelFiles(market: Market): Record<string, string> {
  const files: Record<string, string> = {};
  for (const m of market.models)
    for (const h of m.heads)
      files[market.serverName[headKey(m.model, h.name)]!] = resolve(
        MODELS,
        headPath(market.name, m.model, m.version, h.dir, 'model.json'),
      );
  return files;
}

const featureRow = (head: LoadedHead, input: ScoringRequest) => {
  const row = new Float64Array(head.features.width);
  head.features.fill(input, row);
  return row;
};

/** xgboost's predictions for every profile on one head, by the container protocol (one CSV batch). */
async function xgboostPredictions(market: Market, model: LoadedModel, head: LoadedHead): Promise<number[]> {
  const res = await fetch(`${server.url}/invocations`, {
    method: 'POST',
    headers: {
      'Content-Type': 'text/csv',
      Accept: 'text/csv',
      'X-Amzn-SageMaker-Target-Model': market.serverName[headKey(model.model, head.name)]!,
    },
    body: market.inputs.map((input) => csvRowOf(featureRow(head, input))).join('\n'),
  });
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return text.split(',').map(Number);
}

const adapterOf = (market: Market, fallbacks: string[] = [], endpoints = market.endpoints) =>
  new SageMakerScoring({
    client: new SageMakerRuntimeClient({
      region: 'af-south-1',
      endpoint: server.url,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    }),
    models: market.models,
    endpoints,
    latencyBudgetMs: 5_000,
    clock,
    onFallback: (reason: FallbackReason, detail) => fallbacks.push(`${reason} ${detail}`),
  });

/** Every applicable head of every profile: the adapter's score, xgboost's and the evaluator's agree to 1e-6. */
async function expectParity(market: Market) {
  const expected = new Map<string, number[]>();
  for (const m of market.models)
    for (const h of m.heads) expected.set(headKey(m.model, h.name), await xgboostPredictions(market, m, h));
  const local = new Scorer(market.models, clock);
  const adapter = adapterOf(market);
  const fallbacks: string[] = [];
  let compared = 0;
  const off: string[] = [];
  for (const [i, input] of market.inputs.entries()) {
    const out = await adapter.score(input);
    if (out.source !== 'sagemaker') fallbacks.push(`${i}: ${out.fallbackReason}`);
    const inProcess = local.score(input);
    for (const m of market.models)
      for (const h of m.heads) {
        const remote = headScore(out.scores, m, h);
        const embedded = headScore(inProcess, m, h);
        expect(remote === undefined, `${i} ${m.model}/${h.name} applies to both`).toBe(embedded === undefined);
        if (remote === undefined || embedded === undefined) continue;
        let xgb = expected.get(headKey(m.model, h.name))![i]!;
        if (m.kind === 'nps') xgb = Math.min(10, Math.max(0, xgb));
        compared++;
        if (Math.abs(remote - xgb) > 1e-6 || Math.abs(remote - embedded) > 1e-6)
          off.push(`${i} ${m.model}/${h.name}: adapter ${remote} xgboost ${xgb} evaluator ${embedded}`);
      }
  }
  expect(fallbacks).toEqual([]);
  expect(off).toEqual([]);
  return compared;
}

/** How many inputs send at least one empty cell (a missing value) to some head. */
const withMissing = (market: Market) =>
  market.inputs.filter((input) =>
    market.models.some((m) => m.heads.some((h) => featureRow(h, input).some(Number.isNaN))),
  ).length;

/** How many inputs give every feature a head reads from the state a value (none missing). */
const withState = (market: Market, head: LoadedHead) => {
  const columns = head.spec.features.flatMap((f, i) => (f.source.startsWith('state.') ? [i] : []));
  expect(columns.length).toBeGreaterThan(0);
  return market.inputs.filter((input) => {
    const row = featureRow(head, input);
    return columns.every((c) => !Number.isNaN(row[c]!));
  }).length;
};

if (!available)
  describe('SageMaker adapter contract (xgboost endpoint)', () => {
    it.skip(`skipped: ${PYTHON} has no xgboost (apt-get install python3-xgboost; .ci/run does)`, () => {});
  });

describe.runIf(available)('SageMaker adapter contract (local xgboost endpoint, container protocol)', () => {
  beforeAll(async () => {
    // The first 20 rows of each file (the data sets have no blanks: the importer reads IBM's blank
    // TotalCharges as 0), and copies of the first rows that lack one attribute each: an empty cell.
    const rows = (file: string, schema: DatasetSchema) => withDropped(inputsOf(file, schema, 20), 8);
    demo = await marketOf('demo', rows('ibm-telco-churn.train.csv', ibmTelco), false);
    ir = await marketOf('ir', rows('iranian-churn.train.csv', iranian), true);
    server = await startXgboostEndpoint({ ...modelFiles(demo), ...modelFiles(ir) });
  });
  afterAll(() => server?.close());

  it('answers GET /ping and a text/csv batch at POST /invocations with one prediction per row, comma-separated', async () => {
    expect((await fetch(`${server.url}/ping`)).status).toBe(200);
    const churn = demo.models.find((m) => m.kind === 'churn')!;
    const predictions = await xgboostPredictions(demo, churn, churn.heads[0]!);
    expect(predictions).toHaveLength(demo.inputs.length);
    expect(predictions.every((p) => p > 0 && p < 1)).toBe(true);
  });

  it('demo (one serverless endpoint per head): adapter = xgboost = in-process evaluator to 1e-6, missing values included', async () => {
    expect(withMissing(demo)).toBeGreaterThanOrEqual(6);
    const compared = await expectParity(demo);
    // churn + NPS per profile, plus the cross-sell heads that apply
    expect(compared).toBeGreaterThan(2 * demo.inputs.length);
  });

  it('ir (one multi-model endpoint, heads by TargetModel): adapter = xgboost = evaluator to 1e-6, state features and missing values included', async () => {
    expect(withMissing(ir)).toBeGreaterThanOrEqual(6);
    // every row carries the state its usage columns give: the churn model's state features arrive
    const churn = ir.models.find((m) => m.kind === 'churn')!;
    expect(withState(ir, churn.heads[0]!)).toBe(ir.inputs.length);
    expect(await expectParity(ir)).toBe(ir.inputs.length * ir.models.flatMap((m) => m.heads).length);
  });

  it('an endpoint the runtime does not know: the SDK raises ValidationError (400) and the evaluator answers', async () => {
    const fallbacks: string[] = [];
    const endpoints = Object.fromEntries(
      Object.entries(demo.endpoints).map(([k, v]) => [k, { endpointName: `${v.endpointName}-gone` }]),
    );
    const out = await adapterOf(demo, fallbacks, endpoints).score(demo.inputs[0]!);
    expect(out).toMatchObject({ source: 'embedded', fallbackReason: 'error' });
    expect(fallbacks[0]).toMatch(/^error .*: ValidationError \(400\)$/);
  });
});
