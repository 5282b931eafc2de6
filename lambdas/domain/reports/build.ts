import { acquisitionQualityReport } from './acquisition-quality.ts';
import { decisionReport } from './decision-report.ts';
import { exitReasonReport } from './exit-reasons.ts';
import { kpiReport } from './kpis.ts';
import {
  GRANULARITIES,
  periodOf,
  REPORT_NAMES,
  type Granularity,
  type ReportBuilder,
  type ReportContext,
  type ReportCustomer,
  type ReportName,
  type ReportSnapshot,
} from './report.ts';

const BUILDERS: Record<ReportName, (ctx: ReportContext, g: Granularity, period: string) => ReportBuilder> = {
  kpis: kpiReport,
  'exit-reasons': exitReasonReport,
  'acquisition-quality': acquisitionQualityReport,
  decisions: decisionReport,
};

/**
 * Every report for the current day and month (in the market's time zone): fed each customer
 * once (in any order, from any number of scan segments), then asked for the snapshots. Earlier
 * periods keep the snapshot their last run wrote; the job overwrites only the current ones.
 */
export function reportSet(ctx: ReportContext, names: readonly ReportName[] = REPORT_NAMES) {
  const builders = names.flatMap((name) =>
    GRANULARITIES.map((g) => BUILDERS[name](ctx, g, periodOf(ctx.now, g, ctx.timezone))),
  );
  let customers = 0;
  return {
    add(c: ReportCustomer) {
      customers++;
      for (const b of builders) b.add(c);
    },
    get customers() {
      return customers;
    },
    snapshots(): ReportSnapshot[] {
      const at = ctx.now.toISOString();
      return builders.map((b) => {
        const s = b.snapshot(at);
        const columns = ['dimension', 'value'];
        for (const r of s.rows) for (const k of Object.keys(r)) if (!columns.includes(k)) columns.push(k);
        return { ...s, columns };
      });
    },
  };
}

/** The reports of a list of customers (tests, scripts). */
export function buildReports(customers: Iterable<ReportCustomer>, ctx: ReportContext): ReportSnapshot[] {
  const set = reportSet(ctx);
  for (const c of customers) set.add(c);
  return set.snapshots();
}
