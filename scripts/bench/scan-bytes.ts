/**
 * Bytes a nightly scan (score-base, build-reports) reads per customer after 180 days of one
 * decision a day, before and after the decision log left the customer partition.
 *
 * 180 real decisions (`decide`, the demo catalog, the real DynamoDB adapters, the clock one day
 * on each time) are made for one customer on DynamoDB Local. After: the customer's partition as
 * they leave it (profile, state and the contact ledger, bounded by the policy's limits). Before: the same decisions in
 * the item layout the log had under the customer until this change (`legacyItemOf`). A Scan
 * reads, and is billed for, every item of a partition whatever its filter, so the bytes of the
 * partition are the bytes scanned per customer; a Query of the partition with
 * ReturnConsumedCapacity checks them against DynamoDB Local's own count.
 *
 *   npx tsx scripts/bench/scan-bytes.ts
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { pathToFileURL } from 'node:url';
import { DynamoActionCatalog } from '#adapters/dynamo/action-catalog.ts';
import { batchWriteAll } from '#adapters/dynamo/batch-write.ts';
import { documentClient } from '#adapters/dynamo/client.ts';
import { logItemOf } from '#adapters/dynamo/decision-item.ts';
import { householdContactKeys } from '#adapters/dynamo/household-contacts.ts';
import { DECISION_TABLE, decisionTableBeside, TENANT_TABLE } from '#adapters/dynamo/table-design.ts';
import { decide } from '#app/decisions.ts';
import { fixedClock } from '#domain/clock.ts';
import type { DecisionRecord } from '#domain/decisioning/decision-record.ts';
import { experimentGroup } from '#domain/decisioning/experiments.ts';
import { learningSegmentOf } from '#domain/decisioning/learning.ts';
import { demoCatalog } from '#config/markets/demo-catalog.ts';
import { TEST_SETTINGS } from '../../lambdas/test-support/memory-decisioning.ts';
import { startDynamoLocal } from '../../lambdas/test-support/dynamo-local.ts';
import { ensureTable } from '../../lambdas/test-support/ensure-table.ts';
import { dynamoDecisionPorts } from './decision-ports.ts';
import type { BenchFigure } from './figure.ts';

export const DAYS = 180;
// in the future, so DynamoDB Local's TTL deletes nothing while it is measured
const START = Date.parse('2030-01-01T09:00:00.000Z');

/**
 * An item's size as DynamoDB counts it: attribute names plus values (strings and binary by
 * length, numbers 1 byte per two significant digits plus 1, booleans and null 1, lists and maps
 * 3 bytes plus 1 per element plus their elements).
 */
export function itemBytes(item: Record<string, unknown>): number {
  const valueBytes = (v: unknown): number => {
    if (typeof v === 'string') return Buffer.byteLength(v);
    if (typeof v === 'number') {
      const digits = String(Math.abs(v)).replace('.', '').replace(/^0+/, '').replace(/0+$/, '').length || 1;
      return Math.ceil(digits / 2) + 1;
    }
    if (typeof v === 'boolean' || v === null) return 1;
    if (Array.isArray(v)) return 3 + v.reduce((s: number, x) => s + 1 + valueBytes(x), 0);
    if (typeof v === 'object')
      return 3 + Object.entries(v as object).reduce((s, [k, x]) => s + 1 + Buffer.byteLength(k) + valueBytes(x), 0);
    return 0;
  };
  return Object.entries(item).reduce((s, [k, v]) => s + Buffer.byteLength(k) + valueBytes(v), 0);
}

/** A decision as the log kept it under the customer before this change (decision-log.ts at b3b6c5d). */
export function legacyItemOf(r: DecisionRecord): Record<string, unknown> {
  return {
    pk: `C#${r.customerId}`,
    sk: `H#${r.at}#${r.customerId}~${r.decisionId}`,
    id: `${r.customerId}~${r.decisionId}`,
    at: r.at,
    channel: r.channel,
    source: 'decision',
    group: r.experiment.group,
    seg: learningSegmentOf(r.segment),
    offers: r.actions.map((a) => ({ actionId: a.actionId, kind: a.kind, p: a.propensity })),
    ...(r.excluded.length ? { ex: r.excluded.map((e) => `${e.actionId}:${e.code}`) } : {}),
    ...(Object.keys(r.modelVersions).length ? { mv: r.modelVersions } : {}),
    expiresAt: r.expiresAt,
    ...householdContactKeys(
      r.householdId,
      r.at,
      `${r.customerId}~${r.decisionId}`,
      r.actions.map((a) => a.kind),
    ),
  };
}

