import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { batchGetAll } from './batch-get.ts';
import { UnprocessedItemsError } from './batch-retry.ts';
import { documentClient } from './client.ts';

const TABLE = 'cvm-test-acme';
const db = documentClient();
const ddb = mockClient(db);
const key = (i: number) => ({ pk: `C#${i}`, sk: 'P' });
const asked = () => ddb.commandCalls(BatchGetCommand).map((c) => c.args[0].input.RequestItems![TABLE]!);
const noWait = async () => {};

beforeEach(() => ddb.reset());

describe('batchGetAll', () => {
  it('asks for the keys left over until none is left, as asked (consistent, every attribute)', async () => {
    ddb
      .on(BatchGetCommand)
      .resolvesOnce({ Responses: { [TABLE]: [key(0)] }, UnprocessedKeys: { [TABLE]: { Keys: [key(1)] } } })
      .resolves({ Responses: { [TABLE]: [key(1)] } });
    expect(await batchGetAll(db, TABLE, [key(0), key(1), key(2)], { consistent: true, sleep: noWait })).toEqual([
      key(0),
      key(1),
    ]);
    expect(asked()).toEqual([
      { Keys: [key(0), key(1), key(2)], ConsistentRead: true },
      { Keys: [key(1)], ConsistentRead: true },
    ]);
  });

  it('throws once the attempts are spent, rather than asking forever', async () => {
    ddb.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [] }, UnprocessedKeys: { [TABLE]: { Keys: [key(7)] } } });
    await expect(batchGetAll(db, TABLE, [key(7)], { attempts: 3, sleep: noWait })).rejects.toBeInstanceOf(
      UnprocessedItemsError,
    );
    expect(asked()).toHaveLength(3);
  });
});
