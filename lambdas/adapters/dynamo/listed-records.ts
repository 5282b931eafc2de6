import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { guarded } from './errors.ts';

/** An item's key in the tenant table. */
export interface ItemKey {
  pk: string;
  sk: string;
}

/**
 * A record listed through gsi1 (campaigns, uploaded audiences): written once, never over an
 * existing one, under its list's partition ordered by `listSk` (creation time, then id).
 */
export async function createListed(
  db: DynamoDBDocumentClient,
  table: string,
  item: { key: ItemKey; kind: string; listPk: string; listSk: string },
  record: object,
): Promise<void> {
  await guarded(() =>
    db.send(
      new PutCommand({
        TableName: table,
        Item: { ...item.key, kind: item.kind, gsi1pk: item.listPk, gsi1sk: item.listSk, ...record },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
}

/** The record `createListed` wrote (read consistently), without its keys and kind. */
export async function readListed(
  db: DynamoDBDocumentClient,
  table: string,
  key: ItemKey,
): Promise<Record<string, unknown> | undefined> {
  const out = await guarded(() => db.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true })));
  if (!out.Item) return undefined;
  const { pk: _pk, sk: _sk, kind: _k, gsi1pk: _a, gsi1sk: _b, ...record } = out.Item;
  return record;
}
