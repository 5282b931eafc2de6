import { describe, expect, it } from 'vitest';
import { experimentGroup } from '../decisioning/experiments.ts';
import { buildReports } from './build.ts';
import { proportionDifference } from './intervals.ts';
import { reportChart, toCsv } from './render.ts';
import type { ReportContext, ReportCustomer, ReportDecision, ReportSnapshot } from './report.ts';
import { xmlProblems } from './well-formed-xml.ts';

const NOW = new Date('2026-11-23T10:00:00Z');
const experiments = { id: 'global-1', controlPercent: 50, challengerPercent: 20 };
const ctx: ReportContext = {
  now: NOW,
  timezone: 'Africa/Johannesburg',
  valueTiers: { platinum: 100, gold: 70, silver: 40 },
  actionValues: {},
  tenant: 'acme',
  experiments,
};

/** The first `n` customer ids of one arm under the experiment above. */
function idsOf(control: boolean, n: number): string[] {
  const ids: string[] = [];
  for (let i = 0; ids.length < n; i++)
    if ((experimentGroup('acme', `p${i}`, experiments) === 'control') === control) ids.push(`p${i}`);
  return ids;
}
const [c0, c1, c2, c3] = idsOf(true, 4) as [string, string, string, string];
const [o0, o1, o2, o3, o4, o5] = idsOf(false, 6) as [string, string, string, string, string, string];

const customer = (id: string, monthlyCharge: number, state: Record<string, unknown> = {}): ReportCustomer => ({
  customerId: id,
  record: {
    customerId: id,
    version: 1,
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    monthlyCharge,
  },
  state: { status: 'active', ...state },
});
const churned = (at: string) => ({ status: 'churned', churn: { reason: 'price', at } });

/** Worked out by hand below: November in Johannesburg. */
const base: ReportCustomer[] = [
  customer(c0, 50, { lastNps: { score: 10, at: '2026-11-20T09:00:00Z' } }),
  customer(c1, 30, { accepted: { bundle: '2026-11-21T09:00:00Z' } }),
  customer(c2, 70, churned('2026-11-05T09:00:00Z')),
  customer(c3, 90, churned('2026-10-05T09:00:00Z')), // churned last month: not in November's base
  customer(o0, 100),
  customer(o1, 80, { lastNps: { score: 3, at: '2026-11-02T09:00:00Z' } }),
  customer(o2, 60, { accepted: { bundle: '2026-11-22T09:00:00Z' } }),
  customer(o3, 40),
  customer(o4, 10, churned('2026-11-15T09:00:00Z')),
  customer(o5, 20, { accepted: { bundle: '2026-10-22T09:00:00Z' } }), // last month's take-up
];
const decisions: ReportDecision[] = [
  {
    customerId: o0,
    at: '2026-11-22T09:00:00Z',
    channel: 'app',
    group: 'champion',
    offers: [{ actionId: 'bundle', response: 'accepted' }],
  },
  // o2 took up twice: one taker
  {
    customerId: o2,
    at: '2026-11-22T08:00:00Z',
    channel: 'app',
    group: 'champion',
    offers: [{ actionId: 'bundle', response: 'accepted' }],
  },
  {
    customerId: o3,
    at: '2026-11-22T08:00:00Z',
    channel: 'app',
    group: 'champion',
    offers: [{ actionId: 'bundle', response: 'declined' }],
  },
];

const monthOf = (c: ReportContext) =>
  buildReports(base, c, decisions).find((r) => r.name === 'programme' && r.granularity === 'month')!;
const row = (s: ReportSnapshot, dimension: string, value: string) =>
  s.rows.find((r) => r['dimension'] === dimension && r['value'] === value)!;

describe('the programme report', () => {
  const p = monthOf(ctx);

  it('sizes the global control group and everyone else and compares their churn, ARPU, take-up and NPS', () => {
    expect(p.period).toBe('2026-11');
    expect(row(p, 'group', 'control')).toMatchObject({
      customers: 4,
      base: 3,
      churned: 1,
      churnRate: 33.33,
      arpu: 40,
      takers: 1,
      offerTakeUp: 33.33,
      surveys: 1,
      measuredNps: 100,
    });
    expect(row(p, 'group', 'others')).toMatchObject({
      customers: 6,
      base: 6,
      churned: 1,
      churnRate: 16.67,
      arpu: 60,
      takers: 2,
      offerTakeUp: 33.33,
      surveys: 1,
      measuredNps: -100,
    });
    expect(row(p, 'metric', 'churnRate')).toMatchObject({
      unit: 'percent',
      difference: -16.67,
      controlN: 3,
      othersN: 6,
    });
    expect(row(p, 'metric', 'arpu')).toMatchObject({ unit: 'currency', difference: 20, controlN: 2, othersN: 5 });
    expect(row(p, 'metric', 'offerTakeUp')).toMatchObject({ difference: 0 });
    expect(row(p, 'metric', 'measuredNps')).toMatchObject({ unit: 'nps', difference: -200 });
    expect(p.summary).toMatchObject({ controlCustomers: 4, othersCustomers: 6, arpuDifference: 20 });
  });

  it('gives each difference its 95% interval, around it', () => {
    const churn = proportionDifference({ x: 1, n: 6 }, { x: 1, n: 3 })!;
    expect(row(p, 'metric', 'churnRate')).toMatchObject({
      ci95Low: Math.round(churn.low * 10_000) / 100,
      ci95High: Math.round(churn.high * 10_000) / 100,
    });
    for (const metric of ['churnRate', 'arpu', 'offerTakeUp']) {
      const r = row(p, 'metric', metric);
      expect(r['ci95Low'] as number).toBeLessThan(r['difference'] as number);
      expect(r['ci95High'] as number).toBeGreaterThan(r['difference'] as number);
    }
    // one survey a side: no variance to measure, the interval is the point
    expect(row(p, 'metric', 'measuredNps')).toMatchObject({ ci95Low: -200, ci95High: -200 });
    expect(p.summary['churnRateCi95Low']).toBe(row(p, 'metric', 'churnRate')['ci95Low']);
  });

  it('has no comparison without an experiment: everyone is "others"', () => {
    const { experiments: _e, ...none } = ctx;
    const q = monthOf(none);
    expect(row(q, 'group', 'control')).toMatchObject({ customers: 0, churnRate: null });
    expect(row(q, 'metric', 'churnRate')).toMatchObject({ difference: null, ci95Low: null, ci95High: null });
  });

  it('renders as CSV and as an SVG of the intervals', () => {
    expect(toCsv([p]).split('\n')[0]).toContain('ci95Low');
    const svg = reportChart(p, 'metric');
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg).toContain('difference and 95% interval');
    expect(svg.match(/<circle /g)).toHaveLength(4);
    expect(reportChart(p, 'group')).toContain('programme · customers');
  });
});
