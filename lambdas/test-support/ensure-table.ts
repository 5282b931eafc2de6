import {
  CreateTableCommand,
  DescribeTableCommand,
  UpdateTimeToLiveCommand,
  type DynamoDBClient,
  type Projection,
} from '@aws-sdk/client-dynamodb';
import type { IndexDesign, TableDesign } from '#adapters/dynamo/table-design.ts';

const projectionOf = (i: IndexDesign): Projection =>
  i.projection?.type === 'INCLUDE'
    ? { ProjectionType: 'INCLUDE', NonKeyAttributes: i.projection.attributes }
    : { ProjectionType: i.projection?.type ?? 'ALL' };

/** Creates a table from the same design the stack uses; a table that exists is left alone. */
export async function ensureTable(client: DynamoDBClient, name: string, design: TableDesign): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: name }));
    return;
  } catch (err) {
    if ((err as { name?: string }).name !== 'ResourceNotFoundException') throw err;
  }
  const attrs = new Map<string, 'S' | 'N'>();
  for (const k of [
    design.partitionKey,
    design.sortKey,
    ...design.indexes.flatMap((i) => [i.partitionKey, i.sortKey]),
  ]) {
    if (k) attrs.set(k.name, k.type);
  }
  await client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [...attrs].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType })),
      KeySchema: [
        { AttributeName: design.partitionKey.name, KeyType: 'HASH' },
        ...(design.sortKey ? [{ AttributeName: design.sortKey.name, KeyType: 'RANGE' as const }] : []),
      ],
      ...(design.indexes.length
        ? {
            GlobalSecondaryIndexes: design.indexes.map((i) => ({
              IndexName: i.indexName,
              KeySchema: [
                { AttributeName: i.partitionKey.name, KeyType: 'HASH' as const },
                ...(i.sortKey ? [{ AttributeName: i.sortKey.name, KeyType: 'RANGE' as const }] : []),
              ],
              Projection: projectionOf(i),
            })),
          }
        : {}),
    }),
  );
  if (design.ttlAttribute) {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: name,
        TimeToLiveSpecification: { AttributeName: design.ttlAttribute, Enabled: true },
      }),
    );
  }
}
