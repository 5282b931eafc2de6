import { valueTierOf } from '../customer.ts';
import {
  monthlyValue,
  periodOf,
  round,
  stateFacts,
  tenureBand,
  type Granularity,
  type ReportBuilder,
  type ReportContext,
  type ReportCustomer,
  type StateFacts,
} from './report.ts';

/**
 * Where a leaver went, from the exit interview held after the churn: its destination operator,
 * `not-given` when the interview named none, `not-interviewed` without an interview since the
 * churn (one before it belongs to an earlier churn).
 */
export function destinationOf(f: StateFacts): string {
  const interview = f.exitInterview;
  if (!interview || !f.churn || Date.parse(interview.at) < Date.parse(f.churn.at)) return 'not-interviewed';
  return interview.destinationOperator ?? 'not-given';
}

/**
 * Leavers of the period (churn event inside it): counts and monthly revenue lost, by exit
 * reason, value tier, tenure band, reason x tier and destination operator (exit interviews).
 */
export function exitReasonReport(ctx: ReportContext, granularity: Granularity, period: string): ReportBuilder {
  let churned = 0;
  let lost = 0;
  const groups = new Map<string, { churned: number; revenueLost: number }>();
  const bump = (dimension: string, value: string, revenue: number) => {
    const key = `${dimension}\u0000${value}`;
    const g = groups.get(key) ?? { churned: 0, revenueLost: 0 };
    g.churned++;
    g.revenueLost += revenue;
    groups.set(key, g);
  };
  return {
    add(c: ReportCustomer) {
      const f = stateFacts(c.state);
      if (f.status !== 'churned' || !f.churn || periodOf(f.churn.at, granularity, ctx.timezone) !== period) return;
      const revenue = monthlyValue(c.record, f);
      const tier = valueTierOf(c.record ?? {}, ctx.valueTiers, f.spend30d);
      churned++;
      lost += revenue;
      bump('reason', f.churn.reason, revenue);
      bump('tier', tier, revenue);
      bump('tenure', tenureBand(c.record?.tenureMonths), revenue);
      bump('reason-tier', `${f.churn.reason}/${tier}`, revenue);
      bump('destination', destinationOf(f), revenue);
    },
    snapshot(generatedAt) {
      const rows = [...groups.entries()]
        .map(([key, g]) => {
          const [dimension, value] = key.split('\u0000') as [string, string];
          return {
            dimension,
            value,
            churned: g.churned,
            share: churned ? round(g.churned / churned) : null,
            monthlyRevenueLost: round(g.revenueLost, 2),
          };
        })
        .sort(
          (a, b) => a.dimension.localeCompare(b.dimension) || b.churned - a.churned || a.value.localeCompare(b.value),
        );
      return {
        name: 'exit-reasons',
        granularity,
        period,
        generatedAt,
        summary: { churned, monthlyRevenueLost: round(lost, 2) },
        rows,
        chartMetric: 'churned',
      };
    },
  };
}
