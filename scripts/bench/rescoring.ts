/**
 * What real-time re-scoring (issue 20, item 2) adds to the processor's CPU per event: the fold of
 * one event into an imported ir customer's state, without a re-scorer, and with the pinned churn
 * model's re-scorer for an event that moves a feature it reads (a dropped call: the features of the
 * state before and after, and one prediction) and for one that does not (a top-up: the two feature
 * reads only). Rounds alternate so a busy machine slows all three alike; each figure is the median
 * of the rounds.
 *
 *   npx tsx scripts/bench/rescoring.ts      (or: npm run bench -- rescoring)
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fileModelSource } from '#adapters/models/file-model-store.ts';
import { loadMarket } from '#config/markets/index.ts';
import { defaultContactPolicy } from '#domain/contact-policy.ts';
import { measureState } from '#domain/customer-state.ts';
import { stateFromUsage } from '#domain/datasets/usage-state.ts';
import { foldEvents, type FoldInput } from '#domain/event-fold.ts';
import type { CvmEvent } from '#domain/events.ts';
import { loadModel } from '#domain/scoring/model-store.ts';
import { churnRescorer } from '#domain/scoring/realtime-score.ts';
import { datasetOf, readDatasetCsv } from '../ml/datasets.ts';
import { DATA_DIR, MODELS_DIR } from '../ml/paths.ts';
import { median, type BenchFigure } from './figure.ts';

const CUSTOMERS = 200;
const EVENTS = 20_000;
const ROUNDS = 9;

export async function runRescoringBench(): Promise<BenchFigure[]> {
  const market = 'ir';
  const model = await loadModel(
    fileModelSource(MODELS_DIR),
    market,
    'churn',
    loadMarket(market).scoring.models['churn']!.version,
  );
  const rescore = churnRescorer(model);
  if (!rescore) throw new Error(`${market}/churn/${model.version} reads no state feature: nothing re-scores`);
  const now = new Date('2026-12-06T10:00:00Z');
  const { schema, trainFile } = datasetOf(market);
  const customers = readDatasetCsv(resolve(DATA_DIR, trainFile), schema)
    .slice(0, CUSTOMERS)
    .flatMap((row, i) => {
      const m = schema.toProfile(row, i + 1);
      if (!m.ok || !m.usage) return [];
      const start = measureState(stateFromUsage(m.usage, now), now, { dedupeWindowHours: 48 });
      // a nightly score, as every scored customer has: the fold compares with it and predicts once
      const scores = { churn: { value: 0.1, model: 'churn', version: model.version, at: '2026-12-06T02:00:00Z' } };
      return [{ profile: { ...m.profile, version: 1, createdAt: '', updatedAt: '', scores }, start }];
    });
  const base = (i: number, event: CvmEvent): FoldInput => {
    const c = customers[i % customers.length]!;
    return {
      tenant: 'bench',
      customerId: c.profile.customerId,
      profile: c.profile,
      start: c.start,
      events: [event],
      now,
      stateConfig: { dedupeWindowHours: 48 },
      recorded: new Set(),
      rules: { triggers: [], actions: new Map() },
      policy: defaultContactPolicy({ timezone: 'Asia/Tehran', quietHours: { start: '22:00', end: '08:00' } }),
      view: { contacts: [], granted: new Set(), spent: new Set() },
      defaultLanguage: 'fa',
    };
  };
  const dropped = (i: number): CvmEvent => ({
    eventId: `d-${i}`,
    customerId: 'x',
    type: 'network.call_dropped',
    occurredAt: '2026-12-06T09:59:00Z',
    data: {},
  });
  const topup = (i: number): CvmEvent => ({
    eventId: `t-${i}`,
    customerId: 'x',
    type: 'billing.topup',
    occurredAt: '2026-12-06T09:59:00Z',
    data: { amount: 5 },
  });
  let rescored = 0;
  const cases: Record<string, (i: number) => void> = {
    'no re-scorer (dropped call)': (i) => void foldEvents(base(i, dropped(i))),
    're-scores (dropped call)': (i) => {
      if (foldEvents({ ...base(i, dropped(i)), rescore }).state.scores) rescored++;
    },
    'no feature moved (top-up)': (i) => {
      if (foldEvents({ ...base(i, topup(i)), rescore }).state.scores) rescored++;
    },
    'first score (no nightly score)': (i) => {
      const input = base(i, dropped(i));
      const { scores: _none, ...unscored } = input.profile!;
      if (foldEvents({ ...input, profile: unscored, rescore }).state.scores) rescored++;
    },
  };
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (let round = -1; round < ROUNDS; round++) {
    for (const [name, fn] of Object.entries(cases)) {
      const started = process.hrtime.bigint();
      for (let i = 0; i < EVENTS; i++) fn(i);
      if (round >= 0) times[name]!.push(Number(process.hrtime.bigint() - started) / EVENTS / 1000);
    }
  }
  // every dropped call moved droppedCalls30d (two cases), no top-up moved anything
  if (rescored !== 2 * EVENTS * (ROUNDS + 1))
    throw new Error(`expected every dropped call and no top-up to re-score, got ${rescored}`);
  const plain = median(times['no re-scorer (dropped call)']!);
  const withScore = median(times['re-scores (dropped call)']!);
  const unmoved = median(times['no feature moved (top-up)']!);
  const first = median(times['first score (no nightly score)']!);
  const us = (x: number) => Number(x.toFixed(2));
  const reference = { name: 'fold of the same event without re-scoring', value: us(plain), unit: 'µs' };
  return [
    {
      name: 'fold of one event, no re-scorer',
      value: us(plain),
      unit: 'µs/event',
      note: `${market} churn v${model.version}`,
    },
    {
      name: 'added CPU: event that re-scores (dropped call)',
      value: us(withScore - plain),
      unit: 'µs/event',
      reference,
      ratio: Number((withScore / plain).toFixed(2)),
      note: 'features before and after, one prediction (13 features, 300 trees)',
    },
    {
      name: 'added CPU: the first score of a customer with none (dropped call)',
      value: us(first - plain),
      unit: 'µs/event',
      reference,
      note: "a second prediction: the state before the event, the crossing's baseline",
    },
    {
      name: 'added CPU: event that moves no model feature (top-up)',
      value: us(unmoved - plain),
      unit: 'µs/event',
      reference,
      note: 'features before and after only; a top-up folds a little less than a dropped call (no hour bucket)',
    },
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const f of await runRescoringBench())
    console.log(`${f.name.padEnd(56)} ${String(f.value).padStart(8)} ${f.unit}${f.note ? `  (${f.note})` : ''}`);
}
