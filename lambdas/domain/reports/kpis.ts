import { valueTierOf } from '../customer.ts';
import { lifecycleOf } from '../lifecycle.ts';
import { npsClassOf } from '../nps.ts';
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
  type ReportDecision,
  type Row,
} from './report.ts';

class KpiTotals {
  customers = 0;
  active = 0;
  churned = 0;
  revenue = 0;
  offers = 0;
  accepted = 0;
  offerRevenue = 0;
  predicted = { n: 0, sum: 0, promoter: 0, passive: 0, detractor: 0 };
  measured = { n: 0, sum: 0, promoter: 0, passive: 0, detractor: 0 };
  care = 0;
  unresolved = 0;
  /** What the models behind the counted predictions learned from. */
  predictedFrom = new Set<string>();

  /** `synthetic` or `observed` when every counted prediction says the same, `mixed` otherwise. */
  predictedNpsLabels(): string | null {
    if (this.predictedFrom.size === 0) return null;
    return this.predictedFrom.size === 1 ? [...this.predictedFrom][0]! : 'mixed';
  }

  metrics(): Row {
    const nps = (x: { n: number; promoter: number; detractor: number }) =>
      x.n ? round(((x.promoter - x.detractor) / x.n) * 100, 1) : null;
    return {
      customers: this.customers,
      activeBase: this.active,
      churned: this.churned,
      churnRate: ratio(this.churned, this.active + this.churned),
      arpu: this.active ? round(this.revenue / this.active, 2) : null,
      offers: this.offers,
      accepted: this.accepted,
      offerTakeUp: ratio(this.accepted, this.offers),
      offerRevenue: round(this.offerRevenue, 2),
      predictedNpsMean: this.predicted.n ? round(this.predicted.sum / this.predicted.n, 2) : null,
      predictedNps: nps(this.predicted),
      predictedPromoters: this.predicted.promoter,
      predictedPassives: this.predicted.passive,
      predictedDetractors: this.predicted.detractor,
      surveys: this.measured.n,
      measuredNpsMean: this.measured.n ? round(this.measured.sum / this.measured.n, 2) : null,
      measuredNps: nps(this.measured),
      careContacts: this.care,
      firstContactResolution: this.care ? round(1 - this.unresolved / this.care) : null,
    };
  }
}

/**
 * Volume and value KPIs for one period: the active base and ARPU as measured now, churn, offer
 * take-up, offer revenue and surveys of the period; predicted NPS (model; each row says in
 * `predictedNpsLabels` whether the model learned from `synthetic` or `observed` answers) next to measured NPS
 * (surveys); first-contact resolution over the last 30 days. Rows by value tier, segment and
 * lifecycle stage (lifecycle.ts).
 */
export function kpiReport(ctx: ReportContext, granularity: Granularity, period: string): ReportBuilder {
  const all = new KpiTotals();
  const groups = new Map<string, KpiTotals>();
  const inPeriod = (at: string | undefined) => !!at && periodOf(at, granularity, ctx.timezone) === period;
  const group = (dimension: string, value: string) => {
    const key = `${dimension}\u0000${value}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = new KpiTotals()));
    return g;
  };
  return {
    add(c: ReportCustomer) {
      const f = stateFacts(c.state);
      const value = monthlyValue(c.record, f);
      const tier = valueTierOf(c.record ?? {}, ctx.valueTiers, f.spend30d);
      // the stage as of the report's clock; decisions keep no stage, so lifecycle rows count no offers
      const stage = lifecycleOf(c.record, ctx.now, ctx.timezone).lifecycleStage;
      const targets = [
        all,
        group('tier', tier),
        group('segment', c.record?.segment ?? 'unknown'),
        group('lifecycle', stage),
      ];
      const churnedNow = f.status === 'churned' && inPeriod(f.churn?.at);
      const predicted = c.record?.scores?.nps;
      for (const t of targets) {
        t.customers++;
        if (f.status === 'active') {
          t.active++;
          t.revenue += value;
          if (predicted) {
            t.predictedFrom.add(ctx.npsLabels?.[predicted.version] ?? 'unknown');
            t.predicted.n++;
            t.predicted.sum += predicted.score;
            t.predicted[npsClassOf(predicted.score)]++;
          }
        }
        if (churnedNow) t.churned++;
        if (f.lastNps && inPeriod(f.lastNps.at)) {
          t.measured.n++;
          t.measured.sum += f.lastNps.score;
          t.measured[npsClassOf(f.lastNps.score)]++;
        }
        t.care += f.careContacts30d;
        t.unresolved += f.unresolvedContacts30d;
      }
    },
    // take-up by the tier and segment the customer had when the decision was made
    addDecision(d: ReportDecision) {
      if (!inPeriod(d.at)) return;
      const targets = [all, group('tier', d.valueTier ?? 'unknown'), group('segment', d.segment ?? 'unknown')];
      for (const o of d.offers) {
        const accepted = o.response === 'accepted';
        const value = accepted ? (ctx.actionValues[o.actionId] ?? 0) : 0;
        for (const t of targets) {
          t.offers++;
          if (accepted) t.accepted++;
          t.offerRevenue += value;
        }
      }
    },
    snapshot(generatedAt) {
      const rows = [...groups.entries()]
        .map(([key, t]) => {
          const [dimension, value] = key.split('\u0000') as [string, string];
          return { dimension, value, ...t.metrics(), predictedNpsLabels: t.predictedNpsLabels() };
        })
        .sort((a, b) => a.dimension.localeCompare(b.dimension) || a.value.localeCompare(b.value));
      return {
        name: 'kpis',
        granularity,
        period,
        generatedAt,
        summary: all.metrics() as Record<string, number | null>,
        rows,
        chartMetric: 'activeBase',
      };
    },
  };
}
