/**
 * SYNTHETIC NPS survey set for the demo market. No public telco NPS microdata exists, so this
 * seeded generator invents survey answers for a deterministic sample of IBM customers: a latent
 * satisfaction made from profile features (contract, tenure, price, support add-ons, fibre,
 * payment method) plus Gaussian noise, rounded and clipped to 0-10. Same input -> same output.
 * Anything trained on it demonstrates the pipeline; it says nothing about real customers.
 *
 *   npx tsx scripts/ml/synthetic-nps.ts [--out .local/ml/demo/nps-survey.synthetic.csv]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import type { ProfileWithId } from '#domain/datasets/dataset-schema.ts';
import { datasetOf, readDatasetCsv } from './datasets.ts';
import { DATA_DIR } from './paths.ts';
import { csvOf } from '#domain/csv.ts';

export const SURVEY_SEED = 20240605;
/** Share of customers who answer the survey. */
export const RESPONSE_RATE = 0.6;

/** mulberry32: a small, seeded PRNG (uniform in [0, 1)). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(rand: () => number): number {
  const u = 1 - rand();
  const v = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** The latent satisfaction (0-10 scale, before noise) the generator assumes. */
export function latentSatisfaction(p: ProfileWithId): number {
  const has = (c: string) => (p.products ?? []).includes(c);
  const a = p.attributes ?? {};
  let s = 6.6;
  s += p.contract === 'two-year' ? 1.1 : p.contract === 'one-year' ? 0.5 : 0;
  s += Math.min(p.tenureMonths ?? 0, 72) * 0.025;
  s -= ((p.monthlyCharge ?? 65) - 65) / 35;
  if (has('tech-support')) s += 0.7;
  if (has('online-security')) s += 0.5;
  if (p.tariff === 'fiber') s -= 0.6;
  if (a['paymentMethod'] === 'Electronic check') s -= 0.5;
  if (a['seniorCitizen'] === true) s -= 0.3;
  return s;
}

export interface SurveyAnswer {
  customerId: string;
  score: number;
}

/** Picks respondents and their scores; the order of `profiles` fixes the random stream. */
export function generateSurvey(profiles: readonly ProfileWithId[], seed = SURVEY_SEED): SurveyAnswer[] {
  const rand = mulberry32(seed);
  const out: SurveyAnswer[] = [];
  for (const p of profiles) {
    const responds = rand() < RESPONSE_RATE;
    const noise = gaussian(rand) * 1.3;
    if (!responds) continue;
    const score = Math.min(10, Math.max(0, Math.round(latentSatisfaction(p) + noise)));
    out.push({ customerId: p.customerId, score });
  }
  return out;
}

export function surveyCsv(answers: readonly SurveyAnswer[]): string {
  return csvOf(
    ['customerID', 'nps_score', 'synthetic'],
    answers.map((a) => [a.customerId, a.score, true]),
  );
}

export function demoProfiles(): ProfileWithId[] {
  const { schema, trainFile } = datasetOf('demo');
  const rows = readDatasetCsv(resolve(DATA_DIR, trainFile), schema);
  const profiles: ProfileWithId[] = [];
  rows.forEach((row, i) => {
    const m = schema.toProfile(row, i + 1);
    if (m.ok) profiles.push(m.profile);
  });
  return profiles;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: { out: { type: 'string', default: '.local/ml/demo/nps-survey.synthetic.csv' } },
  });
  const answers = generateSurvey(demoProfiles());
  mkdirSync(dirname(values.out), { recursive: true });
  writeFileSync(values.out, surveyCsv(answers));
  const counts = { promoter: 0, passive: 0, detractor: 0 };
  for (const a of answers) counts[a.score >= 9 ? 'promoter' : a.score >= 7 ? 'passive' : 'detractor']++;
  process.stdout.write(`wrote ${answers.length} SYNTHETIC survey answers to ${values.out} ${JSON.stringify(counts)}\n`);
}
