import { setTimeout as sleep } from 'node:timers/promises';
import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { guarded } from './errors.ts';

/** BatchGetItem takes at most 100 keys a call. */
const KEYS_PER_CALL = 100;

/**
 * Every item of `keys` that exists, 100 keys a BatchGet, the unprocessed keys of each call asked
 * again with backoff until none are left (an item missing from the answer does not exist).
 */
export async function batchGetAll(
  db: DynamoDBDocumentClient,
  table: string,
  keys: readonly Record<string, unknown>[],
  options: { consistent?: boolean } = {},
): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  for (let i = 0; i < keys.length; i += KEYS_PER_CALL) {
    let pending: Record<string, unknown>[] | undefined = keys.slice(i, i + KEYS_PER_CALL);
    for (let attempt = 0; pending?.length; attempt++) {
      const Keys: Record<string, unknown>[] = pending;
      const out = await guarded(() =>
        db.send(
          new BatchGetCommand({
            RequestItems: { [table]: { Keys, ...(options.consistent ? { ConsistentRead: true } : {}) } },
          }),
        ),
      );
      found.push(...(out.Responses?.[table] ?? []));
      pending = out.UnprocessedKeys?.[table]?.Keys;
      if (pending?.length) await sleep(Math.min(1000, 25 * 2 ** attempt));
    }
  }
  return found;
}
