import {
  monthlyValue,
  periodOf,
  ratio,
  round,
  stateFacts,
  type Granularity,
  type ReportBuilder,
  type ReportContext,
  type ReportCustomer,
} from './report.ts';

const DAY_MS = 86_400_000;
export const EARLY_CHURN_DAYS = [30, 90, 180] as const;
/** The early-churn window the flag tests. */
export const FLAG_WINDOW_DAYS = 90;
export const DEFAULT_MIN_FLAG_COUNT = 10;
/** A group is flagged when its early churn lies this many standard errors above the base rate. */
export const FLAG_Z = 2;

interface Cohort {
  acquired: number;
  churned: Record<(typeof EARLY_CHURN_DAYS)[number], number>;
  revenueToDate: number;
}
const emptyCohort = (): Cohort => ({ acquired: 0, churned: { 30: 0, 90: 0, 180: 0 }, revenueToDate: 0 });

/**
 * One-sided binomial z-score of `x` early churners among `n` against base rate `p0`:
 * (x - n p0) / sqrt(n p0 (1 - p0)); null when the base rate leaves no variance.
 */
export function earlyChurnZ(x: number, n: number, p0: number): number | null {
  if (n === 0 || p0 <= 0 || p0 >= 1) return null;
  return round((x - n * p0) / Math.sqrt(n * p0 * (1 - p0)), 2);
}

/**
 * "False acquisition": customers acquired in the period by channel, tariff, promotion, dealer and
 * their combination, with the share that churned within 30/90/180 days of acquisition (of all
 * acquired in the cohort) and revenue to date (monthly value, prorated over the days active).
 * Groups of at least `minFlagCount` customers whose 90-day churn is more than two standard
 * errors above the cohort's base rate are flagged.
 */
export function acquisitionQualityReport(ctx: ReportContext, granularity: Granularity, period: string): ReportBuilder {
  const all = emptyCohort();
  const groups = new Map<string, Cohort>();
  const minCount = ctx.minFlagCount ?? DEFAULT_MIN_FLAG_COUNT;
  return {
    add(c: ReportCustomer) {
      const f = stateFacts(c.state);
      const acq = f.acquisition;
      if (!acq || periodOf(acq.at, granularity, ctx.timezone) !== period) return;
      const acquiredAt = Date.parse(acq.at);
      const churnAt = f.status === 'churned' && f.churn ? Date.parse(f.churn.at) : undefined;
      const daysToChurn = churnAt !== undefined && churnAt >= acquiredAt ? (churnAt - acquiredAt) / DAY_MS : undefined;
      const activeDays = Math.max(0, ((churnAt ?? ctx.now.getTime()) - acquiredAt) / DAY_MS);
      const revenue = (monthlyValue(c.record, f) * activeDays) / 30;
      const promotion = acq.promotion ?? 'none';
      const dealer = acq.dealer ?? 'none';
      const keys: [string, string][] = [
        ['channel', acq.channel],
        ['tariff', acq.tariff],
        ['promotion', promotion],
        ['dealer', dealer],
        ['combination', `${acq.channel}/${acq.tariff}/${promotion}/${dealer}`],
      ];
      for (const cohort of [
        all,
        ...keys.map(([d, v]) => {
          const key = `${d}\u0000${v}`;
          let g = groups.get(key);
          if (!g) groups.set(key, (g = emptyCohort()));
          return g;
        }),
      ]) {
        cohort.acquired++;
        cohort.revenueToDate += revenue;
        for (const days of EARLY_CHURN_DAYS)
          if (daysToChurn !== undefined && daysToChurn <= days) cohort.churned[days]++;
      }
    },
    snapshot(generatedAt) {
      const base = all.acquired ? all.churned[FLAG_WINDOW_DAYS] / all.acquired : 0;
      const metrics = (g: Cohort) => ({
        acquired: g.acquired,
        churned30d: g.churned[30],
        churned90d: g.churned[90],
        churned180d: g.churned[180],
        churnShare30d: ratio(g.churned[30], g.acquired),
        churnShare90d: ratio(g.churned[90], g.acquired),
        churnShare180d: ratio(g.churned[180], g.acquired),
        revenueToDate: round(g.revenueToDate, 2),
      });
      const rows = [...groups.entries()].map(([key, g]) => {
        const [dimension, value] = key.split('\u0000') as [string, string];
        const z = earlyChurnZ(g.churned[FLAG_WINDOW_DAYS], g.acquired, base);
        const flagged = g.acquired >= minCount && z !== null && z > FLAG_Z;
        return { dimension, value, ...metrics(g), z, flagged: flagged ? 1 : 0 };
      });
      rows.sort(
        (a, b) => a.dimension.localeCompare(b.dimension) || b.acquired - a.acquired || a.value.localeCompare(b.value),
      );
      // The combinations alone can be many: keep the largest few hundred (the item stays < 400 KB).
      const combos = rows.filter((r) => r.dimension === 'combination');
      const kept =
        combos.length > 300
          ? rows.filter((r) => r.dimension !== 'combination' || combos.slice(0, 300).includes(r) || r.flagged)
          : rows;
      return {
        name: 'acquisition-quality',
        granularity,
        period,
        generatedAt,
        summary: {
          ...(metrics(all) as Record<string, number | null>),
          baseRate90d: round(base),
          flagged: kept.filter((r) => r.flagged).length,
          minFlagCount: minCount,
        },
        rows: kept,
        chartMetric: 'churnShare90d',
      };
    },
  };
}
