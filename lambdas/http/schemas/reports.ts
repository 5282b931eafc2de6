import * as z from 'zod';
import { GRANULARITIES, REPORT_NAMES } from '#domain/reports/report.ts';
import { ReportSnapshotFields } from '#edge/records/report-snapshot.ts';

/** Dimensions the reports group by (each report has its own subset; see REPORT_DIMENSIONS). */
export const REPORT_DIMENSIONS = {
  kpis: ['tier', 'segment'],
  'exit-reasons': ['reason', 'tier', 'tenure', 'reason-tier'],
  'acquisition-quality': ['channel', 'tariff', 'promotion', 'dealer', 'combination'],
  decisions: ['action', 'variant', 'channel', 'group'],
  programme: ['metric', 'group'],
} as const satisfies Record<(typeof REPORT_NAMES)[number], readonly string[]>;

const PERIOD = /^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$/;

/** A month `yyyy-mm` or a day `yyyy-mm-dd` that exists in the calendar (not 2026-02-30). */
export function isPeriod(value: string): boolean {
  if (!PERIOD.test(value)) return false;
  const [y, m, d] = value.split('-').map(Number) as [number, number, number | undefined];
  if (d === undefined) return true;
  const date = new Date(0);
  date.setUTCFullYear(y, m - 1, d); // not Date.UTC, which reads years 0-99 as 1900-1999
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

const Period = z.string().refine(isPeriod, 'a real month yyyy-mm or day yyyy-mm-dd');

export const ReportParams = z.strictObject({
  name: z.string().regex(/^[a-z0-9-]{1,64}$/, `one of ${REPORT_NAMES.join(', ')}`),
});

export const ReportQuery = z
  .strictObject({
    from: Period.optional(),
    to: Period.optional(),
    groupBy: z.enum([...new Set(Object.values(REPORT_DIMENSIONS).flat())] as [string, ...string[]]).optional(),
    granularity: z.enum(GRANULARITIES).default('month'),
    format: z.enum(['json', 'csv', 'svg']).optional(),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { path: ['to'], message: 'must not be before from' });

export const ReportSnapshotSchema = ReportSnapshotFields.meta({ id: 'ReportSnapshot' });

export const ReportView = z
  .object({
    report: z.enum(REPORT_NAMES),
    granularity: z.enum(GRANULARITIES),
    from: z.string().optional(),
    to: z.string().optional(),
    groupBy: z.string().optional(),
    periods: z.array(ReportSnapshotSchema),
  })
  .meta({ id: 'ReportView' });
