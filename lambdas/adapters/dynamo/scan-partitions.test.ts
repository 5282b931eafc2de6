import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { testTables } from '../../test-support/dynamo.ts';
import { documentClient } from './client.ts';
import { scanPartitions } from './scan-partitions.ts';

let table: string;
const db = () => documentClient({ endpoint: process.env['DYNAMODB_ENDPOINT']! });
const layout: Record<string, string[]> = { 'C#a': ['H#1', 'H#2', 'P', 'S'], 'C#b': ['P'], 'C#c': ['H#1', 'P', 'S'] };

beforeAll(async () => {
  const t = await testTables(['acme']);
  process.env['DYNAMODB_ENDPOINT'] = t.endpoint;
  table = t.tenantTables['acme']!;
  for (const [pk, sks] of Object.entries(layout))
    for (const sk of sks) await db().send(new PutCommand({ TableName: table, Item: { pk, sk } }));
});

describe('a Scan segment a partition at a time (DynamoDB Local)', () => {
  it('yields every partition once and whole, in sort-key order, whatever the page size', async () => {
    for (const limit of [1, 2, 3, 100]) {
      const seen: Record<string, string[]> = {};
      for await (const items of scanPartitions(db(), {
        TableName: table,
        Segment: 0,
        TotalSegments: 1,
        Limit: limit,
      })) {
        const pk = String(items[0]!['pk']);
        expect(seen[pk], `${pk} yielded twice at Limit ${limit}`).toBeUndefined();
        expect(items.every((i) => i['pk'] === pk)).toBe(true);
        seen[pk] = items.map((i) => String(i['sk']));
      }
      expect(seen).toEqual(layout);
    }
  });

  it('yields nothing for a segment that matches nothing', async () => {
    const out = [];
    for await (const items of scanPartitions(db(), {
      TableName: table,
      Segment: 0,
      TotalSegments: 1,
      FilterExpression: 'sk = :x',
      ExpressionAttributeValues: { ':x': 'none' },
    }))
      out.push(items);
    expect(out).toEqual([]);
  });
});
