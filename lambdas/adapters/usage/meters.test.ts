import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fixedClock } from '#domain/clock.ts';
import { totalsByTenant, type MeterReading } from '#domain/usage-readings.ts';
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
  return writes
    .join('')
    .split('\n')
    .filter((l) => l.includes('_aws'))
    .map((l) => JSON.parse(l) as Record<string, any>);
}

afterEach(() => vi.restoreAllMocks());

describe('the EMF meter', () => {
  it('holds the readings until the invocation ends, then writes one blob per tenant with all its meters', () => {
    const meter = new EmfMeter('demo');
    expect(
      emfLines(() => {
        meter.meter('consumer', 'ApiRequest', 1, { route: 'postDecision' });
        meter.meter('consumer', 'ReadCapacityUnits', 0.5);
        meter.meter('consumer', 'WriteCapacityUnits', 2);
        meter.meter('consumer', 'WriteCapacityUnits', 1);
      }),
    ).toEqual([]);
    const [blob, ...rest] = emfLines(() => meter.flush());
    expect(rest).toEqual([]);
    expect(blob).toMatchObject({
      service: 'telco-cvm',
      market: 'demo',
      tenant: 'consumer',
      ApiRequest: 1,
      ReadCapacityUnits: 0.5,
      WriteCapacityUnits: 3,
    });
    const [directive, ...others] = blob!['_aws'].CloudWatchMetrics;
    expect(others).toEqual([]);
    expect(directive.Namespace).toBe('telco-cvm');
    expect(directive.Dimensions).toEqual([['service', 'market', 'tenant']]);
    expect(directive.Metrics.map((m: { Name: string }) => m.Name)).toEqual([
      'ApiRequest',
      'ReadCapacityUnits',
      'WriteCapacityUnits',
    ]);
    // flushed readings are gone: the next invocation starts empty
    expect(emfLines(() => meter.flush())).toEqual([]);
  });

  it('keeps two tenants of one invocation on two lines', () => {
    const meter = new EmfMeter('demo');
    const blobs = emfLines(() => {
      meter.meter('consumer', 'ApiRequest');
      meter.meter('enterprise', 'ApiRequest');
      meter.meter('consumer', 'Event', 250);
      meter.flush();
    });
    expect(blobs.map((b) => [b['tenant'], b['ApiRequest'], b['Event']])).toEqual([
      ['consumer', 1, 250],
      ['enterprise', 1, undefined],
    ]);
  });

  it('publishes a decision by channel too, in the same line, without turning the other meters into channel series', () => {
    const meter = new EmfMeter('demo');
    const [blob, ...rest] = emfLines(() => {
      meter.meter('consumer', 'ApiRequest', 1, { route: 'postDecision' });
      meter.meter('consumer', 'ReadCapacityUnits', 1);
      meter.meter('consumer', 'WriteCapacityUnits', 3);
      meter.meter('consumer', 'Decision', 1, { channel: 'app' });
      meter.flush();
    });
    expect(rest).toEqual([]);
    expect(blob).toMatchObject({ tenant: 'consumer', channel: 'app', Decision: 1 });
    const [byTenant, byChannel] = blob!['_aws'].CloudWatchMetrics;
    expect(byTenant.Dimensions).toEqual([['service', 'market', 'tenant']]);
    expect(byTenant.Metrics.map((m: { Name: string }) => m.Name)).toEqual([
      'ApiRequest',
      'ReadCapacityUnits',
      'WriteCapacityUnits',
      'Decision',
    ]);
    expect(byChannel).toEqual({
      Namespace: 'telco-cvm',
      Dimensions: [['service', 'market', 'channel']],
      Metrics: [{ Name: 'Decision', Unit: 'Count' }],
    });
    // what one decision costs in log ingestion (the cost model's emfBytes)
    expect(Buffer.byteLength(`${JSON.stringify(blob)}\n`)).toBeLessThan(600);
  });

  it('gives each channel its own figure when one invocation decided on several', () => {
    const meter = new EmfMeter('demo');
    const blobs = emfLines(() => {
      meter.meter('consumer', 'Decision', 2, { channel: 'app' });
      meter.meter('consumer', 'Decision', 1, { channel: 'ussd' });
      meter.flush();
    });
    expect(blobs.map((b) => [b['tenant'], b['channel'], b['Decision']])).toEqual([
      ['consumer', undefined, 3],
      [undefined, 'app', 2],
      [undefined, 'ussd', 1],
    ]);
    expect(blobs.slice(1).map((b) => b['_aws'].CloudWatchMetrics[0].Dimensions)).toEqual([
      [['service', 'market', 'channel']],
      [['service', 'market', 'channel']],
    ]);
  });

  it('publishes SMS segments by destination country too, a line per country, beside the tenant total', () => {
    const meter = new EmfMeter('demo');
    const blobs = emfLines(() => {
      meter.meter('consumer', 'SmsSegmentsSent', 2, { channel: 'sms', country: 'ZA' });
      meter.meter('consumer', 'SmsSegmentsSent', 1, { channel: 'sms', country: 'GB' });
      meter.meter('consumer', 'SmsSegmentsSent', 3, { channel: 'sms', country: 'ZA' });
      meter.meter('consumer', 'SmsSegmentsSent', 1, { channel: 'sms' }); // a number of no known country
      meter.flush();
    });
    expect(blobs.map((b) => [b['tenant'], b['country'], b['SmsSegmentsSent']])).toEqual([
      ['consumer', undefined, 7],
      ['consumer', 'ZA', 5],
      ['consumer', 'GB', 1],
    ]);
    expect(blobs[0]!['_aws'].CloudWatchMetrics[0].Dimensions).toEqual([['service', 'market', 'tenant']]);
    expect(blobs.slice(1).map((b) => b['_aws'].CloudWatchMetrics)).toEqual(
      Array(2).fill([
        {
          Namespace: 'telco-cvm',
          Dimensions: [['service', 'market', 'tenant', 'country']],
          Metrics: [{ Name: 'SmsSegmentsSent', Unit: 'Count' }],
        },
      ]),
    );
  });

  it('writes nothing without a tenant or a positive count', () => {
    const meter = new EmfMeter('demo');
    expect(
      emfLines(() => {
        meter.meter('', 'Event', 1);
        meter.meter('consumer', 'Event', 0);
        meter.meter('consumer', 'Event', Number.NaN);
        meter.flush();
      }),
    ).toEqual([]);
  });

  it('never throws, even when stdout does', () => {
    const meter = new EmfMeter('demo', () => {
      throw new Error('EPIPE');
    });
    meter.meter('consumer', 'Decision', 1, { channel: 'app' });
    expect(() => meter.flush()).not.toThrow();
  });
});

