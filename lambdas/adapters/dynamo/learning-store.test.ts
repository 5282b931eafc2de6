import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UnavailableError } from '#domain/errors.ts';
import { testTables, type TestTables } from '../../test-support/dynamo.ts';
import { UnprocessedItemsError } from './batch-retry.ts';
import { documentClient } from './client.ts';
import { DynamoLearningStore } from './learning-store.ts';

const TABLE = 'cvm-test-acme';
const db = documentClient();
const ddb = mockClient(db);
const keyOf = (actionId: string) => ({ pk: `L#${actionId}`, sk: 'young' });
const row = (actionId: string, n: number, s: number) => ({ ...keyOf(actionId), n, s });
const asked = () => ddb.commandCalls(BatchGetCommand).map((c) => c.args[0].input.RequestItems![TABLE]!);
const recorder = () => {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
};
const storeWith = (retry = {}) => new DynamoLearningStore(db, () => TABLE, 0, Date.now, retry);

beforeEach(() => ddb.reset());

describe('the learning store read, when DynamoDB leaves keys unprocessed', () => {
  it('asks again, after a backoff, for the keys left over and returns every row', async () => {
    ddb
      .on(BatchGetCommand)
      .resolvesOnce({
        Responses: { [TABLE]: [row('a', 10, 2)] },
        UnprocessedKeys: { [TABLE]: { Keys: [keyOf('b'), keyOf('c')] } },
      })
      .resolvesOnce({ Responses: { [TABLE]: [row('b', 4, 1), row('c', 7, 0)] } });
    const { waits, sleep } = recorder();
    const stats = await storeWith({ sleep }).stats('acme', 'young', ['a', 'b', 'c']);
    expect(stats).toEqual(
      new Map([
        ['a', { trials: 10, successes: 2 }],
        ['b', { trials: 4, successes: 1 }],
        ['c', { trials: 7, successes: 0 }],
      ]),
    );
    expect(asked().map((r) => r.Keys)).toEqual([
      [keyOf('a'), keyOf('b'), keyOf('c')],
      [keyOf('b'), keyOf('c')],
    ]);
    expect(asked()[1]).toMatchObject({
      ProjectionExpression: '#a0, #a1, #a2',
      ExpressionAttributeNames: { '#a0': 'pk', '#a1': 'n', '#a2': 's' },
    });
    expect(waits).toEqual([25]);
  });

  it('throws a named, retryable error instead of answering with rows missing, and caches no failure', async () => {
    ddb.on(BatchGetCommand).resolves({
      Responses: { [TABLE]: [row('a', 10, 2)] },
      UnprocessedKeys: { [TABLE]: { Keys: [keyOf('b')] } },
    });
    const { waits, sleep } = recorder();
    const store = new DynamoLearningStore(db, () => TABLE, 60_000, Date.now, { sleep });
    const err = await store.stats('acme', 'young', ['a', 'b']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnprocessedItemsError);
    expect(err).toBeInstanceOf(UnavailableError);
    expect(err).toMatchObject({ name: 'UnprocessedItemsError', operation: 'BatchGetItem', unprocessed: 1 });
    expect(asked()).toHaveLength(8);
    expect(waits).toEqual([25, 50, 100, 200, 400, 800, 1000]);

    ddb.reset();
    ddb.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [row('a', 10, 2), row('b', 3, 3)] } });
    expect((await store.stats('acme', 'young', ['a', 'b'])).get('b')).toEqual({ trials: 3, successes: 3 });
  });

  it('reads a catalog of more than 100 actions in calls of 100', async () => {
    ddb.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [] } });
    const ids = Array.from({ length: 230 }, (_, i) => `a${i}`);
    expect(await storeWith().stats('acme', 'young', ids)).toEqual(new Map());
    expect(asked().map((r) => r.Keys!.length)).toEqual([100, 100, 30]);
  });
});

describe('the learning store on DynamoDB Local', () => {
  let t: TestTables;
  beforeAll(async () => {
    t = await testTables(['acme']);
  });

  it('counts trials and successes per action and segment and reads them back', async () => {
    const store = new DynamoLearningStore(documentClient({ endpoint: t.endpoint }), () => t.tenantTables['acme']!, 0);
    await store.add('acme', 'bundle', 'young', true);
    await store.add('acme', 'bundle', 'young', false);
    await store.add('acme', 'care', 'young', false);
    await store.add('acme', 'bundle', 'senior', true);
    expect(await store.stats('acme', 'young', ['bundle', 'care', 'never-tried'])).toEqual(
      new Map([
        ['bundle', { trials: 2, successes: 1 }],
        ['care', { trials: 1, successes: 0 }],
      ]),
    );
  });
});
