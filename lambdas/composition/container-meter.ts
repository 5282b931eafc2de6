import { meterFromEnv } from '#adapters/usage/meter-from-env.ts';
import type { Meter } from '#domain/usage-readings.ts';
import { installApiMeter } from '#http/request-metering.ts';

/**
 * The container's meter, built once and installed into the HTTP pipeline. Use cases that meter
 * events, decisions, scores, contacts or workflow executions take it as their `meter` port:
 * `meter.meter(tenant, 'Decision', 1, { channel })`. It holds the invocation's readings until
 * the entry point flushes it: the HTTP pipeline does (lambdas/http/request-metering.ts), every other
 * entry is wrapped in `flushingMeter`.
 */
export const meter = meterFromEnv(process.env);
installApiMeter(meter);

/**
 * An entry point (SQS batch, workflow task, scheduled job) that flushes the meter when the
 * invocation ends, returned or thrown: what was metered before a failure is still written.
 */
export function flushingMeter<A extends unknown[], R>(
  handler: (...args: A) => Promise<R>,
  m: Meter = meter,
): (...args: A) => Promise<R> {
  return async (...args: A): Promise<R> => {
    try {
      return await handler(...args);
    } finally {
      m.flush?.();
    }
  };
}
