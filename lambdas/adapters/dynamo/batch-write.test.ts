import { BatchWriteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UnavailableError } from '#domain/errors.ts';
import { testTables, type TestTables } from '../../test-support/dynamo.ts';
import { UnprocessedItemsError } from './batch-retry.ts';
import { batchWriteAll, type WriteRequest } from './batch-write.ts';
import { documentClient } from './client.ts';

const TABLE = 'cvm-test-acme';
const db = documentClient();
const ddb = mockClient(db);
const keys = (n: number) => Array.from({ length: n }, (_, i) => ({ pk: `C#${i}`, sk: 'P' }));
const puts = (n: number): WriteRequest[] => keys(n).map((Item) => ({ PutRequest: { Item } }));
const firstPk = (batch: unknown[]) => (batch[0] as { PutRequest: { Item: { pk: string } } }).PutRequest.Item.pk;
const sent = () => ddb.commandCalls(BatchWriteCommand).map((c) => c.args[0].input.RequestItems?.[TABLE] ?? []);
const recorder = () => {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
};

beforeEach(() => ddb.reset());

describe('batchWriteAll', () => {
  it('writes 25 requests a call', async () => {
    ddb.on(BatchWriteCommand).resolves({ UnprocessedItems: {} });
    await batchWriteAll(db, TABLE, puts(60));
    expect(sent().map((batch) => batch.length)).toEqual([25, 25, 10]);
    expect(sent().flat()).toEqual(puts(60));
  });

  it('sends again, after a backoff, only what a call left unprocessed', async () => {
    const batch = puts(5);
    ddb
      .on(BatchWriteCommand)
      .resolvesOnce({ UnprocessedItems: { [TABLE]: [batch[1]!, batch[3]!] } })
      .resolvesOnce({ UnprocessedItems: { [TABLE]: [batch[3]!] } })
      .resolves({});
    const { waits, sleep } = recorder();
    await batchWriteAll(db, TABLE, batch, { sleep });
    expect(sent()).toEqual([batch, [batch[1], batch[3]], [batch[3]]]);
    expect(waits).toEqual([25, 50]);
  });

  it('throws a named, retryable error holding no key when requests stay unprocessed', async () => {
    const batch = [...puts(3), { DeleteRequest: { Key: { pk: 'C#27820000001', sk: 'S' } } }];
    ddb.on(BatchWriteCommand).resolves({ UnprocessedItems: { [TABLE]: batch.slice(2) } });
    const { waits, sleep } = recorder();
    const err = await batchWriteAll(db, TABLE, batch, { sleep }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnprocessedItemsError);
    expect(err).toBeInstanceOf(UnavailableError);
    expect(err).toMatchObject({
      name: 'UnprocessedItemsError',
      code: 'unavailable',
      operation: 'BatchWriteItem',
      unprocessed: 2,
    });
    expect((err as Error).message).not.toMatch(/C#|2782/);
    expect(sent()).toHaveLength(8);
    expect(waits).toEqual([25, 50, 100, 200, 400, 800, 1000]);
  });

  it('waits with the real timer when no sleep is given', async () => {
    ddb
      .on(BatchWriteCommand)
      .resolvesOnce({ UnprocessedItems: { [TABLE]: puts(1) } })
      .resolves({});
    const t0 = performance.now();
    await batchWriteAll(db, TABLE, puts(1));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(20);
    expect(sent()).toHaveLength(2);
  });

  it('keeps `concurrency` calls in flight, and starts no batch once one has failed', async () => {
    let inFlight = 0;
    let most = 0;
    let refused: string | undefined;
    ddb.on(BatchWriteCommand).callsFake(async (input: { RequestItems: Record<string, WriteRequest[]> }) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return firstPk(input.RequestItems[TABLE]!) === refused ? { UnprocessedItems: input.RequestItems } : {};
    });
    const { sleep } = recorder();
    await batchWriteAll(db, TABLE, puts(100), { concurrency: 3 });
    expect(most).toBe(3);

    ddb.resetHistory();
    refused = 'C#25';
    const err = await batchWriteAll(db, TABLE, puts(250), { concurrency: 2, attempts: 2, sleep }).catch((e) => e);
    expect(err).toBeInstanceOf(UnprocessedItemsError);
    const started = new Set(sent().map(firstPk));
    expect(started.size).toBeLessThan(5);
    expect(started).not.toContain('C#225');
  });

  it('does nothing for no requests', async () => {
    await batchWriteAll(db, TABLE, []);
    expect(sent()).toEqual([]);
  });
});

describe('batchWriteAll on DynamoDB Local', () => {
  let t: TestTables;
  beforeAll(async () => {
    t = await testTables(['acme']);
  });

  it('puts and deletes more items than one call takes', async () => {
    const local = documentClient({ endpoint: t.endpoint });
    const table = t.tenantTables['acme']!;
    await batchWriteAll(local, table, puts(60), { concurrency: 2 });
    expect((await local.send(new GetCommand({ TableName: table, Key: { pk: 'C#59', sk: 'P' } }))).Item).toEqual({
      pk: 'C#59',
      sk: 'P',
    });
    await batchWriteAll(
      local,
      table,
      keys(60).map((Key) => ({ DeleteRequest: { Key } })),
    );
    expect((await local.send(new GetCommand({ TableName: table, Key: { pk: 'C#59', sk: 'P' } }))).Item).toBeUndefined();
  });
});
