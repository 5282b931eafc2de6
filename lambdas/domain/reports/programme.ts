import { experimentGroup } from '../decisioning/experiments.ts';
import { npsClassOf } from '../nps.ts';
import {
  addObservation,
  meanDifference,
  noMoments,
  proportionDifference,
  type Interval,
  type Moments,
} from './intervals.ts';
import {
  monthlyValue,
  periodOf,
  round,
  stateFacts,
  type Granularity,
  type ReportBuilder,
  type ReportContext,
  type ReportCustomer,
  type ReportDecision,
  type Row,
} from './report.ts';

/** The two arms compared: the global control group and everyone else (champion and challenger). */
export const ARMS = ['control', 'others'] as const;
export type Arm = (typeof ARMS)[number];

/** The metrics compared, each with the unit its values and difference are in. */
export const PROGRAMME_METRICS = {
  churnRate: 'percent',
  arpu: 'currency',
  offerTakeUp: 'percent',
  measuredNps: 'nps',
} as const;
export type ProgrammeMetric = keyof typeof PROGRAMME_METRICS;

class ArmTotals {
  customers = 0;
  /** Active now plus churned in the period: the customers the period's rates are over. */
  base = 0;
  churned = 0;
  /** Monthly value of the active customers (ARPU). */
  value: Moments = noMoments();
  /** Surveys of the period scored +100 (promoter), 0 (passive), -100 (detractor): their mean is the NPS. */
  nps: Moments = noMoments();
  /** Customers who accepted an offer in the period (few: a set is cheap). */
  readonly takers = new Set<string>();
}

const pct = (x: number, n: number) => (n > 0 ? round((x / n) * 100, 2) : null);
const mean = (m: Moments, digits: number) => (m.n > 0 ? round(m.sum / m.n, digits) : null);

/**
 * Programme value: the whole CVM programme (every decision, trigger and campaign) against the
 * global control group, which gets no marketing at all, over one period. Per metric the control's
 * value, everyone else's, the difference (everyone else minus control) and its 95% interval
 * (intervals.ts), and the group sizes.
 *
 * Where the figures come from: the arm is the customer's experiment group (the same hash of
 * tenant, customer and experiment id that decisions and triggers use). From the profile and state
 * scan: group sizes, churn rate (churned in the period over active plus churned in the period),
 * ARPU (monthly value of the active customers, as the KPI report) and measured NPS (the surveys of
 * the period). Offer take-up, the share of the period's base that accepted any offer in the period,
 * joins the state's accepted offers (`offer.response` events: triggers, campaigns, organic
 * purchases) with the accepted responses of the period's decisions from the decision log's byDay
 * index (answers through the responses API).
 */
export function programmeReport(ctx: ReportContext, granularity: Granularity, period: string): ReportBuilder {
  const arms: Record<Arm, ArmTotals> = { control: new ArmTotals(), others: new ArmTotals() };
  const inPeriod = (at: string | undefined) => !!at && periodOf(at, granularity, ctx.timezone) === period;
  const armOf = (customerId: string): Arm =>
    ctx.experiments && experimentGroup(ctx.tenant ?? '', customerId, ctx.experiments) === 'control'
      ? 'control'
      : 'others';
  return {
    add(c: ReportCustomer) {
      const arm = arms[armOf(c.customerId)];
      const f = stateFacts(c.state);
      arm.customers++;
      const churnedNow = f.status === 'churned' && inPeriod(f.churn?.at);
      if (f.status === 'active' || churnedNow) arm.base++;
      if (churnedNow) arm.churned++;
      if (f.status === 'active') addObservation(arm.value, monthlyValue(c.record, f));
      if (f.lastNps && inPeriod(f.lastNps.at)) {
        const cls = npsClassOf(f.lastNps.score);
        addObservation(arm.nps, cls === 'promoter' ? 100 : cls === 'detractor' ? -100 : 0);
      }
      const accepted = c.state?.accepted;
      if (accepted && typeof accepted === 'object' && Object.values(accepted).some((at) => inPeriod(String(at))))
        arm.takers.add(c.customerId);
    },
    addDecision(d: ReportDecision) {
      if (inPeriod(d.at) && d.offers.some((o) => o.response === 'accepted'))
        arms[armOf(d.customerId)].takers.add(d.customerId);
    },
    snapshot(generatedAt) {
      const { control, others } = arms;
      const interval = (i: Interval | null, factor: number, digits: number) => ({
        difference: i ? round(i.difference * factor, digits) : null,
        ci95Low: i ? round(i.low * factor, digits) : null,
        ci95High: i ? round(i.high * factor, digits) : null,
      });
      const compared: Record<ProgrammeMetric, Row> = {
        churnRate: {
          control: pct(control.churned, control.base),
          others: pct(others.churned, others.base),
          ...interval(
            proportionDifference({ x: others.churned, n: others.base }, { x: control.churned, n: control.base }),
            100,
            2,
          ),
          controlN: control.base,
          othersN: others.base,
        },
        arpu: {
          control: mean(control.value, 2),
          others: mean(others.value, 2),
          ...interval(meanDifference(others.value, control.value), 1, 2),
          controlN: control.value.n,
          othersN: others.value.n,
        },
        offerTakeUp: {
          control: pct(control.takers.size, control.base),
          others: pct(others.takers.size, others.base),
          ...interval(
            proportionDifference(
              { x: others.takers.size, n: others.base },
              { x: control.takers.size, n: control.base },
            ),
            100,
            2,
          ),
          controlN: control.base,
          othersN: others.base,
        },
        measuredNps: {
          control: mean(control.nps, 1),
          others: mean(others.nps, 1),
          ...interval(meanDifference(others.nps, control.nps), 1, 1),
          controlN: control.nps.n,
          othersN: others.nps.n,
        },
      };
      const metricRows: Row[] = Object.entries(compared).map(([metric, r]) => ({
        dimension: 'metric',
        value: metric,
        unit: PROGRAMME_METRICS[metric as ProgrammeMetric],
        ...r,
      }));
      const groupRows: Row[] = ARMS.map((name) => {
        const a = arms[name];
        return {
          dimension: 'group',
          value: name,
          customers: a.customers,
          base: a.base,
          churned: a.churned,
          churnRate: compared.churnRate[name] ?? null,
          activeBase: a.value.n,
          arpu: compared.arpu[name] ?? null,
          takers: a.takers.size,
          offerTakeUp: compared.offerTakeUp[name] ?? null,
          surveys: a.nps.n,
          measuredNps: compared.measuredNps[name] ?? null,
        };
      });
      const summary: Record<string, number | null> = {
        controlCustomers: control.customers,
        othersCustomers: others.customers,
      };
      for (const [metric, r] of Object.entries(compared)) {
        summary[`${metric}Difference`] = r['difference'] as number | null;
        summary[`${metric}Ci95Low`] = r['ci95Low'] as number | null;
        summary[`${metric}Ci95High`] = r['ci95High'] as number | null;
      }
      return {
        name: 'programme',
        granularity,
        period,
        generatedAt,
        summary,
        rows: [...metricRows, ...groupRows],
        chartMetric: 'difference',
      };
    },
  };
}