const PROFILE = {
  segment: 'youth',
  tariff: 'smart-50',
  tenureMonths: 30,
  monthlyCharge: 85,
  contract: 'month-to-month',
  products: ['phone', 'internet-fiber', 'streaming-tv'],
  householdId: 'hh-77',
  language: 'en',
  consent: { sms: true, app: true, ussd: true, 'call-centre': true, push: true },
  attributes: { region: 'gauteng', handset: 'android', paymentMethod: 'debit-order' },
  scores: {
    churn: { value: 0.31, class: 'medium', model: 'churn', version: '1.0.0', at: '2025-12-31T02:00:00.000Z' },
    nps: { score: 7.4, class: 'passive', model: 'nps', version: '1.0.0', at: '2025-12-31T02:00:00.000Z' },
  },
};

/** A state item of the size the capacity plan assumes (~1.5 KB: counters and the recent event ids). */
const STATE = {
  kind: 'state',
  version: 412,
  status: 'active',
  lastEventAt: '2026-06-29T20:10:00.000Z',
  totals: { 'usage.data': 240, 'billing.topup': 30, 'network.call_dropped': 6, 'care.contact': 2 },
  topups30d: { count: 4, amount: 180 },
  voiceSeconds30d: 5400,
  droppedCalls24h: { value: 0 },
  droppedCalls7d: { value: 1 },
  careContacts30d: 1,
  unresolvedContacts30d: 0,
  dataUsedPct: 62,
  spend30d: { value: 180 },
  seen: Array.from({ length: 40 }, (_, i) => `evt-2026-06-29-${String(i).padStart(4, '0')}`),
};

async function partitionOf(db: DynamoDBDocumentClient, table: string, customerId: string) {
  const out = await db.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `C#${customerId}` },
      ReturnConsumedCapacity: 'TOTAL',
    }),
  );
  const items = out.Items ?? [];
  return {
    items,
    bytes: items.reduce((s, i) => s + itemBytes(i), 0),
    readUnits: out.ConsumedCapacity?.CapacityUnits ?? NaN,
  };
}

export interface ScanBytes {
  decisions: number;
  offered: number;
  before: { bytes: number; readUnits: number; decisionItemBytes: number };
  /** `underCustomer`: items in the partition (profile, state, ledger). */
  after: { bytes: number; readUnits: number; ledgerBytes: number; underCustomer: number };
  profileBytes: number;
  stateBytes: number;
  /** What the decision log holds per decision, and what its byDay index hands the reports. */
  logItemBytes: number;
  reportIndexBytes: number;
}

