import { acquisitionQualityReport } from './acquisition-quality.ts';
import { decisionReport } from './decision-report.ts';
import { exitReasonReport } from './exit-reasons.ts';
import { kpiReport } from './kpis.ts';
import { programmeReport } from './programme.ts';
import {
  type Acceptance,
  GRANULARITIES,
  lastAcceptance,
  periodOf,
  REPORT_NAMES,
  type Granularity,
  type ReportBuilder,
  type ReportContext,
  type ReportCustomer,
  type ReportDecision,
  type ReportName,
  type ReportSnapshot,
} from './report.ts';

const BUILDERS: Record<ReportName, (ctx: ReportContext, g: Granularity, period: string) => ReportBuilder> = {
  kpis: kpiReport,
  'exit-reasons': exitReasonReport,
  'acquisition-quality': acquisitionQualityReport,
  decisions: decisionReport,
  programme: programmeReport,
};

/**
 * Every report for the current day and month (in the market's time zone): fed each customer
 * once and then each decision of the period once (in any order, from any number of scan segments
 * and index partitions), then asked for the snapshots. Earlier periods keep the snapshot their
 * last run wrote; the job overwrites only the current ones.
 */
export function reportSet(ctx: ReportContext, names: readonly ReportName[] = REPORT_NAMES) {
  const builders = names.flatMap((name) =>
    GRANULARITIES.map((g) => BUILDERS[name](ctx, g, periodOf(ctx.now, g, ctx.timezone))),
  );
  const monthStart = periodStart(ctx.now, ctx.timezone);
  // Control decisions convert on acceptances reported as events, which only the customer's state
  // holds: the scan keeps the month's acceptances (few customers) rather than every decision.
  const acceptances = new Map<string, Acceptance>();
  let customers = 0;
  return {
    add(c: ReportCustomer) {
      customers++;
      for (const b of builders) b.add(c);
      const accepted = lastAcceptance(c.state);
      if (accepted && accepted.at >= monthStart) acceptances.set(c.customerId, accepted);
    },
    /** After every customer: each decision of the period, joined with the customer's acceptance. */
    addDecision(d: ReportDecision) {
      const accepted = acceptances.get(d.customerId);
      for (const b of builders) b.addDecision?.(d, accepted);
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

/**
 * The UTC days whose decisions can fall in the current month of the market's time zone: from the
 * day before the local month's first day (zones ahead of UTC) to the day after today (zones behind).
 */
export function reportDays(now: Date, timezone: string): string[] {
  const [year, month] = periodOf(now, 'month', timezone).split('-').map(Number) as [number, number];
  const days: string[] = [];
  const last = now.getTime() + 86_400_000;
  for (let t = Date.UTC(year, month - 1, 1) - 86_400_000; t <= last; t += 86_400_000)
    days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

/** The earliest instant of the local month, as an ISO string (a lower bound: one day early). */
function periodStart(now: Date, timezone: string): string {
  return `${reportDays(now, timezone)[0]}T00:00:00.000Z`;
}

/** The reports of a list of customers and decisions (tests, scripts). */
export function buildReports(
  customers: Iterable<ReportCustomer>,
  ctx: ReportContext,
  decisions: Iterable<ReportDecision> = [],
): ReportSnapshot[] {
  const set = reportSet(ctx);
  for (const c of customers) set.add(c);
  for (const d of decisions) set.addDecision(d);
  return set.snapshots();
}
