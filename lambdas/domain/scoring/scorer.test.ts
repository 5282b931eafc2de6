import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Scores } from '../customer.ts';
import { fixedClock } from '../clock.ts';
import { ibmTelco } from '../datasets/ibm-telco.ts';
import { type FeatureEncoding, featuresOf, type ScoringInput } from './features.ts';
import { loadModel, type LoadedModel, type ModelSource } from './model-store.ts';
import { npsClassOf } from '../nps.ts';
import { Scorer } from './scorer.ts';
import { parse } from 'csv-parse/sync';

const MODELS = resolve(import.meta.dirname, '../../../models');
/** An in-memory source over the repository's models directory (the test reads the files). */
const source: ModelSource = { readJson: async (p) => JSON.parse(readFileSync(resolve(MODELS, p), 'utf8')) as unknown };
const clock = fixedClock('2025-03-01T10:00:00.000Z');

const rows = parse(readFileSync(resolve(import.meta.dirname, '../../../data/ibm-telco-churn.train.csv'), 'utf8'), {
  columns: true,
  to_line: 60,
}) as Record<string, string>[];
const profiles = rows.map((r, i) => ibmTelco.toProfile(r, i + 1)).flatMap((m) => (m.ok ? [m.profile] : []));

async function demoScorer() {
  const models = await Promise.all(['churn', 'cross-sell', 'nps'].map((m) => loadModel(source, 'demo', m, '1')));
  return new Scorer(models, clock);
}

describe('scorer', () => {
  it('scores churn, cross-sell and NPS with model, version and the clock time', async () => {
    const scorer = await demoScorer();
    const fiber = profiles.find((p) => p.tariff === 'fiber' && !p.products?.includes('tech-support'))!;
    const s = scorer.score({ profile: fiber });
    expect(s.churn).toMatchObject({ model: 'churn', version: '1', at: '2025-03-01T10:00:00.000Z' });
    expect(s.churn!.value).toBeGreaterThan(0);
    expect(s.churn!.value).toBeLessThan(1);
    expect(s.crossSell!['tech-support']).toMatchObject({ model: 'cross-sell', version: '1' });
    expect(s.nps).toMatchObject({ model: 'nps', version: '1' });
    expect(s.nps!.class).toBe(npsClassOf(s.nps!.score));
    expect(scorer.modelVersions).toEqual({ churn: '1', 'cross-sell': '1', nps: '1' });
  });

  it('offers cross-sell only for products the customer lacks and can take', async () => {
    const scorer = await demoScorer();
    for (const p of profiles) {
      const offered = Object.keys(scorer.score({ profile: p }).crossSell ?? {});
      for (const product of offered) expect(p.products).not.toContain(product);
      if (p.tariff === 'voice') expect(offered.filter((o) => o !== 'multiple-lines')).toEqual([]);
    }
  });

  it('computes the features all heads share once, with the values each head computes alone', async () => {
    const models = await Promise.all(['churn', 'cross-sell', 'nps'].map((m) => loadModel(source, 'demo', m, '1')));
    const scorer = new Scorer(models, clock);
    const head = (model: string, name = model) =>
      models.find((m) => m.model === model)!.heads.find((h) => h.name === name)!;
    const alone = (h: ReturnType<typeof head>, input: { profile: (typeof profiles)[number] }) =>
      h.evaluator.predict(featuresOf(h.spec, input));
    for (const profile of profiles) {
      const s = scorer.score({ profile });
      expect(s.churn!.value).toBe(alone(head('churn'), { profile }));
      expect(s.nps!.score).toBe(Math.min(10, Math.max(0, alone(head('nps'), { profile }))));
      for (const [product, v] of Object.entries(s.crossSell ?? {}))
        expect(v.value).toBe(alone(head('cross-sell', product), { profile }));
    }
  });

  it('still scores a profile with almost nothing known', async () => {
    const s = (await demoScorer()).score({ profile: { products: [] } });
    expect(s.churn!.value).toBeGreaterThanOrEqual(0);
    expect(s.crossSell).toBeUndefined();
    expect(s.nps!.score).toBeGreaterThanOrEqual(0);
    expect(s.nps!.score).toBeLessThanOrEqual(10);
  });

  it('refuses two models of the same kind', async () => {
    const churn = await loadModel(source, 'demo', 'churn', '1');
    expect(() => new Scorer([churn, churn], clock)).toThrow(/two churn models/);
  });
});

