import * as z from 'zod';
import { GRANULARITIES, REPORT_NAMES } from '#domain/reports/report.ts';

const Cell = z.union([z.string(), z.number(), z.null()]);

/**
 * A report snapshot's fields, in one place for the two sides that check them: the API documents and
 * serves them (lambdas/http/schemas/reports.ts) and the report store checks what it reads back
 * (lambdas/adapters/dynamo/report-store.ts); each adds what only it needs (an OpenAPI id, loose reads).
 */
export const ReportSnapshotFields = z.object({
  name: z.enum(REPORT_NAMES),
  granularity: z.enum(GRANULARITIES),
  period: z.string(),
  generatedAt: z.string(),
  summary: z.record(z.string(), z.number().nullable()),
  rows: z.array(z.record(z.string(), Cell)),
  chartMetric: z.string(),
  columns: z.array(z.string()).optional(),
});
