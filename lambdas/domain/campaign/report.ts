import type { CampaignGroup, CampaignPhase } from './assignment.ts';
import { compareProportions, type UpliftResult } from './statistics.ts';
import { csvOf, type CsvCell } from '../csv.ts';

export type CampaignGoal = 'take-up' | 'churn' | 'revenue';

/** What happened to one member of a campaign, as measured after the response window. */
export interface MemberOutcome {
  group: CampaignGroup;
  phase: CampaignPhase;
  contacted: boolean;
  /** Contact policy / consent reason code when a treatment member was not contacted. */
  suppressedReason?: string;
  failed?: boolean;
  responded: boolean;
  churned: boolean;
  revenue: number;
}

export interface GroupStats {
  audience: number;
  contacted: number;
  suppressed: Record<string, number>;
  failed: number;
  responded: number;
  responseRate: number;
  churned: number;
  churnRate: number;
  revenue: number;
  revenuePerCustomer: number;
}

export interface PhaseReport {
  control: GroupStats;
  treatment: GroupStats;
  /** On the goal's metric: take-up -> response rate; churn -> retention rate; revenue -> revenue per customer. */
  uplift: UpliftResult | { upliftPerCustomer: number; ci95: [number, number] } | null;
  incrementalResponses: number;
  incrementalRevenue: number;
  costPerIncrementalResponse: number | null;
}

const r4 = (v: number) => Math.round(v * 1e4) / 1e4;
const r2 = (v: number) => Math.round(v * 100) / 100;

export function groupStats(members: MemberOutcome[]): GroupStats {
  const suppressed: Record<string, number> = {};
  let contacted = 0,
    failed = 0,
    responded = 0,
    churned = 0,
    revenue = 0;
  for (const m of members) {
    if (m.contacted) contacted++;
    if (m.suppressedReason) suppressed[m.suppressedReason] = (suppressed[m.suppressedReason] ?? 0) + 1;
    if (m.failed) failed++;
    if (m.responded) responded++;
    if (m.churned) churned++;
    revenue += m.revenue;
  }
  const n = members.length;
  return {
    audience: n,
    contacted,
    suppressed,
    failed,
    responded,
    responseRate: n ? r4(responded / n) : 0,
    churned,
    churnRate: n ? r4(churned / n) : 0,
    revenue: r2(revenue),
    revenuePerCustomer: n ? r2(revenue / n) : 0,
  };
}

function meanDifference(t: MemberOutcome[], c: MemberOutcome[]): { upliftPerCustomer: number; ci95: [number, number] } {
  const stats = (xs: number[]) => {
    const mean = xs.reduce((a, b) => a + b, 0) / Math.max(xs.length, 1);
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(xs.length - 1, 1);
    return { mean, variance, n: Math.max(xs.length, 1) };
  };
  const a = stats(t.map((m) => m.revenue));
  const b = stats(c.map((m) => m.revenue));
  const diff = a.mean - b.mean;
  const se = Math.sqrt(a.variance / a.n + b.variance / b.n);
  return { upliftPerCustomer: r2(diff), ci95: [r2(diff - 1.96 * se), r2(diff + 1.96 * se)] };
}

/**
 * Treatment against control of one phase: the whole treatment group counts, contacted or not
 * (intention to treat), so suppression by policy cannot flatter the uplift.
 */
export function phaseReport(members: MemberOutcome[], goal: CampaignGoal, costPerContact = 0): PhaseReport {
  const t = members.filter((m) => m.group === 'treatment');
  const c = members.filter((m) => m.group === 'control');
  const treatment = groupStats(t);
  const control = groupStats(c);
  let uplift: PhaseReport['uplift'] = null;
  if (t.length && c.length) {
    uplift =
      goal === 'take-up'
        ? compareProportions(
            { n: t.length, successes: treatment.responded },
            { n: c.length, successes: control.responded },
          )
        : goal === 'churn'
          ? compareProportions(
              { n: t.length, successes: t.length - treatment.churned },
              { n: c.length, successes: c.length - control.churned },
            )
          : meanDifference(t, c);
  }
  const incrementalResponses = c.length ? r2(treatment.responded - control.responseRate * t.length) : 0;
  const incrementalRevenue = c.length ? r2(treatment.revenue - control.revenuePerCustomer * t.length) : 0;
  const cost = treatment.contacted * costPerContact;
  return {
    control,
    treatment,
    uplift,
    incrementalResponses,
    incrementalRevenue,
    costPerIncrementalResponse: incrementalResponses > 0 ? r2(cost / incrementalResponses) : null,
  };
}

export interface CampaignReport {
  goal: CampaignGoal;
  phases: Partial<Record<CampaignPhase, PhaseReport>>;
  total: PhaseReport;
}

export function campaignReport(
  members: MemberOutcome[],
  goal: CampaignGoal,
  phasesRun: CampaignPhase[],
  costPerContact = 0,
): CampaignReport {
  const phases: CampaignReport['phases'] = {};
  for (const phase of phasesRun)
    phases[phase] = phaseReport(
      members.filter((m) => m.phase === phase),
      goal,
      costPerContact,
    );
  const ran = new Set(phasesRun);
  return {
    goal,
    phases,
    total: phaseReport(
      members.filter((m) => ran.has(m.phase)),
      goal,
      costPerContact,
    ),
  };
}

/** The same report as CSV: one row per phase and group. */
export function campaignReportCsv(report: CampaignReport): string {
  const header = [
    'phase',
    'group',
    'audience',
    'contacted',
    'suppressed',
    'failed',
    'responded',
    'response_rate',
    'churned',
    'churn_rate',
    'revenue',
    'uplift_points',
    'ci95_low',
    'ci95_high',
  ];
  const rows: CsvCell[][] = [];
  const entries: [string, PhaseReport][] = [...Object.entries(report.phases), ['total', report.total]] as [
    string,
    PhaseReport,
  ][];
  for (const [phase, p] of entries) {
    for (const group of ['control', 'treatment'] as const) {
      const g = p[group];
      const up =
        group === 'treatment' && p.uplift
          ? 'upliftPoints' in p.uplift
            ? [p.uplift.upliftPoints, ...p.uplift.ci95Points]
            : [p.uplift.upliftPerCustomer, ...p.uplift.ci95]
          : ['', '', ''];
      const suppressed = Object.values(g.suppressed).reduce((a, b) => a + b, 0);
      rows.push([
        phase,
        group,
        g.audience,
        g.contacted,
        suppressed,
        g.failed,
        g.responded,
        g.responseRate,
        g.churned,
        g.churnRate,
        g.revenue,
        ...up,
      ]);
    }
  }
  return csvOf(header, rows);
}
