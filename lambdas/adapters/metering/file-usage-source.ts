import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { TenantUsage, UsageSource } from '#domain/cost/ports.ts';
import { isMeteredName, type MeterReading } from '#domain/metering.ts';

/** Metered usage from a metering.jsonl (the local meter's file): a month's readings of one market. */
export class FileUsageSource implements UsageSource {
  readonly method: string;

  constructor(private readonly file: string) {
    this.method = `metering file ${file} (one JSON reading a line, as the local meter writes them), readings of the month (UTC) added up`;
  }

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
      if (r.market !== market || !r.at?.startsWith(month) || !r.tenant || !isMeteredName(r.name)) continue;
      const t = (out[r.tenant] ??= {});
      t[r.name] = (t[r.name] ?? 0) + Number(r.count ?? 0);
    }
    return out;
  }
}
