import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import * as z from 'zod';
import type { TenantUsage, UsageSource } from '#domain/cost/ports.ts';
import type { TenantId } from '#domain/ids.ts';
import { METER_NAMES } from '#domain/usage-readings.ts';

/** A line as the local meter writes it (domain MeterReading), as far as the report trusts it. */
const FileReading = z.looseObject({
  at: z.string(),
  market: z.string(),
  tenant: z.string().min(1),
  name: z.enum(METER_NAMES),
  count: z.unknown().optional(),
  country: z.unknown().optional(),
});
type FileReading = z.infer<typeof FileReading>;

/** Metered usage from a metering.jsonl (the local meter's file): a month's readings of one market. */
export class FileUsageSource implements UsageSource {
  readonly method: string;

  constructor(private readonly file: string) {
    this.method = `metering file ${file} (one JSON reading a line, as the local meter writes them), readings of the month (UTC) added up`;
  }

  async usage(market: string, month: string): Promise<TenantUsage> {
    const out: TenantUsage = {};
    for await (const r of this.readings(market, month)) {
      const t = (out[r.tenant] ??= {});
      t[r.name] = (t[r.name] ?? 0) + Number(r.count ?? 0);
    }
    return out;
  }

  /** SmsSegmentsSent by the destination country each reading names ('' where it names none). */
  async smsSegmentsByDestination(market: string, month: string): Promise<Record<TenantId, Record<string, number>>> {
    const out: Record<TenantId, Record<string, number>> = {};
    for await (const r of this.readings(market, month)) {
      if (r.name !== 'SmsSegmentsSent') continue;
      const t = (out[r.tenant] ??= {});
      const country = typeof r.country === 'string' && /^[A-Z]{2}$/.test(r.country) ? r.country : '';
      t[country] = (t[country] ?? 0) + Number(r.count ?? 0);
    }
    return out;
  }

  /** The month's well-formed readings of the market. */
  private async *readings(market: string, month: string): AsyncGenerator<FileReading> {
    if (!existsSync(this.file)) return;
    const lines = createInterface({ input: createReadStream(this.file, 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) {
      if (!line.trim()) continue;
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        continue;
      }
      const r = FileReading.safeParse(json);
      if (r.success && r.data.market === market && r.data.at.startsWith(month)) yield r.data;
    }
  }
}
