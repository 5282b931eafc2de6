import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { untilProcessed, type BatchRetry } from './batch-retry.ts';
import { guarded } from './errors.ts';

/** BatchWriteItem takes at most 25 requests a call. */
const REQUESTS_PER_CALL = 25;

export type WriteRequest =
  | { PutRequest: { Item: Record<string, unknown> } }
  | { DeleteRequest: { Key: Record<string, unknown> } };

export interface BatchWriteOptions extends BatchRetry {
  /** Calls in flight at once; each batch of 25 retries its own unprocessed part. */
  concurrency?: number;
}

/**
 * Writes every request, 25 a BatchWrite, the unprocessed requests of each call sent again with
 * backoff. Requests still unprocessed when the attempts run out throw UnprocessedItemsError: a
 * write that returned would otherwise claim items that are not there. After a failure no further
 * batch starts, and the call returns only once the batches in flight are done, so nothing writes
 * behind the caller's back. A batch may not hold two requests for one key (DynamoDB refuses it).
 */
export async function batchWriteAll(
  db: DynamoDBDocumentClient,
  table: string,
  requests: readonly WriteRequest[],
  options: BatchWriteOptions = {},
): Promise<void> {
  const batches: WriteRequest[][] = [];
  for (let i = 0; i < requests.length; i += REQUESTS_PER_CALL) batches.push(requests.slice(i, i + REQUESTS_PER_CALL));
  let next = 0;
  let stopped = false;
  const worker = async () => {
    while (!stopped && next < batches.length) {
      await untilProcessed(
        'BatchWriteItem',
        batches[next++]!,
        async (pending) => {
          const out = await guarded(() => db.send(new BatchWriteCommand({ RequestItems: { [table]: pending } })));
          return out.UnprocessedItems?.[table] as WriteRequest[] | undefined;
        },
        options,
      ).catch((err: unknown) => {
        stopped = true;
        throw err;
      });
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? 1, batches.length));
  const settled = await Promise.allSettled(Array.from({ length: workers }, worker));
  const failure = settled.find((s) => s.status === 'rejected');
  if (failure) throw failure.reason;
}
