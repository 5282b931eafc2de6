import {
  BatchWriteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Meter, MeteredName } from '#domain/usage-readings.ts';
import { testTables, type TestTables } from '../../test-support/dynamo.ts';
import { documentClient } from './client.ts';

/** A meter that keeps every reading, and a client metering to it, counting the requests it sends. */
function meteredClient(t: TestTables) {
  const readings: { tenant: string; name: MeteredName; count: number }[] = [];
  const meter: Meter = { meter: (tenant, name, count = 1) => void readings.push({ tenant, name, count }) };
  const db = documentClient({ endpoint: t.endpoint, metering: { meter, tenantTables: t.tenantTables } });
  const sent: string[] = [];
  db.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(context.commandName ?? '?');
      return next(args);
    },
    { step: 'finalizeRequest', name: 'countRequests' },
  );
  const total = (tenant: string, name: MeteredName) =>
    readings.filter((r) => r.tenant === tenant && r.name === name).reduce((s, r) => s + r.count, 0);
  return { db, readings, sent, total };
}

let t: TestTables;
beforeAll(async () => {
  t = await testTables(['acme', 'globex']);
});

describe('DynamoDB consumed capacity, metered per tenant', () => {
  it("meters a Put as write units and a Query as read units of the table's tenant, with no extra request", async () => {
    const { db, readings, sent, total } = meteredClient(t);
    await db.send(
      new PutCommand({ TableName: t.tenantTables['acme'], Item: { pk: 'C#c1', sk: 'PROFILE', segment: 'youth' } }),
    );
    const out = await db.send(
      new QueryCommand({
        TableName: t.tenantTables['acme'],
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'C#c1' },
      }),
    );
    expect(out.Items).toHaveLength(1);
    expect(sent).toEqual(['PutItemCommand', 'QueryCommand']);
    // one small item: 1 write unit; an eventually consistent read of it: half a read unit
    expect(readings).toEqual([
      { tenant: 'acme', name: 'WriteCapacityUnits', count: 1 },
      { tenant: 'acme', name: 'ReadCapacityUnits', count: 0.5 },
    ]);
    expect(total('globex', 'WriteCapacityUnits')).toBe(0);
  });

  it("meters each tenant's own table to that tenant", async () => {
    const { db, total } = meteredClient(t);
    await db.send(new PutCommand({ TableName: t.tenantTables['globex'], Item: { pk: 'C#g1', sk: 'PROFILE' } }));
    await db.send(
      new GetCommand({ TableName: t.tenantTables['globex'], Key: { pk: 'C#g1', sk: 'PROFILE' }, ConsistentRead: true }),
    );
    await db.send(
      new UpdateCommand({
        TableName: t.tenantTables['acme'],
        Key: { pk: 'C#c1', sk: 'PROFILE' },
        UpdateExpression: 'SET tier = :t',
        ExpressionAttributeValues: { ':t': 'gold' },
      }),
    );
    expect([total('globex', 'WriteCapacityUnits'), total('globex', 'ReadCapacityUnits')]).toEqual([1, 1]);
    expect([total('acme', 'WriteCapacityUnits'), total('acme', 'ReadCapacityUnits')]).toEqual([1, 0]);
  });

  it("splits a batch over two tenants' tables between them, and counts a transaction twice", async () => {
    const { db, total } = meteredClient(t);
    await db.send(
      new BatchWriteCommand({
        RequestItems: {
          [t.tenantTables['acme']!]: [
            { PutRequest: { Item: { pk: 'C#c2', sk: 'PROFILE' } } },
            { PutRequest: { Item: { pk: 'C#c3', sk: 'PROFILE' } } },
          ],
          [t.tenantTables['globex']!]: [{ PutRequest: { Item: { pk: 'C#g2', sk: 'PROFILE' } } }],
        },
      }),
    );
    expect([total('acme', 'WriteCapacityUnits'), total('globex', 'WriteCapacityUnits')]).toEqual([2, 1]);
    await db.send(
      new TransactWriteCommand({
        TransactItems: [{ Put: { TableName: t.tenantTables['globex'], Item: { pk: 'C#g3', sk: 'PROFILE' } } }],
      }),
    );
    expect(total('globex', 'WriteCapacityUnits')).toBe(3);
  });

  it("leaves the shared key table unmetered, and a caller's own ReturnConsumedCapacity as asked", async () => {
    const { db, readings } = meteredClient(t);
    await db.send(new GetCommand({ TableName: t.keysTable, Key: { pk: 'nothing' } }));
    expect(readings).toEqual([]);
    const out = await db.send(
      new PutCommand({
        TableName: t.tenantTables['acme'],
        Item: { pk: 'C#c4', sk: 'PROFILE' },
        ReturnConsumedCapacity: 'INDEXES',
      }),
    );
    expect(out.ConsumedCapacity?.Table?.CapacityUnits).toBe(1);
    expect(readings).toEqual([{ tenant: 'acme', name: 'WriteCapacityUnits', count: 1 }]);
  });

  it('does not touch calls of a client built without metering', async () => {
    const db = documentClient({ endpoint: t.endpoint });
    const out = await db.send(
      new PutCommand({ TableName: t.tenantTables['acme'], Item: { pk: 'C#c5', sk: 'PROFILE' } }),
    );
    expect(out.ConsumedCapacity).toBeUndefined();
  });
});
