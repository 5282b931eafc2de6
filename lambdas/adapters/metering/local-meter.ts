import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Meter, MeterDetail, MeteredName, MeterReading } from '#domain/metering.ts';
import type { TenantId } from '#domain/ids.ts';
import type { Clock } from '#domain/clock.ts';
import { systemClock } from '../clock.ts';

export const METERING_FILE = 'metering.jsonl';

/**
 * Local runs: the same readings, one JSON line each, appended to `<dir>/metering.jsonl` at once
 * (a local file costs nothing per line, and a crash loses nothing), so `flush()` has nothing to do.
 */
export class LocalMeter implements Meter {
  readonly file: string;

  constructor(private readonly market: string, dir: string, private readonly clock: Clock = systemClock) {
    this.file = join(dir, METERING_FILE);
    mkdirSync(dirname(this.file), { recursive: true });
  }

  meter(tenant: TenantId, name: MeteredName, count = 1, detail: MeterDetail = {}): void {
    if (!tenant || !(count > 0)) return;
    const reading: MeterReading = {
      at: this.clock.now().toISOString(), market: this.market, tenant, name, count,
      ...(detail.route ? { route: detail.route } : {}),
      ...(detail.channel ? { channel: detail.channel } : {}),
    };
    try {
      appendFileSync(this.file, `${JSON.stringify(reading)}\n`);
    } catch {
      // metering never fails the work it meters
    }
  }

  flush(): void {}
}
