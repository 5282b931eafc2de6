import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '#adapters/dynamo/client.ts';
import type { Caller } from '#domain/api-key.ts';
import { eventKey } from '#domain/customer-state.ts';
import type { CvmEvent } from '#domain/events.ts';
import type { Invoke } from '../test-support/api-event.ts';
import { testTables, type TestTables } from '../test-support/dynamo.ts';
import { emfBlobs } from '../test-support/emf.ts';
import { anEvent } from '../test-support/event-builders.ts';
import { processorHarness } from '../test-support/processor-harness.ts';
import { sqsEvent, sqsRecord } from '../test-support/sqs-event.ts';

/**
 * A heavy sender on DynamoDB Local, through the processor handler and the customers API as the
 * stack wires them: exactly-once and exact counters at thousands of events per customer.
 */
const NOW = '2026-03-02T10:00:00.000Z';
const DAY_MIN = 24 * 60;
let t: TestTables;
let processEvents: (e: ReturnType<typeof sqsEvent>) => Promise<SQSBatchResponse>;
let customers: Invoke;
const acme: Caller = { tenant: 'acme', scope: 'admin', keyId: 'acme-admin' };
const db = () => documentClient({ endpoint: t.endpoint });
const table = () => t.tenantTables['acme']!;

beforeAll(async () => {
  t = await testTables(['acme']);
  ({ processEvents, customers } = await processorHarness(t, { CVM_NOW: NOW }));
});

/** As the event source delivers them: batches of 100 records, mixed customers allowed. */
async function deliver(events: CvmEvent[]) {
  for (let i = 0; i < events.length; i += 100) {
    const batch = sqsEvent(events.slice(i, i + 100).map((e) => sqsRecord(t.market, 'acme', e)));
    let res: SQSBatchResponse | undefined;
    await emfBlobs(async () => (res = await processEvents(batch))); // the meters' EMF lines, kept off the test output
    expect(res!.batchItemFailures).toEqual([]);
  }
}
const stateItem = async (id: string) =>
  (await db().send(new GetCommand({ TableName: table(), Key: { pk: `C#${id}`, sk: 'S' }, ConsistentRead: true })))
    .Item!;
const apiState = async (id: string) =>
  (await customers({ method: 'GET', path: `/v1/customers/${id}`, caller: acme })).json?.state as Record<
    string,
    unknown
  >;
const putProfile = (id: string) =>
  customers({ method: 'PUT', path: `/v1/customers/${id}`, body: { consent: {} }, caller: acme });
const idRecords = async (id: string) =>
  (
    await db().send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :e)',
        ExpressionAttributeValues: { ':pk': `C#${id}`, ':e': 'E#' },
        Select: 'COUNT',
      }),
    )
  ).Count;

describe('a heavy sender (DynamoDB Local)', () => {
  it('applies 3,000 distinct events once each, and a redelivery of the first 500 changes nothing', async () => {
    await putProfile('heavy-1');
    const events = Array.from({ length: 3000 }, (_, i) =>
      i % 2
        ? anEvent('billing.topup', { amount: 2.5 }, { customerId: 'heavy-1', now: NOW, minutesAgo: i })
        : anEvent('usage.voice', { seconds: 30 }, { customerId: 'heavy-1', now: NOW, minutesAgo: i }),
    );
    await deliver(events);
    const before = await stateItem('heavy-1');
    expect(before['totals']).toEqual({ 'billing.topup': 1500, 'usage.voice': 1500 });
    expect(before['topups30d']).toEqual({ count: 1500, amount: 3750 });
    expect(before['voiceSeconds30d']).toBe(45_000);
    // the item holds at most its bound of keys; the rest are id records
    expect(Object.values(before['ids'] as Record<string, string>).join('').length / 12).toBeLessThanOrEqual(256);
    expect(await idRecords('heavy-1')).toBeGreaterThanOrEqual(3000 - 256);

    await deliver(events.slice(0, 500));
    expect(await stateItem('heavy-1')).toEqual(before);
  });

  it('counts 600 calls of 60 s within 8 days as 36,000 s, and 2,500 top-ups as 2,500, in GET', async () => {
    await putProfile('heavy-2');
    const calls = Array.from({ length: 600 }, (_, i) =>
      anEvent('usage.voice', { seconds: 60 }, { customerId: 'heavy-2', now: NOW, minutesAgo: (i * 8 * DAY_MIN) / 600 }),
    );
    const topups = Array.from({ length: 2500 }, (_, i) =>
      anEvent(
        'billing.topup',
        { amount: 10 },
        { customerId: 'heavy-2', now: NOW, minutesAgo: (i * 20 * DAY_MIN) / 2500 },
      ),
    );
    await deliver([...calls, ...topups]);
    const state = await apiState('heavy-2');
    expect(state).toMatchObject({ voiceSeconds30d: 36_000, topups30d: { count: 2500, amount: 25_000 } });
    expect(state['totals']).toEqual({ 'usage.voice': 600, 'billing.topup': 2500 });
    for (const hidden of ['buckets', 'ids', 'idRecordsUntil', 'facts', 'seen'])
      expect(state).not.toHaveProperty(hidden);
    // a PUT answers the state as GET shows it, not the stored item
    const { asOf: _read, ...shown } = state;
    const { asOf: _put, ...answered } = (await putProfile('heavy-2')).json!.state as Record<string, unknown>;
    expect(answered).toEqual(shown);
  });
});

describe('a state item of the layout before buckets (DynamoDB Local)', () => {
  it('is migrated when loaded: counters kept, its ids still duplicates, and written back without facts', async () => {
    await putProfile('legacy-1');
    const nowS = Date.parse(NOW) / 1000;
    await db().send(
      new PutCommand({
        TableName: table(),
        Item: {
          pk: 'C#legacy-1',
          sk: 'S',
          kind: 'state',
          version: 3,
          asOf: NOW,
          seen: { [eventKey('legacy-topup')]: nowS - 3600 },
          facts: {
            dropped: [nowS - 600],
            topups: [[nowS - 3600, 50]],
            invoices: [],
            care: [],
            voice: [[nowS - 86_400, 120]],
          },
          droppedCalls24h: 1,
          droppedCalls7d: 1,
          dataUsedPct: 0,
          topups30d: { count: 1, amount: 50 },
          spend30d: { value: 50 },
          voiceSeconds30d: 120,
          careContacts30d: 0,
          unresolvedContacts30d: 0,
          status: 'active',
          messages: {},
          totals: { 'network.call_dropped': 1, 'billing.topup': 1, 'usage.voice': 1 },
          fired: {},
        },
      }),
    );
    expect(await apiState('legacy-1')).toMatchObject({ topups30d: { count: 1, amount: 50 }, voiceSeconds30d: 120 });
    await deliver([
      anEvent('billing.topup', { amount: 50 }, { customerId: 'legacy-1', now: NOW, eventId: 'legacy-topup' }),
      anEvent('usage.voice', { seconds: 30 }, { customerId: 'legacy-1', now: NOW }),
    ]);
    const item = await stateItem('legacy-1');
    expect(item).toMatchObject({
      version: 4,
      droppedCalls24h: 1,
      topups30d: { count: 1, amount: 50 },
      voiceSeconds30d: 150,
      totals: { 'network.call_dropped': 1, 'billing.topup': 1, 'usage.voice': 2 },
    });
    expect(item).not.toHaveProperty('facts');
    expect(item).not.toHaveProperty('seen');
    expect(item['buckets']).toBeDefined();
  });
});
