/**
 * What a connector's attempt at one message came to. `retry`: the gateway may take it later
 * (429, 5xx, a time-out, a connection that failed); `failed`: it never will (any other 4xx, a
 * redirect, a target refused as private).
 */
export type SendResult =
  /** `destinationCountry`: the ISO country of an SMS's number, so its segments are priced where they went. */
  | { outcome: 'accepted'; destinationCountry?: string }
  | { outcome: 'retry'; reason: string; retryAfterSeconds?: number }
  | { outcome: 'failed'; reason: string };

/**
 * Attempts per message and the backoff between them. The attempt is the queue's receive count,
 * and the queue's redrive moves a message to its DLQ after `attempts` receives, so the count is
 * SQS's own (OUTBOUND_QUEUE.maxReceiveCount is this number). Waits double from `baseSeconds` and
 * stop at `maxSeconds` (SQS's longest delay): 30 s, 1, 2 and 4 min, then the DLQ.
 */
export const RETRY_POLICY = { attempts: 5, baseSeconds: 30, maxSeconds: 900 } as const;
export type RetryPolicy = { attempts: number; baseSeconds: number; maxSeconds: number };

/** How a webhook's HTTP status is taken: 2xx accepted, 429 and 5xx retried, every other status failed. */
export function resultOfStatus(status: number, retryAfterSeconds?: number): SendResult {
  if (status >= 200 && status < 300) return { outcome: 'accepted' };
  if (status === 429 || status >= 500) {
    return {
      outcome: 'retry',
      reason: `http-${status}`,
      ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    };
  }
  return { outcome: 'failed', reason: status >= 300 && status < 400 ? 'http-redirect' : `http-${status}` };
}

/** `Retry-After` in seconds (a number of seconds or an HTTP date), or undefined when absent or unreadable. */
export function retryAfterOf(header: string | undefined, now: Date): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

/**
 * Seconds before attempt `attempt + 1`, after attempt `attempt` (1-based) failed: the doubling
 * backoff, or the gateway's Retry-After when it asks for longer (never past `maxSeconds`), divided
 * by `timeScale` (CVM_TIME_SCALE locally, 1 in AWS). After the last attempt: 0, so the queue's
 * redrive takes the message to the DLQ at once.
 */
export function retryDelaySeconds(
  attempt: number,
  opts: { policy?: RetryPolicy; retryAfterSeconds?: number; timeScale?: number } = {},
): number {
  const policy = opts.policy ?? RETRY_POLICY;
  if (attempt >= policy.attempts) return 0;
  const backoff = policy.baseSeconds * 2 ** Math.max(0, attempt - 1);
  const wait = Math.min(policy.maxSeconds, Math.max(backoff, opts.retryAfterSeconds ?? 0));
  return wait / (opts.timeScale ?? 1);
}
