import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path, { resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '#adapters/dynamo/client.ts';
import { DynamoCustomerRepo } from '#adapters/dynamo/customer-repo.ts';
import { DynamoScoreStore } from '#adapters/dynamo/score-store.ts';
import { loadPinnedModelsFromDir } from '#adapters/models/file-model-store.ts';
import { EmbeddedScoring } from '#adapters/scoring/embedded-scoring.ts';
import { getCustomer } from '#app/customers.ts';
import { importProfiles } from '#app/import-profiles.ts';
import { scoreCustomer } from '#app/scoring.ts';
import { loadMarket } from '#config/markets/index.ts';
import { fixedClock } from '#domain/clock.ts';
import { ibmTelco } from '#domain/datasets/ibm-telco.ts';
import { Scorer } from '#domain/scoring/scorer.ts';
import { testTables } from '../../lambdas/test-support/dynamo.ts';
import { scoreFile } from './score.ts';

const TRAIN = resolve(import.meta.dirname, '../../data/ibm-telco-churn.train.csv');
const MODELS = resolve(import.meta.dirname, '../../models');
const clock = fixedClock('2025-03-01T10:00:00.000Z');
const lines = readFileSync(TRAIN, 'utf8').split('\n');
const sample = `${[lines[0]!, ...lines.slice(1, 9)].join('\n')}\n`;
const rows = parse(sample, { columns: true }) as Record<string, string>[];

let cli: Map<string, Record<string, string>>;
let api: Awaited<ReturnType<ReturnType<typeof scoreCustomer>>>[];
let getView: ReturnType<typeof getCustomer>;
beforeAll(async () => {
  // the CLI on the CSV rows
  const dir = mkdtempSync(path.join(tmpdir(), 'cvm-parity-'));
  writeFileSync(path.join(dir, 'in.csv'), sample);
  await scoreFile({
    market: 'demo',
    input: path.join(dir, 'in.csv'),
    output: path.join(dir, 'out.csv'),
    clock,
    warn: () => {},
  });
  cli = new Map(
    (parse(readFileSync(path.join(dir, 'out.csv'), 'utf8'), { columns: true }) as Record<string, string>[]).map((r) => [
      r['id']!,
      r,
    ]),
  );

  // the same rows through the importer into DynamoDB Local, scored by the use case the API uses
  const tables = await testTables(['consumer']);
  const db = documentClient({ endpoint: tables.endpoint });
  const customers = new DynamoCustomerRepo(db, (t) => tables.tenantTables[t]!);
  const profiles = rows.map((r, i) => ibmTelco.toProfile(r, i + 1)).flatMap((m) => (m.ok ? [m.profile] : []));
  await importProfiles({ customers, clock })('consumer', profiles);
  const models = await loadPinnedModelsFromDir(MODELS, 'demo', loadMarket('demo').scoring.models);
  const score = scoreCustomer({
    customers,
    scoring: new EmbeddedScoring(new Scorer(models, clock)),
    scoreStore: new DynamoScoreStore(db, (t) => tables.tenantTables[t]!),
    writeDelta: 0.01,
  });
  api = await Promise.all(profiles.map((p) => score('consumer', p.customerId)));
  getView = getCustomer({ customers, clock, valueTiers: loadMarket('demo').valueTiers });
});

const six = (v: number | undefined) => (v === undefined ? '' : String(Number(v.toFixed(6))));

describe('the CLI and the API score a customer the same', () => {
  it('gives the same churn, cross-sell and NPS for every imported row', () => {
    expect(api.length).toBe(rows.length);
    for (const a of api) {
      const c = cli.get(a.customerId)!;
      expect(c, a.customerId).toBeDefined();
      expect(c['churn']).toBe(six(a.scores.churn?.value));
      expect(c['nps.score']).toBe(a.scores.nps ? String(Number(a.scores.nps.score.toFixed(3))) : '');
      expect(c['nps.class']).toBe(a.scores.nps?.class ?? '');
      for (const col of Object.keys(c).filter((k) => k.startsWith('crossSell.'))) {
        expect(c[col], `${a.customerId} ${col}`).toBe(six(a.scores.crossSell?.[col.slice('crossSell.'.length)]?.value));
      }
    }
  });

  it('stores the scores with model, version and time, as GET /v1/customers/{id} returns them', async () => {
    const first = api[0]!;
    expect(first.written).toBe(true);
    const view = await getView('consumer', first.customerId);
    expect(view.scores).toEqual(first.scores);
    expect(view.scores!.churn).toMatchObject({
      model: 'churn',
      version: loadMarket('demo').scoring.models['churn']!.version,
      at: '2025-03-01T10:00:00.000Z',
    });
    expect(view.version).toBe(1);
  });
});