describe('the local meter', () => {
  it('appends one JSON line per reading to metering.jsonl when the invocation flushes, with the platform clock and the channel', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cvm-meter-'));
    const meter = new LocalMeter('demo', dir, fixedClock('2026-10-05T10:00:00Z'));
    meter.meter('consumer', 'ApiRequest', 1, { route: 'getCustomer' });
    meter.meter('enterprise', 'Event', 250);
    meter.meter('consumer', 'Decision', 1, { channel: 'app' });
    meter.meter('consumer', 'WriteCapacityUnits', 1.5);
    meter.flush();
    const lines = readFileSync(join(dir, 'metering.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as MeterReading);
    expect(lines).toEqual([
      {
        at: '2026-10-05T10:00:00.000Z',
        market: 'demo',
        tenant: 'consumer',
        name: 'ApiRequest',
        count: 1,
        route: 'getCustomer',
      },
      { at: '2026-10-05T10:00:00.000Z', market: 'demo', tenant: 'enterprise', name: 'Event', count: 250 },
      {
        at: '2026-10-05T10:00:00.000Z',
        market: 'demo',
        tenant: 'consumer',
        name: 'Decision',
        count: 1,
        channel: 'app',
      },
      { at: '2026-10-05T10:00:00.000Z', market: 'demo', tenant: 'consumer', name: 'WriteCapacityUnits', count: 1.5 },
    ]);
    expect(totalsByTenant(lines)).toEqual({
      consumer: { ApiRequest: 1, Decision: 1, WriteCapacityUnits: 1.5 },
      enterprise: { Event: 250 },
    });
  });

  it('is what the local runtime gets, and EMF is what Lambda gets', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cvm-meter-'));
    const local = meterFromEnv({ MARKET: 'demo', CVM_METER: 'local', CVM_LOCAL_DIR: dir });
    expect(local).toBeInstanceOf(LocalMeter);
    local.meter('consumer', 'Score', 9);
    expect(existsSync(join(dir, 'metering.jsonl'))).toBe(false); // held until the entry point flushes
    local.flush?.();
    expect(readFileSync(join(dir, 'metering.jsonl'), 'utf8')).toContain('"Score"');
    local.flush?.(); // nothing new: nothing written twice
    expect(readFileSync(join(dir, 'metering.jsonl'), 'utf8').trim().split('\n')).toHaveLength(1);
    expect(meterFromEnv({ MARKET: 'demo' })).toBeInstanceOf(EmfMeter);
  });
});
