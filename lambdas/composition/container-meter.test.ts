import { describe, expect, it } from 'vitest';
import { EmfMeter } from '#adapters/usage/emf-meter.ts';
import { flushingMeter } from './container-meter.ts';

describe('flushing the meter at the end of an invocation', () => {
  it('writes what was metered when the handler returns, and when it throws', async () => {
    const lines: string[] = [];
    const meter = new EmfMeter('demo', (l) => void lines.push(l));
    const ok = flushingMeter(async (tenant: string) => {
      meter.meter(tenant, 'Event', 10);
      return 'done';
    }, meter);
    const failing = flushingMeter(async (tenant: string) => {
      meter.meter(tenant, 'WriteCapacityUnits', 4);
      throw new Error('table throttled');
    }, meter);
    await expect(ok('consumer')).resolves.toBe('done');
    await expect(failing('enterprise')).rejects.toThrow('table throttled');
    expect(
      lines
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .map((b) => [b['tenant'], b['Event'] ?? b['WriteCapacityUnits']]),
    ).toEqual([
      ['consumer', 10],
      ['enterprise', 4],
    ]);
  });
});
