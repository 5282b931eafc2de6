import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Meter, MeterDetail, MeteredName, MeterReading } from '#domain/usage-readings.ts';
import type { TenantId } from '#domain/ids.ts';
import type { Clock } from '#domain/clock.ts';
import { systemClock } from '../clock.ts';

export const METERING_FILE = 'metering.jsonl';

/**
 * Local runs: the same readings, one JSON line each, in `<dir>/metering.jsonl`. Like the EMF meter,
 * an invocation's readings are held until its entry point flushes and then written in one append
 * (an append per reading was three system calls each, four readings per decision). What a process
 * holds when it exits is still written.
 */
export class LocalMeter implements Meter {
  readonly file: string;
  private pending: string[] = [];
  private readonly flushOnExit = () => this.flush();

  constructor(
    private readonly market: string,
    dir: string,
    private readonly clock: Clock = systemClock,
  ) {
    this.file = join(dir, METERING_FILE);
    mkdirSync(dirname(this.file), { recursive: true });
  }

  meter(tenant: TenantId, name: MeteredName, count = 1, detail: MeterDetail = {}): void {
    if (!tenant || !(count > 0)) return;
    const reading: MeterReading = {
      at: this.clock.now().toISOString(),
      market: this.market,
      tenant,
      name,
      count,
      ...(detail.route ? { route: detail.route } : {}),
      ...(detail.channel ? { channel: detail.channel } : {}),
      ...(detail.country ? { country: detail.country } : {}),
    };
    if (this.pending.length === 0) process.once('exit', this.flushOnExit);
    this.pending.push(`${JSON.stringify(reading)}\n`);
  }

  /** Appends what was metered since the last flush; never throws. */
  flush(): void {
    if (this.pending.length === 0) return;
    const lines = this.pending.join('');
    this.pending = [];
    process.removeListener('exit', this.flushOnExit);
    try {
      appendFileSync(this.file, lines);
    } catch {
      // metering never fails the work it meters
    }
  }
}
