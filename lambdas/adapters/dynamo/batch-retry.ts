import { setTimeout as wait } from 'node:timers/promises';
import { UnavailableError } from '#domain/errors.ts';

/** How a batch call retries what DynamoDB left unprocessed. */
export interface BatchRetry {
  /** Calls per batch, the first included, before what is still unprocessed is an error. */
  attempts?: number;
  /** The wait between calls; tests pass one that returns at once. */
  sleep?: (ms: number) => Promise<unknown>;
}

/**
 * Eight calls wait 2.6 s in all: long enough to ride out a partition's burst of throttling, short
 * enough that a Lambda answers (or fails its record to the retry/DLQ path) well within its timeout.
 */
export const BATCH_ATTEMPTS = 8;

/** Exponential, capped so a long run of throttling does not stretch one wait past a second. */
export const backoffMs = (retry: number): number => Math.min(1000, 25 * 2 ** retry);

/**
 * Keys or items DynamoDB still left unprocessed after every retry. An UnavailableError, so each
 * caller's path for a throttled store takes it (HTTP 503 with Retry-After, a campaign's transient
 * retry, a queue record's redelivery); the message holds counts only, never a key.
 */
export class UnprocessedItemsError extends UnavailableError {
  constructor(
    readonly operation: 'BatchGetItem' | 'BatchWriteItem',
    readonly unprocessed: number,
    attempts: number,
  ) {
    super(`${operation} left ${unprocessed} requests unprocessed after ${attempts} attempts; retry shortly`, 2);
  }
}

/**
 * Sends `batch`, then what each answer left unprocessed, with backoff between calls, until none is
 * left or the attempts are spent (then throws rather than letting the caller see a partial batch).
 */
export async function untilProcessed<R>(
  operation: UnprocessedItemsError['operation'],
  batch: R[],
  send: (pending: R[]) => Promise<R[] | undefined>,
  { attempts = BATCH_ATTEMPTS, sleep = wait }: BatchRetry = {},
): Promise<void> {
  let pending = batch;
  for (let attempt = 1; pending.length > 0; attempt++) {
    pending = (await send(pending)) ?? [];
    if (pending.length === 0) return;
    if (attempt >= attempts) throw new UnprocessedItemsError(operation, pending.length, attempts);
    await sleep(backoffMs(attempt - 1));
  }
}
