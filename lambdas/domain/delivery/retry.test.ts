import { describe, expect, it } from 'vitest';
import { RETRY_POLICY, resultOfStatus, retryAfterOf, retryDelaySeconds } from './retry.ts';

describe('how a gateway answer is taken', () => {
  it('accepts any 2xx, retries 429 and 5xx, and fails every other status', () => {
    expect(resultOfStatus(200)).toEqual({ outcome: 'accepted' });
    expect(resultOfStatus(204)).toEqual({ outcome: 'accepted' });
    expect(resultOfStatus(429, 20)).toEqual({ outcome: 'retry', reason: 'http-429', retryAfterSeconds: 20 });
    expect(resultOfStatus(503)).toEqual({ outcome: 'retry', reason: 'http-503' });
    expect(resultOfStatus(404)).toEqual({ outcome: 'failed', reason: 'http-404' });
    expect(resultOfStatus(301)).toEqual({ outcome: 'failed', reason: 'http-redirect' });
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = new Date('2026-03-03T06:00:00Z');
    expect(retryAfterOf('120', now)).toBe(120);
    expect(retryAfterOf('Tue, 03 Mar 2026 06:01:00 GMT', now)).toBe(60);
    expect(retryAfterOf('soon', now)).toBeUndefined();
    expect(retryAfterOf(undefined, now)).toBeUndefined();
  });
});

describe('the backoff', () => {
  it('waits 30 s, 1, 2 and 4 minutes between the five attempts, then sends the message to the DLQ at once', () => {
    expect(RETRY_POLICY.attempts).toBe(5);
    expect([1, 2, 3, 4, 5].map((attempt) => retryDelaySeconds(attempt))).toEqual([30, 60, 120, 240, 0]);
  });

  it("honours a longer Retry-After, never past SQS's 15 minutes", () => {
    expect(retryDelaySeconds(1, { retryAfterSeconds: 100 })).toBe(100);
    expect(retryDelaySeconds(1, { retryAfterSeconds: 5 })).toBe(30);
    expect(retryDelaySeconds(2, { retryAfterSeconds: 7200 })).toBe(900);
  });

  it('is divided by the time scale locally', () => {
    expect(retryDelaySeconds(2, { timeScale: 1000 })).toBeCloseTo(0.06);
  });
});
