import type { Clock } from '../clock.ts';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerSettings {
  /** Consecutive failures that open the breaker. */
  failureThreshold: number;
  /** How long an open breaker rests the endpoint before one probe may try it again. */
  coolDownMs: number;
}

export const DEFAULT_BREAKER: BreakerSettings = { failureThreshold: 5, coolDownMs: 30_000 };

/**
 * A circuit breaker around one remote dependency (a SageMaker endpoint). Closed: calls go
 * through and consecutive failures are counted. After `failureThreshold` of them it opens and
 * callers skip the endpoint. Once `coolDownMs` has passed, one call (the probe) is let through
 * (half-open): its success closes the breaker, its failure opens it for another cool-down.
 * Pure apart from the injected clock.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | undefined;
  private probing = false;

  constructor(
    private readonly settings: BreakerSettings,
    private readonly clock: Clock,
  ) {
    if (settings.failureThreshold < 1 || settings.coolDownMs < 0)
      throw new Error('breaker: failureThreshold >= 1 and coolDownMs >= 0');
  }

  get state(): BreakerState {
    if (this.openedAt === undefined) return 'closed';
    return this.probing || this.clock.now().getTime() - this.openedAt >= this.settings.coolDownMs
      ? 'half-open'
      : 'open';
  }

  /** True when a call may go out now; in half-open state only the one probe is allowed. */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.probing) return false;
    this.probing = true;
    return true;
  }

  /** Gives back a probe that was acquired but never made (no outcome to record). */
  release(): void {
    this.probing = false;
  }

  recordSuccess(): void {
    this.failures = 0;
    this.openedAt = undefined;
    this.probing = false;
  }

  recordFailure(): void {
    if (this.probing || this.openedAt !== undefined) {
      this.probing = false;
      this.openedAt = this.clock.now().getTime();
      return;
    }
    this.failures += 1;
    if (this.failures >= this.settings.failureThreshold) this.openedAt = this.clock.now().getTime();
  }
}
