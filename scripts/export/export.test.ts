import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path, { resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '#adapters/dynamo/client.ts';
import { DynamoCustomerRepo } from '#adapters/dynamo/customer-repo.ts';
import { DynamoScoreStore } from '#adapters/dynamo/score-store.ts';
import { importProfiles } from '#app/import-profiles.ts';
import { loadMarket } from '#config/markets/index.ts';
import { fixedClock } from '#domain/clock.ts';
import { ibmTelco } from '#domain/datasets/ibm-telco.ts';
import { compileFeatures, type FeatureSpec } from '#domain/scoring/features.ts';
import { testTables, type TestTables } from '../../lambdas/test-support/dynamo.ts';
import { type ExportMeta, exportFeatures, metaPathOf } from './export.ts';

const rows = parse(readFileSync(resolve(import.meta.dirname, '../../data/ibm-telco-churn.train.csv'), 'utf8'), {
  columns: true,
  to_line: 13,
}) as Record<string, string>[];
const profiles = rows.map((r, i) => ibmTelco.toProfile(r, i + 1)).flatMap((m) => (m.ok ? [m.profile] : []));
const churnSpec = JSON.parse(
  readFileSync(
    resolve(
      import.meta.dirname,
      `../../models/demo/churn/${loadMarket('demo').scoring.models['churn']!.version}/feature-spec.json`,
    ),
    'utf8',
  ),
) as FeatureSpec;

let tables: TestTables;
let out: Record<string, string>[];
let header: string[];
let meta: ExportMeta;
beforeAll(async () => {
  tables = await testTables(['consumer']);
  const db = documentClient({ endpoint: tables.endpoint });
  const table = tables.tenantTables['consumer']!;
  const repo = new DynamoCustomerRepo(db, () => table);
  await importProfiles({ customers: repo, clock: fixedClock('2025-03-01T00:00:00Z') })('consumer', profiles);
  // state as the event processor leaves it: one churned customer, one NPS answer
  await db.send(
    new PutCommand({
      TableName: table,
      Item: {
        pk: `C#${profiles[0]!.customerId}`,
        sk: 'S',
        status: 'churned',
        churn: { at: '2025-02-01T00:00:00Z', eventId: 'e1', reason: 'price' },
      },
    }),
  );
  await db.send(
    new PutCommand({
      TableName: table,
      Item: {
        pk: `C#${profiles[1]!.customerId}`,
        sk: 'S',
        status: 'active',
        lastNps: { at: '2025-02-01T00:00:00Z', eventId: 'e2', score: 9 },
      },
    }),
  );
  await repo.erase('consumer', profiles[2]!.customerId, new Date('2025-03-02T00:00:00Z'));
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'cvm-export-')), 'consumer.csv');
  await exportFeatures({
    market: 'demo',
    tenant: 'consumer',
    out: file,
    scan: new DynamoScoreStore(db, () => table),
    totalSegments: 3,
    now: new Date('2025-03-05T00:00:00Z'),
  });
  meta = JSON.parse(readFileSync(metaPathOf(file), 'utf8')) as ExportMeta;
  const text = readFileSync(file, 'utf8');
  header = text.split('\r\n')[0]!.split(',');
  out = parse(text, { columns: true }) as Record<string, string>[];
});

describe('export for analysts', () => {
  it('writes one row per live customer, erased ones left out', () => {
    expect(out.map((r) => r['id']).sort()).toEqual(
      profiles
        .filter((_, i) => i !== 2)
        .map((p) => p.customerId)
        .sort(),
    );
  });

  it("starts with the churn model's features in feature-spec order and ends with the labels", () => {
    expect(header.slice(1, 1 + churnSpec.features.length)).toEqual(churnSpec.features.map((f) => f.name));
    expect(header.slice(-2)).toEqual(['churn', 'nps']);
    expect(new Set(header).size).toBe(header.length);
  });

  it('computes the features with the serving feature code', () => {
    const compiled = compileFeatures(churnSpec);
    const p = profiles[3]!;
    const row = new Float64Array(compiled.width);
    compiled.fill({ profile: p }, row);
    const line = out.find((r) => r['id'] === p.customerId)!;
    compiled.names.forEach((name, i) => expect(line[name], name).toBe(Number.isNaN(row[i]!) ? '' : String(row[i])));
  });

  it('labels churn from the state and NPS from the latest survey answer', () => {
    const byId = new Map(out.map((r) => [r['id'], r]));
    expect(byId.get(profiles[0]!.customerId)).toMatchObject({ churnedAt: '2025-02-01T00:00:00Z', churn: '1', nps: '' });
    expect(byId.get(profiles[1]!.customerId)).toMatchObject({ churnedAt: '', churn: '0', nps: '9' });
    expect(byId.get(profiles[3]!.customerId)).toMatchObject({ churn: '', nps: '' });
  });
});

describe('the export beside its rows', () => {
  it('says when it was taken, whose customers and how each feature column was computed', () => {
    expect(meta).toMatchObject({
      exportVersion: 1,
      market: 'demo',
      tenant: 'consumer',
      exportedAt: '2025-03-05T00:00:00.000Z',
    });
    expect(meta.rows).toBe(out.length);
    expect(meta.features.map((f) => f.name)).toEqual(header.slice(1, -3));
    expect(meta.features.slice(0, churnSpec.features.length)).toEqual(churnSpec.features);
  });
});
