import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixedClock } from '../clock.ts';
import { ibmTelco } from '../datasets/ibm-telco.ts';
import { featuresOf } from './features.ts';
import { loadModel, type ModelSource } from './model-store.ts';
import { npsClassOf, Scorer } from './scorer.ts';
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

  it('classes NPS answers: 9-10 promoters, 7-8 passives, 0-6 detractors', () => {
    expect([10, 9, 8.6, 8.4, 7, 6.6, 6.4, 0].map(npsClassOf)).toEqual([
      'promoter',
      'promoter',
      'promoter',
      'passive',
      'passive',
      'passive',
      'detractor',
      'detractor',
    ]);
  });

  it('refuses two models of the same kind', async () => {
    const churn = await loadModel(source, 'demo', 'churn', '1');
    expect(() => new Scorer([churn, churn], clock)).toThrow(/two churn models/);
  });
});
