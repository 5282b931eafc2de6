import { describe, expect, it } from 'vitest';
import { EmfMeter } from './emf-meter.ts';
import { IntervalMeter } from './interval-meter.ts';
import { meterFromEnv } from './meter-from-env.ts';

/** An EMF meter writing to a list, behind an interval meter on a hand-driven clock and shutdown hook. */
function setup(intervalMs = 10_000) {
  const lines: Record<string, any>[] = [];
  let now = 1_000_000;
  let shutdown: (() => void) | undefined;
  const meter = new IntervalMeter(
    new EmfMeter('demo', (line) => void lines.push(JSON.parse(line))),
    intervalMs,
    () => now,
    (write) => {
      shutdown = write;
    },
  );
  return {
    meter,
    lines,
    advance: (ms: number) => {
      now += ms;
    },
    shutdown: () => shutdown!(),
  };
}

/** One decision's invocation: its readings, then the entry point's flush. */
const invocation = (meter: IntervalMeter, tenant = 'consumer') => {
  meter.meter(tenant, 'ApiRequest', 1, { route: 'decide' });
  meter.meter(tenant, 'Decision', 1, { channel: 'app' });
  meter.flush();
};

describe('one metrics line per container every few seconds', () => {
  it('holds the invocations of an interval and writes their sums in one line per tenant once it has passed', () => {
    const { meter, lines, advance } = setup();
    for (let i = 0; i < 5; i++) {
      invocation(meter);
      advance(1_000);
    }
    invocation(meter, 'enterprise');
    expect(lines).toHaveLength(0);
    advance(5_000);
    invocation(meter);
    expect(lines.map((l) => [l['tenant'], l['ApiRequest'], l['Decision']])).toEqual([
      ['consumer', 6, 6],
      ['enterprise', 1, 1],
    ]);
    // the next interval starts empty
    invocation(meter);
    expect(lines).toHaveLength(2);
  });

  it('writes what it holds when the container is told to shut down', () => {
    const { meter, lines, shutdown } = setup();
    invocation(meter);
    invocation(meter);
    shutdown();
    expect(lines.map((l) => [l['tenant'], l['Decision']])).toEqual([['consumer', 2]]);
  });

  it('loses what it holds when the container goes without a shutdown signal', () => {
    const { meter, lines } = setup();
    invocation(meter);
    // reaped: no flush after the interval, no SIGTERM (no extension registered)
    expect(lines).toHaveLength(0);
  });

  it('is what Lambda gets with CVM_METER_FLUSH_SECONDS, and one line per invocation without it', () => {
    expect(meterFromEnv({ MARKET: 'demo', CVM_METER_FLUSH_SECONDS: '10' })).toBeInstanceOf(IntervalMeter);
    expect(meterFromEnv({ MARKET: 'demo' })).toBeInstanceOf(EmfMeter);
    expect(meterFromEnv({ MARKET: 'demo', CVM_METER_FLUSH_SECONDS: '0' })).toBeInstanceOf(EmfMeter);
  });
});
