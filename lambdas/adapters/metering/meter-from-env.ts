import type { Clock } from '#domain/clock.ts';
import type { Meter } from '#domain/metering.ts';
import { EmfMeter } from './emf-meter.ts';
import { LocalMeter } from './local-meter.ts';

/**
 * The meter a process should use: `CVM_METER=local` (the local runtime) appends to
 * `<CVM_LOCAL_DIR>/metering.jsonl`; anything else (Lambda) writes EMF.
 */
export function meterFromEnv(
  env: { MARKET?: string; CVM_METER?: string; CVM_LOCAL_DIR?: string },
  clock?: Clock,
): Meter {
  const market = env.MARKET ?? 'unknown';
  if (env.CVM_METER === 'local') return new LocalMeter(market, env.CVM_LOCAL_DIR ?? '.local', clock);
  return new EmfMeter(market);
}
