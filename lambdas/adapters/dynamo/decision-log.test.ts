import { GetCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { offeredDecisionOf } from '#domain/decisioning/decision-record.ts';
import type { ReportDecision } from '#domain/reports/report.ts';
import { aDecisionRecord } from '../../test-support/decision-records.ts';
import { testTables, type TestTables } from '../../test-support/dynamo.ts';
import { documentClient } from './client.ts';
import { DAY_SHARDS } from './decision-item.ts';
import { DynamoDecisionLog } from './decision-log.ts';
import { DynamoCustomerDecisions, DynamoDecisionReportSource } from './decision-log-indexes.ts';

let t: TestTables;
let log: DynamoDecisionLog;
const db = () => documentClient({ endpoint: t.endpoint });
const logTable = () => t.decisionTables['acme']!;

beforeAll(async () => {
  t = await testTables(['acme']);
  log = new DynamoDecisionLog(db(), { tenant: () => t.tenantTables['acme']!, decisions: logTable });
});

describe('the decision log in its own table', () => {
  it('keeps the full record by id and leaves nothing under the customer (its contact is in the contact ledger)', async () => {
    const offered = aDecisionRecord('27820000001', '2026-03-01T10:00:00.000Z', { bundle: 'offer', care: 'service' });
    const empty = aDecisionRecord('27820000001', '2026-03-01T11:00:00.000Z', {}, { context: { intent: 'offer' } });
    await log.record('acme', offered);
    await log.record('acme', empty);

    expect(await log.find('acme', offered.decisionId)).toEqual(offered);
    expect(await log.find('acme', empty.decisionId)).toEqual(empty);
    const partition = await db().send(
      new QueryCommand({
        TableName: t.tenantTables['acme']!,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'C#27820000001' },
      }),
    );
    expect(partition.Items).toEqual([]);
  });

  it('keeps the customer id out of every key and index key of the log', async () => {
    const r = aDecisionRecord('27820000002', '2026-03-02T10:00:00.000Z');
    await log.record('acme', r);
    const item = (await db().send(new GetCommand({ TableName: logTable(), Key: { id: r.decisionId } }))).Item!;
    for (const key of ['id', 'cref', 'dayShard', 'at']) expect(String(item[key])).not.toContain('27820000002');
    expect(item['dayShard']).toMatch(/^2026-03-02#\d{1,2}$/);
  });

  it('records a response once, and tells a duplicate, an unknown action and an unknown decision apart', async () => {
    const r = aDecisionRecord('27820000003', '2026-03-03T10:00:00.000Z');
    await log.record('acme', r);
    const offered = offeredDecisionOf(r);
    expect(await log.recordResponse('acme', offered, 'bundle', 'declined', '2026-03-03T11:00:00.000Z')).toBe(
      'recorded',
    );
    expect(await log.recordResponse('acme', offered, 'bundle', 'accepted', '2026-03-03T12:00:00.000Z')).toEqual({
      duplicateOf: { response: 'declined', at: '2026-03-03T11:00:00.000Z' },
    });
    expect(await log.recordResponse('acme', offered, 'other', 'accepted', '2026-03-03T12:00:00.000Z')).toBe(
      'not-offered',
    );
    expect(
      await log.recordResponse(
        'acme',
        { ...offered, decisionId: `${offered.decisionId.slice(0, 9)}zzzzzz` },
        'bundle',
        'accepted',
        '2026-03-03T12:00:00.000Z',
      ),
    ).toBe('not-found');
    expect((await log.find('acme', r.decisionId))!.responses).toEqual([
      { actionId: 'bundle', response: 'declined', at: '2026-03-03T11:00:00.000Z' },
    ]);
    expect((await log.findOffered('acme', r.decisionId))!.offers).toEqual([
      { actionId: 'bundle', kind: 'offer', response: 'declined', respondedAt: '2026-03-03T11:00:00.000Z' },
    ]);
  });

  it("finds a customer's decisions for export and erases them, and only them", async () => {
    const decisions = new DynamoCustomerDecisions(db(), logTable);
    const mine = [1, 2, 3].map((d) => aDecisionRecord('27820000004', `2026-03-0${d}T09:00:00.000Z`));
    const theirs = aDecisionRecord('27820000005', '2026-03-01T09:00:00.000Z');
    for (const r of [...mine, theirs]) await log.record('acme', r);
    expect(await decisions.ofCustomer('acme', '27820000004')).toEqual(mine);
    expect(await decisions.eraseCustomer('acme', '27820000004')).toBe(3);
    expect(await decisions.ofCustomer('acme', '27820000004')).toEqual([]);
    expect(await decisions.ofCustomer('acme', '27820000005')).toEqual([theirs]);
  });
});

describe("the log's index by day, as the reports read it", () => {
  it('hands every decision of the given days to exactly one of the parallel parts, with only the report fields', async () => {
    const t2 = await testTables(['acme']);
    const log2 = new DynamoDecisionLog(db(), {
      tenant: () => t2.tenantTables['acme']!,
      decisions: () => t2.decisionTables['acme']!,
    });
    const inMonth = Array.from({ length: 40 }, (_, i) =>
      aDecisionRecord(`c-${i}`, `2026-04-0${1 + (i % 3)}T0${i % 10}:00:00.000Z`, i % 4 ? { bundle: 'offer' } : {}, {
        experiment: { id: 'global-1', group: i % 4 ? 'champion' : 'control' },
      }),
    );
    const outside = aDecisionRecord('c-x', '2026-03-31T12:00:00.000Z');
    for (const r of [...inMonth, outside]) await log2.record('acme', r);
    await log2.recordResponse('acme', offeredDecisionOf(inMonth[1]!), 'bundle', 'accepted', '2026-04-02T10:00:00.000Z');

    const source = new DynamoDecisionReportSource(db(), () => t2.decisionTables['acme']!);
    const days = ['2026-04-01', '2026-04-02', '2026-04-03'];
    const parts = 3;
    const read: ReportDecision[][] = await Promise.all(
      Array.from({ length: parts }, async (_, part) => {
        const out: ReportDecision[] = [];
        for await (const d of source.decisionsOn('acme', days, part, parts)) out.push(d);
        return out;
      }),
    );
    const all = read.flat();
    expect(all.map((d) => `${d.customerId}@${d.at}`).sort()).toEqual(
      inMonth.map((r) => `${r.customerId}@${r.at}`).sort(),
    );
    expect(all.find((d) => d.customerId === 'c-1')).toEqual({
      customerId: 'c-1',
      at: inMonth[1]!.at,
      channel: 'app',
      group: 'champion',
      offers: [{ actionId: 'bundle', response: 'accepted' }],
      valueTier: 'silver',
      segment: 'youth',
    });
    expect(all.find((d) => d.customerId === 'c-0')).toMatchObject({ group: 'control', offers: [] });
    expect(DAY_SHARDS).toBeGreaterThanOrEqual(parts);

    // what the index holds of an item: keys and the report's attributes, no reasons, treatments or context
    const indexed = await db().send(new ScanCommand({ TableName: t2.decisionTables['acme']!, IndexName: 'byDay' }));
    for (const item of indexed.Items ?? [])
      expect(Object.keys(item).sort()).toEqual(
        expect.arrayContaining(['at', 'customerId', 'dayShard', 'experiment', 'id', 'offered', 'responses']),
      );
    expect(Object.keys(indexed.Items![0]!)).not.toEqual(expect.arrayContaining(['actions']));
    expect(Object.keys(indexed.Items![0]!)).not.toContain('context');
  });
});
