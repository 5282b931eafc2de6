import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { untilProcessed, type BatchRetry } from './batch-retry.ts';
import { guarded } from './errors.ts';

/** BatchGetItem takes at most 100 keys a call. */
const KEYS_PER_CALL = 100;

export interface BatchGetOptions extends BatchRetry {
  consistent?: boolean;
  /** Only these attributes of each item (aliased, so a reserved word may be one of them). */
  attributes?: readonly string[];
}

/**
 * Every item of `keys` that exists, 100 keys a BatchGet, the unprocessed keys of each call asked
 * again with backoff (an item missing from the answer does not exist). Keys still unprocessed
 * when the attempts run out throw UnprocessedItemsError: a partial answer would read as items
 * that do not exist.
 */
export async function batchGetAll(
  db: DynamoDBDocumentClient,
  table: string,
  keys: readonly Record<string, unknown>[],
  options: BatchGetOptions = {},
): Promise<Record<string, unknown>[]> {
  const { consistent, attributes } = options;
  const projection = attributes?.length
    ? {
        ProjectionExpression: attributes.map((_, i) => `#a${i}`).join(', '),
        ExpressionAttributeNames: Object.fromEntries(attributes.map((a, i) => [`#a${i}`, a])),
      }
    : {};
  const found: Record<string, unknown>[] = [];
  for (let i = 0; i < keys.length; i += KEYS_PER_CALL) {
    await untilProcessed(
      'BatchGetItem',
      keys.slice(i, i + KEYS_PER_CALL),
      async (Keys) => {
        const out = await guarded(() =>
          db.send(
            new BatchGetCommand({
              RequestItems: { [table]: { Keys, ...(consistent ? { ConsistentRead: true } : {}), ...projection } },
            }),
          ),
        );
        found.push(...(out.Responses?.[table] ?? []));
        return out.UnprocessedKeys?.[table]?.Keys;
      },
      options,
    );
  }
  return found;
}
