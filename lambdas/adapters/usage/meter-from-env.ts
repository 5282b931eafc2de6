import type { Clock } from '#domain/clock.ts';
import type { Meter } from '#domain/usage-readings.ts';
import { EmfMeter } from './emf-meter.ts';
import { IntervalMeter } from './interval-meter.ts';
import { LocalMeter } from './local-meter.ts';

/**
 * The meter a process should use: `CVM_METER=local` (the local runtime) appends to
 * `<CVM_METER_DIR or CVM_LOCAL_DIR>/metering.jsonl` (a folder of its own lets a test meter where
 * it can read the readings without the rest of the local wiring that `CVM_LOCAL_DIR` selects);
 * anything else (Lambda) writes EMF, one line per invocation,
 * or, with `CVM_METER_FLUSH_SECONDS` above 0, one per container that often (interval-meter.ts
 * says what that loses).
 */
export function meterFromEnv(
  env: {
    MARKET?: string;
    CVM_METER?: string;
    CVM_METER_DIR?: string;
    CVM_LOCAL_DIR?: string;
    CVM_METER_FLUSH_SECONDS?: string;
  },
  clock?: Clock,
): Meter {
  const market = env.MARKET ?? 'unknown';
  if (env.CVM_METER === 'local')
    return new LocalMeter(market, env.CVM_METER_DIR ?? env.CVM_LOCAL_DIR ?? '.local', clock);
  const seconds = Number(env.CVM_METER_FLUSH_SECONDS ?? 0);
  return seconds > 0 ? new IntervalMeter(new EmfMeter(market), seconds * 1000) : new EmfMeter(market);
}
