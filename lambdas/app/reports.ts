import type { Clock } from '#domain/clock.ts';
import type { ValueTierThresholds } from '#domain/customer.ts';
import type { ExperimentConfig } from '#domain/decisioning/experiments.ts';
import { NotFoundError } from '#domain/errors.ts';
import type { TenantId } from '#domain/ids.ts';
import type { ActionCatalog } from '#domain/ports/catalog.ts';
import type { DecisionReportSource, ReportScan, ReportStore } from '#domain/ports/reports.ts';
import { reportDays, reportSet } from '#domain/reports/build.ts';
import {
  isReportName,
  REPORT_NAMES,
  type Granularity,
  type ReportName,
  type ReportSnapshot,
} from '#domain/reports/report.ts';

export interface ReportSettings {
  timezone: string;
  valueTiers: ValueTierThresholds;
  /** Parallel scan segments read at once. */
  totalSegments: number;
  minFlagCount?: number;
  /** The market's experiment (its global control group is the programme report's baseline). */
  experiments?: ExperimentConfig;
  /** What each NPS model version learned from (the KPI report labels predicted NPS with it). */
  npsLabels?: Record<string, 'synthetic' | 'observed'>;
}

export interface BuildResult {
  tenant: TenantId;
  customers: number;
  snapshots: number;
  periods: string[];
}

export interface ReportBuildPorts {
  scan: ReportScan;
  /** The current month's decisions, from the decision log's index by day. */
  decisions: DecisionReportSource;
  store: ReportStore;
  catalog: ActionCatalog;
  clock: Clock;
  settings: ReportSettings;
}

/**
 * The scheduled job: one parallel scan of the tenant table's profiles and states, then the
 * month's decisions from the decision log, feed every report of the current day and month; then
 * one item per report and period is written. The only writes reports cost.
 */
export const buildTenantReports =
  (ports: ReportBuildPorts) =>
  async (tenant: TenantId): Promise<BuildResult> => {
    const now = ports.clock.now();
    const actions = await ports.catalog.list(tenant);
    const set = reportSet({
      now,
      timezone: ports.settings.timezone,
      valueTiers: ports.settings.valueTiers,
      actionValues: Object.fromEntries(actions.map((a) => [a.actionId, a.value])),
      ...(ports.settings.minFlagCount !== undefined ? { minFlagCount: ports.settings.minFlagCount } : {}),
      tenant,
      ...(ports.settings.experiments ? { experiments: ports.settings.experiments } : {}),
      ...(ports.settings.npsLabels ? { npsLabels: ports.settings.npsLabels } : {}),
    });
    const segments = Math.max(1, ports.settings.totalSegments);
    await Promise.all(
      Array.from({ length: segments }, async (_, segment) => {
        for await (const c of ports.scan.scanSegment(tenant, segment, segments)) set.add(c);
      }),
    );
    // after every customer: a control decision converts on its customer's acceptance, kept by the scan
    const days = reportDays(now, ports.settings.timezone);
    await Promise.all(
      Array.from({ length: segments }, async (_, part) => {
        for await (const d of ports.decisions.decisionsOn(tenant, days, part, segments)) set.addDecision(d);
      }),
    );
    const snapshots = set.snapshots();
    await ports.store.save(tenant, snapshots);
    return {
      tenant,
      customers: set.customers,
      snapshots: snapshots.length,
      periods: [...new Set(snapshots.map((s) => `${s.granularity}:${s.period}`))],
    };
  };

export interface ReportQuery {
  granularity: Granularity;
  from?: string;
  to?: string;
}

/** The report a path names; any other name is a 404 that lists the reports. */
export function reportNamed(name: string): ReportName {
  if (!isReportName(name)) throw new NotFoundError(`no report '${name}'; reports: ${REPORT_NAMES.join(', ')}`);
  return name;
}

/** `GET /v1/reports/{name}`: stored snapshots only (never a scan); unknown names are 404. */
export const readReport =
  (ports: { store: ReportStore }) =>
  async (tenant: TenantId, name: string, query: ReportQuery): Promise<ReportSnapshot[]> => {
    return ports.store.read(tenant, reportNamed(name), query.granularity, {
      ...(query.from ? { from: query.from } : {}),
      ...(query.to ? { to: query.to } : {}),
    });
  };
