import { describe, expect, it } from 'vitest';
import { fixedClock } from '../clock.ts';
import { CircuitBreaker } from './circuit-breaker.ts';

const setup = () => {
  const clock = fixedClock('2025-01-01T00:00:00Z');
  return { clock, breaker: new CircuitBreaker({ failureThreshold: 3, coolDownMs: 10_000 }, clock) };
};

describe('circuit breaker', () => {
  it('stays closed while failures stay under the threshold', () => {
    const { breaker } = setup();
    breaker.recordFailure();
    breaker.recordFailure();
    expect(breaker.state).toBe('closed');
    expect(breaker.tryAcquire()).toBe(true);
  });

  it('forgets earlier failures after a success', () => {
    const { breaker } = setup();
    breaker.recordFailure();
    breaker.recordFailure();
    breaker.recordSuccess();
    breaker.recordFailure();
    breaker.recordFailure();
    expect(breaker.state).toBe('closed');
  });

  it('opens after the third consecutive failure and refuses calls during the cool-down', () => {
    const { breaker, clock } = setup();
    for (let i = 0; i < 3; i++) breaker.recordFailure();
    expect(breaker.state).toBe('open');
    expect(breaker.tryAcquire()).toBe(false);
    clock.advance(9_999);
    expect(breaker.tryAcquire()).toBe(false);
  });

  it('lets exactly one probe through once the cool-down has passed', () => {
    const { breaker, clock } = setup();
    for (let i = 0; i < 3; i++) breaker.recordFailure();
    clock.advance(10_000);
    expect(breaker.state).toBe('half-open');
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.tryAcquire()).toBe(false);
  });

  it('closes when the probe succeeds', () => {
    const { breaker, clock } = setup();
    for (let i = 0; i < 3; i++) breaker.recordFailure();
    clock.advance(10_000);
    breaker.tryAcquire();
    breaker.recordSuccess();
    expect(breaker.state).toBe('closed');
    expect(breaker.tryAcquire()).toBe(true);
  });

  it('rests the endpoint for another cool-down when the probe fails', () => {
    const { breaker, clock } = setup();
    for (let i = 0; i < 3; i++) breaker.recordFailure();
    clock.advance(10_000);
    breaker.tryAcquire();
    breaker.recordFailure();
    expect(breaker.state).toBe('open');
    clock.advance(5_000);
    expect(breaker.tryAcquire()).toBe(false);
    clock.advance(5_000);
    expect(breaker.tryAcquire()).toBe(true);
  });
});
