import { UnavailableError } from '#domain/errors.ts';

const TRANSIENT = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
]);
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);

/** True for faults the caller should retry later (the SDK's own retries are already spent). */
export function isTransient(err: unknown): boolean {
  const e = err as { name?: string; code?: string; cause?: { code?: string }; $metadata?: unknown };
  return TRANSIENT.has(e?.name ?? '') || NETWORK.has(e?.code ?? '') || NETWORK.has(e?.cause?.code ?? '');
}

/**
 * Turns a database outage into a typed 503 so no caller sees a 5xx stack or hangs; the SDK's
 * error stays its `cause`, so the log line says which fault it was.
 */
export async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (isTransient(err))
      throw new UnavailableError('the customer store is unavailable, retry shortly', 2, { cause: err });
    throw err;
  }
}

/** A conditional write lost: the item changed (or exists) since it was read. */
export const isConditionalFailure = (err: unknown): boolean =>
  (err as { name?: string })?.name === 'ConditionalCheckFailedException';
