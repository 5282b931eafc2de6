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
  /** The action and message variant a contacted member was sent, when its treatment lists variants. */
  actionId?: string;
  variantId?: string;
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

export type GoalUplift = UpliftResult | { upliftPerCustomer: number; ci95: [number, number] };

/**
 * The members sent one message variant of an action. A variant is given at the decision, so only
 * contacted members have one: these figures are per contact, not intention to treat as the
 * treatment group's are, and the uplift against control is on that footing.
 */
export interface VariantStats extends GroupStats {
  actionId: string;
  variantId: string;
  /** Against the whole control group, on the goal's metric. */
  uplift: GoalUplift | null;
  /** Against the action's other variants together (for two, A against B), on the goal's metric. */
  vsOtherVariants: GoalUplift | null;
}

export interface PhaseReport {
  control: GroupStats;
  treatment: GroupStats;
  /** On the goal's metric: take-up -> response rate; churn -> retention rate; revenue -> revenue per customer. */
  uplift: GoalUplift | null;
  incrementalResponses: number;
  incrementalRevenue: number;
  costPerIncrementalResponse: number | null;
  /** Per message variant, when the campaign's treatments list variants; absent otherwise. */
  variants?: VariantStats[];
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

/** `a` against `b` on the goal's metric; null when either is empty. */
function goalUplift(a: MemberOutcome[], b: MemberOutcome[], goal: CampaignGoal): GoalUplift | null {
  if (!a.length || !b.length) return null;
  const count = (ms: MemberOutcome[], f: (m: MemberOutcome) => boolean) => ms.filter(f).length;
  if (goal === 'take-up')
    return compareProportions(
      { n: a.length, successes: count(a, (m) => m.responded) },
      { n: b.length, successes: count(b, (m) => m.responded) },
    );
  if (goal === 'churn')
    return compareProportions(
      { n: a.length, successes: count(a, (m) => !m.churned) },
      { n: b.length, successes: count(b, (m) => !m.churned) },
    );
  return meanDifference(a, b);
}

/** Each action's variants against the control group and against the action's other variants. */
function variantStats(t: MemberOutcome[], c: MemberOutcome[], goal: CampaignGoal): VariantStats[] {
  const byVariant = new Map<string, MemberOutcome[]>();
  for (const m of t) {
    if (m.actionId === undefined || m.variantId === undefined) continue;
    const key = `${m.actionId}\u0000${m.variantId}`;
    byVariant.set(key, [...(byVariant.get(key) ?? []), m]);
  }
  return [...byVariant.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, members]) => {
      const [actionId = '', variantId = ''] = key.split('\u0000');
      const others = t.filter((m) => m.actionId === actionId && m.variantId !== undefined && m.variantId !== variantId);
      return {
        actionId,
        variantId,
        ...groupStats(members),
        uplift: goalUplift(members, c, goal),
        vsOtherVariants: goalUplift(members, others, goal),
      };
    });
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
  const uplift = goalUplift(t, c, goal);
  const variants = variantStats(t, c, goal);
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
    ...(variants.length ? { variants } : {}),
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

const upliftCells = (u: GoalUplift | null): CsvCell[] =>
  u ? ('upliftPoints' in u ? [u.upliftPoints, ...u.ci95Points] : [u.upliftPerCustomer, ...u.ci95]) : ['', '', ''];

/**
 * The same report as CSV: one row per phase and group, then one per message variant
 * (`variant:<actionId>/<variantId>`, its uplift against control and against the other variants).
 */
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
    'vs_other_variants_points',
    'vs_other_variants_ci95_low',
    'vs_other_variants_ci95_high',
  ];
  const rows: CsvCell[][] = [];
  const entries: [string, PhaseReport][] = [...Object.entries(report.phases), ['total', report.total]] as [
    string,
    PhaseReport,
  ][];
  for (const [phase, p] of entries) {
    for (const group of ['control', 'treatment'] as const) {
      const g = p[group];
      const up = group === 'treatment' ? upliftCells(p.uplift) : ['', '', ''];
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
        '',
        '',
        '',
      ]);
    }
    for (const v of p.variants ?? []) {
      const suppressed = Object.values(v.suppressed).reduce((a, b) => a + b, 0);
      rows.push([
        phase,
        `variant:${v.actionId}/${v.variantId}`,
        v.audience,
        v.contacted,
        suppressed,
        v.failed,
        v.responded,
        v.responseRate,
        v.churned,
        v.churnRate,
        v.revenue,
        ...upliftCells(v.uplift),
        ...upliftCells(v.vsOtherVariants),
      ]);
    }
  }
  return csvOf(header, rows);
}