/** Makes the 180 decisions on the DynamoDB at `endpoint` (fresh tables named after `prefix`) and measures. */
export async function measureScanBytes(endpoint: string, prefix = `scan-bytes-${Date.now()}`): Promise<ScanBytes> {
  const raw = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const tenantTable = `${prefix}-acme`;
  const decisionTable = decisionTableBeside(tenantTable);
  const legacyTable = `${prefix}-legacy`;
  for (const [name, design] of [
    [tenantTable, TENANT_TABLE],
    [decisionTable, DECISION_TABLE],
    [legacyTable, TENANT_TABLE],
  ] as const)
    await ensureTable(raw, name, design);
  raw.destroy();
  const db = documentClient({ endpoint });
  const tableOf = () => tenantTable;
  const clock = fixedClock(new Date(START));
  const catalog = new DynamoActionCatalog(db, tableOf);
  for (const a of demoCatalog) await catalog.put('acme', a);
  let customerId = 'scan-0';
  for (let i = 1; experimentGroup('acme', customerId, TEST_SETTINGS.experiments) !== 'champion'; i++)
    customerId = `scan-${i}`;
  const at = new Date(START).toISOString();
  const profile = {
    pk: `C#${customerId}`,
    sk: 'P',
    kind: 'profile',
    customerId,
    version: 1,
    createdAt: at,
    updatedAt: at,
    ...PROFILE,
  };
  const state = { pk: `C#${customerId}`, sk: 'S', ...STATE };
  for (const table of [tenantTable, legacyTable]) {
    await db.send(new PutCommand({ TableName: table, Item: profile }));
    await db.send(new PutCommand({ TableName: table, Item: state }));
  }

  const { ports, logged: records } = dynamoDecisionPorts(
    db,
    { tenant: tenantTable, decisions: decisionTable },
    { catalog, clock, settings: TEST_SETTINGS },
  );
  const run = decide(ports);
  for (let day = 0; day < DAYS; day++) {
    await run('acme', { customerId, channel: 'app' });
    clock.advance(86_400_000);
  }
  const legacy = records.map(legacyItemOf);
  await batchWriteAll(
    db,
    legacyTable,
    legacy.map((Item) => ({ PutRequest: { Item } })),
  );

  const before = await partitionOf(db, legacyTable, customerId);
  const after = await partitionOf(db, tenantTable, customerId);
  const mean = (xs: number[]) => (xs.length ? Math.round(xs.reduce((s, x) => s + x, 0) / xs.length) : 0);
  const ledger = after.items.filter((i) => i['sk'] === 'L');
  const logItems = records.map(logItemOf);
  const projected = [
    'id',
    'dayShard',
    'at',
    ...DECISION_TABLE.indexes.flatMap((i) => (i.projection?.type === 'INCLUDE' ? i.projection.attributes : [])),
  ];
  return {
    decisions: records.length,
    offered: records.filter((r) => r.actions.length > 0).length,
    before: {
      bytes: before.bytes,
      readUnits: before.readUnits,
      decisionItemBytes: mean(legacy.map(itemBytes)),
    },
    after: {
      bytes: after.bytes,
      readUnits: after.readUnits,
      ledgerBytes: mean(ledger.map(itemBytes)),
      underCustomer: after.items.length,
    },
    profileBytes: itemBytes(profile),
    stateBytes: itemBytes(state),
    logItemBytes: mean(logItems.map(itemBytes)),
    reportIndexBytes: mean(
      logItems.map((i) => itemBytes(Object.fromEntries(Object.entries(i).filter(([k]) => projected.includes(k))))),
    ),
  };
}

export function scanBytesFigures(m: ScanBytes): BenchFigure[] {
  return [
    {
      name: `bytes scanned per customer after ${m.decisions} days of one decision a day, decision log under the customer (before)`,
      value: m.before.bytes,
      unit: 'bytes',
      note: `profile ${m.profileBytes} + state ${m.stateBytes} + ${m.decisions} items of ~${m.before.decisionItemBytes}; a Query of the partition: ${m.before.readUnits} read units on DynamoDB Local`,
    },
    {
      name: 'bytes scanned per customer, decision log in its own table (after)',
      value: m.after.bytes,
      unit: 'bytes',
      reference: { name: 'before', value: m.before.bytes, unit: 'bytes' },
      ratio: Math.round((m.after.bytes / m.before.bytes) * 1000) / 1000,
      note: `profile + state + the contact ledger (${m.after.ledgerBytes} bytes; ${m.offered} of the decisions offered something); ${m.after.readUnits} read units`,
    },
    { name: 'decision item under the customer (before)', value: m.before.decisionItemBytes, unit: 'bytes' },
    {
      name: 'contact ledger item under the customer (after, bounded by the policy)',
      value: m.after.ledgerBytes,
      unit: 'bytes',
    },
    { name: 'decision log item (own table, never scanned)', value: m.logItemBytes, unit: 'bytes' },
    { name: 'what the reports read per decision of the month (byDay index)', value: m.reportIndexBytes, unit: 'bytes' },
  ];
}

export async function runScanBytesBench(): Promise<BenchFigure[]> {
  const dynamo = await startDynamoLocal();
  try {
    return scanBytesFigures(await measureScanBytes(dynamo.endpoint));
  } finally {
    await dynamo.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const f of await runScanBytesBench())
    console.log(`${f.name}: ${f.value} ${f.unit}${f.note ? ` (${f.note})` : ''}`);
}
