import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { TenantUsage, UsageSource } from '#domain/cost/ports.ts';
import { METER_NAMES, type MeterName, type MeterReading } from '#domain/metering.ts';

/** Metered usage from a metering.jsonl (the local meter's file): a month's readings of one market. */
export class FileUsageSource implements UsageSource {
  constructor(private readonly file: string) {}

  async usage(market: string, month: string): Promise<TenantUsage> {
    const out: TenantUsage = {};
    if (!existsSync(this.file)) return out;
    const lines = createInterface({ input: createReadStream(this.file, 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) {
      if (!line.trim()) continue;
      let r: Partial<MeterReading>;
      try {
        r = JSON.parse(line) as Partial<MeterReading>;
      } catch {
        continue;
      }
      if (r.market !== market || !r.at?.startsWith(month) || !r.tenant || !METER_NAMES.includes(r.name as MeterName)) continue;
      const t = (out[r.tenant] ??= {});
      t[r.name as MeterName] = (t[r.name as MeterName] ?? 0) + Number(r.count ?? 0);
    }
    return out;
  }
}
