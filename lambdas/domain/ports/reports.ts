/** Ports of reports (issue 9): the scans the reports read and the snapshots they write. */
import type { TenantId } from '../ids.ts';

/** The decisions made on some days, as the reports read them (the log's index by day, report fields only). */
export interface DecisionReportSource {
  /** `days`: UTC calendar days `yyyy-mm-dd`; parts 0..parts-1, read in parallel, together yield each decision once. */
  decisionsOn(
    tenant: TenantId,
    days: readonly string[],
    part: number,
    parts: number,
  ): AsyncIterable<import('../reports/report.ts').ReportDecision>;
}

/** Reads a tenant's customers (profile and state), one parallel-scan segment at a time. */
export interface ReportScan {
  scanSegment(
    tenant: TenantId,
    segment: number,
    totalSegments: number,
  ): AsyncIterable<import('../reports/report.ts').ReportCustomer>;
}

/** Report snapshots (`R#<name>`, `<granularity>#<period>`): written by the build-reports job, read by the API. */
export interface ReportStore {
  save(tenant: TenantId, snapshots: import('../reports/report.ts').ReportSnapshot[]): Promise<void>;
  /** Periods `from`..`to` (inclusive) ascending; without them, the latest period only. */
  read(
    tenant: TenantId,
    name: import('../reports/report.ts').ReportName,
    granularity: import('../reports/report.ts').Granularity,
    range: { from?: string; to?: string },
  ): Promise<import('../reports/report.ts').ReportSnapshot[]>;
}