/** Scores as each head computes them alone, one customer at a time (the scorer before blocks). */
function scoredAlone(models: readonly LoadedModel[], input: ScoringInput, at: string): Scores {
  const held = input.profile.products ?? [];
  const scores: Scores = {};
  for (const model of models)
    for (const head of model.heads) {
      const raw = head.evaluator.predict(featuresOf(head.spec, input));
      const stamp = { model: model.model, version: model.version, at };
      if (model.kind === 'churn') scores.churn = { value: raw, ...stamp };
      else if (model.kind === 'nps') {
        const score = Math.min(10, Math.max(0, raw));
        scores.nps = { score, class: npsClassOf(score), ...stamp };
      } else {
        const product = head.product ?? head.name;
        if (held.includes(product) || (head.requiresAny && !head.requiresAny.some((p) => held.includes(p)))) continue;
        (scores.crossSell ??= {})[product] = { value: raw, ...stamp };
      }
    }
  return scores;
}

/** A value for a feature source: what its encodings compare with, numbers of any kind, or nothing. */
function sourceValue(encodings: readonly FeatureEncoding[]): fc.Arbitrary<unknown> {
  const equals = encodings.flatMap((e) => (e.kind === 'equals' ? [e.value] : []));
  const has = encodings.flatMap((e) => (e.kind === 'has' ? [e.value] : []));
  const number = fc.oneof(
    fc.integer({ min: -5, max: 120 }),
    fc.double({ min: -1e4, max: 1e5 }),
    fc.constantFrom(NaN, Infinity, -0, true, false, null, undefined, '', 'n/a'),
    fc.integer({ min: 0, max: 9000 }).map(String),
  );
  if (has.length)
    return fc.oneof(
      fc.subarray([...has, 'phone', 'internet-dsl', 'internet-fiber']),
      fc.constantFrom(undefined, 'phone'),
    );
  if (equals.length) return fc.oneof(fc.constantFrom(...equals), number);
  return number;
}

/** Random customers over every source the models read: profile paths and state counters. */
function inputsOf(models: readonly LoadedModel[]): fc.Arbitrary<ScoringInput> {
  const bySource = new Map<string, FeatureEncoding[]>();
  for (const m of models)
    for (const h of m.heads)
      for (const f of h.spec.features) bySource.set(f.source, [...(bySource.get(f.source) ?? []), f.encoding]);
  const sources = [...bySource.keys()];
  return fc.tuple(...sources.map((s) => fc.option(sourceValue(bySource.get(s)!), { nil: undefined }))).map((values) => {
    const input: { profile: Record<string, unknown>; state?: Record<string, unknown> } = { profile: {} };
    sources.forEach((source, i) => {
      if (values[i] === undefined) return;
      const [root, ...path] = source.split('.');
      let at = (root === 'state' ? (input.state ??= {}) : input.profile) as Record<string, unknown>;
      for (const key of path.slice(0, -1)) at = (at[key] ??= {}) as Record<string, unknown>;
      at[path.at(-1)!] = values[i];
    });
    return input as unknown as ScoringInput;
  });
}

describe('scoring a block of customers', () => {
  const pinned = (market: string, model: string) =>
    (JSON.parse(readFileSync(resolve(MODELS, market, 'pins.json'), 'utf8')) as Record<string, { version: string }>)[
      model
    ]!.version;
  const load = (market: string, model: string) => loadModel(source, market, model, pinned(market, model));

  it('gives every customer the scores each head computes for it alone, whatever the block', async () => {
    // the demo's pinned models, and a churn model that reads state counters beside them
    const demo = await Promise.all(['churn', 'cross-sell', 'nps'].map((m) => load('demo', m)));
    const withState = [await load('ir', 'churn'), ...demo.slice(1)];
    const at = clock.now().toISOString();
    for (const models of [demo, withState]) {
      const scorer = new Scorer(models, clock);
      fc.assert(
        fc.property(fc.array(inputsOf(models), { maxLength: 600 }), (inputs) => {
          const batch = scorer.scoreBatch(inputs);
          const alone = inputs.map((input) => scoredAlone(models, input, at));
          // same keys in the same order, every number identical (well inside 1e-12)
          expect(JSON.stringify(batch)).toBe(JSON.stringify(alone));
          expect(batch).toEqual(alone);
          expect(inputs.map((input) => scorer.score(input))).toEqual(alone);
        }),
        { numRuns: 25 },
      );
    }
  });

  it('scores the same customers alike in blocks of any size', async () => {
    const scorer = await demoScorer();
    const inputs = profiles.map((profile) => ({ profile }));
    const whole = scorer.scoreBatch(inputs);
    for (const size of [1, 7, 256, 257])
      for (let i = 0; i < inputs.length; i += size)
        expect(scorer.scoreBatch(inputs.slice(i, i + size))).toEqual(whole.slice(i, i + size));
    expect(scorer.scoreBatch([])).toEqual([]);
  });
});
