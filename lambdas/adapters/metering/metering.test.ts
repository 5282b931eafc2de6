import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fixedClock } from '#domain/clock.ts';
import { totalsByTenant, type MeterReading } from '#domain/metering.ts';
import { EmfMeter } from './emf-meter.ts';
import { LocalMeter } from './local-meter.ts';
import { meterFromEnv } from './meter-from-env.ts';

/** EMF blobs the meter wrote to stdout during `run`. */
function emfLines(run: () => void): Record<string, any>[] {
  const writes: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    writes.push(String(chunk));
    return true;
  });
  try {
    run();
  } finally {
    spy.mockRestore();
  }
  return writes.join('').split('\n').filter((l) => l.includes('_aws')).map((l) => JSON.parse(l) as Record<string, any>);
}

afterEach(() => vi.restoreAllMocks());

describe('the EMF meter', () => {
  it('writes one blob per reading in namespace telco-cvm with market and tenant dimensions', () => {
    const meter = new EmfMeter('demo');
    const [blob, ...rest] = emfLines(() => meter.meter('consumer', 'Decision', 3));
    expect(rest).toEqual([]);
    expect(blob).toMatchObject({ service: 'telco-cvm', market: 'demo', tenant: 'consumer', Decision: 3 });
    const directive = blob!['_aws'].CloudWatchMetrics[0];
    expect(directive.Namespace).toBe('telco-cvm');
    expect(directive.Dimensions[0].sort()).toEqual(['market', 'service', 'tenant']);
    expect(directive.Metrics).toEqual([{ Name: 'Decision', Unit: 'Count' }]);
  });

  it('keeps two tenants in one invocation apart', () => {
    const meter = new EmfMeter('demo');
    const blobs = emfLines(() => {
      meter.meter('consumer', 'ApiRequest');
      meter.meter('enterprise', 'ApiRequest');
    });
    expect(blobs.map((b) => [b['tenant'], b['ApiRequest']])).toEqual([['consumer', 1], ['enterprise', 1]]);
  });

  it('writes nothing without a tenant or a positive count', () => {
    const meter = new EmfMeter('demo');
    expect(emfLines(() => {
      meter.meter('', 'Event', 1);
      meter.meter('consumer', 'Event', 0);
    })).toEqual([]);
  });
});

describe('the local meter', () => {
  it('appends one JSON line per reading to metering.jsonl, with the platform clock', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cvm-meter-'));
    const meter = new LocalMeter('demo', dir, fixedClock('2026-10-05T10:00:00Z'));
    meter.meter('consumer', 'ApiRequest', 1, { route: 'getCustomer' });
    meter.meter('enterprise', 'Event', 250);
    const lines = readFileSync(join(dir, 'metering.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as MeterReading);
    expect(lines).toEqual([
      { at: '2026-10-05T10:00:00.000Z', market: 'demo', tenant: 'consumer', name: 'ApiRequest', count: 1, route: 'getCustomer' },
      { at: '2026-10-05T10:00:00.000Z', market: 'demo', tenant: 'enterprise', name: 'Event', count: 250 },
    ]);
    expect(totalsByTenant(lines)).toEqual({ consumer: { ApiRequest: 1 }, enterprise: { Event: 250 } });
  });

  it('is what the local runtime gets, and EMF is what Lambda gets', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cvm-meter-'));
    const local = meterFromEnv({ MARKET: 'demo', CVM_METER: 'local', CVM_LOCAL_DIR: dir });
    expect(local).toBeInstanceOf(LocalMeter);
    local.meter('consumer', 'Score', 9);
    expect(existsSync(join(dir, 'metering.jsonl'))).toBe(true);
    expect(meterFromEnv({ MARKET: 'demo' })).toBeInstanceOf(EmfMeter);
  });
});
