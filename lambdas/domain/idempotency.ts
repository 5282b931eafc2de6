import type { TenantId } from './ids.ts';

/**
 * Safe retries of POSTs (issue 18): what an `Idempotency-Key` is scoped to. The same key on
 * another route, or of another tenant, is another request.
 */
export interface IdempotencyScope {
  tenant: TenantId;
  method: string;
  path: string;
  key: string;
}

/** An `Idempotency-Key` header as the contract takes it: 1-255 visible ASCII characters. */
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** How long a first answer is kept and replayed. */
export const IDEMPOTENCY_HOURS = 24;

/**
 * Runs each scoped request once within `IDEMPOTENCY_HOURS`. A repeat with the same fingerprint
 * (the canonical JSON body) gets the first answer with `replayed`; with another fingerprint an
 * UnprocessableError; while the first is still running an InFlightError. `work` throwing (a 5xx)
 * stores nothing, so the request can be retried.
 */
export interface IdempotentRequests {
  once<T extends Record<string, unknown>>(
    scope: IdempotencyScope,
    fingerprint: string,
    work: () => Promise<T>,
    /** How long the first request may still run before a retry may take over (the function's time left). */
    inFlightMs: number,
  ): Promise<{ value: T; replayed: boolean }>;
}
