import { describe, expect, it } from 'vitest';
import type { CustomerRecord } from '../customer.ts';
import { earlyChurnZ } from './acquisition-quality.ts';
import { buildReports, reportDays } from './build.ts';
import { proportionDifference } from './intervals.ts';
import { reportChart, reportHtml, toCsv } from './render.ts';
import type { ReportContext, ReportCustomer, ReportDecision, ReportSnapshot } from './report.ts';
import { periodOf } from './report.ts';
import { xmlProblems } from './well-formed-xml.ts';

const NOW = new Date('2026-11-23T10:00:00Z');
const ctx: ReportContext = {
  now: NOW,
  timezone: 'Africa/Johannesburg',
  valueTiers: { platinum: 100, gold: 70, silver: 40 },
  actionValues: { 'bundle-upgrade-10gb': 60, 'device-upgrade': 250 },
  minFlagCount: 10,
};

/** A customer built from the few facts a scenario needs. */
function customer(
  id: string,
  o: {
    segment: string;
    monthlyCharge: number;
    tenureMonths: number;
    predictedNps?: number;
    state?: Record<string, unknown>;
  },
): ReportCustomer {
  const record: CustomerRecord = {
    customerId: id,
    version: 1,
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    segment: o.segment,
    monthlyCharge: o.monthlyCharge,
    tenureMonths: o.tenureMonths,
    ...(o.predictedNps !== undefined
      ? {
          scores: {
            nps: { score: o.predictedNps, class: 'passive', model: 'nps', version: '1', at: '2026-11-01T00:00:00Z' },
          },
        }
      : {}),
  };
  return { customerId: id, record, state: { status: 'active', ...o.state } };
}

/** Four customers whose November figures are worked out by hand in the tests below. */
const scenario: ReportCustomer[] = [
  customer('A', {
    segment: 'youth',
    monthlyCharge: 50,
    tenureMonths: 10,
    predictedNps: 9,
    state: { lastNps: { score: 10, at: '2026-11-20T09:00:00Z' }, careContacts30d: 2, unresolvedContacts30d: 0 },
  }),
  customer('B', {
    segment: 'youth',
    monthlyCharge: 80,
    tenureMonths: 3,
    state: {
      status: 'churned',
      churn: { reason: 'price', at: '2026-11-21T08:00:00Z' },
      acquisition: {
        at: '2026-11-01T08:00:00Z',
        channel: 'retail',
        tariff: 'smart',
        promotion: 'promo-x',
        dealer: 'd1',
      },
      lastNps: { score: 3, at: '2026-11-21T07:00:00Z' },
      careContacts30d: 1,
      unresolvedContacts30d: 1,
    },
  }),
  customer('C', {
    segment: 'family',
    monthlyCharge: 30,
    tenureMonths: 60,
    predictedNps: 5,
    state: {
      acquisition: { at: '2026-11-10T00:00:00Z', channel: 'online', tariff: 'smart' },
      lastOfferResponse: { actionId: 'device-upgrade', response: 'accepted', at: '2026-11-22T12:00:00Z' },
    },
  }),
  customer('D', {
    segment: 'family',
    monthlyCharge: 120,
    tenureMonths: 30,
    state: { status: 'churned', churn: { reason: 'network', at: '2026-10-15T08:00:00Z' } },
  }),
];

/** Their decisions, as the decision log's index by day has them (tier and segment as decided). */
const decisions: ReportDecision[] = [
  {
    customerId: 'A',
    at: '2026-11-22T09:00:00Z',
    channel: 'sms',
    group: 'champion',
    valueTier: 'silver',
    segment: 'youth',
    offers: [
      { actionId: 'bundle-upgrade-10gb', response: 'accepted' },
      { actionId: 'device-upgrade', response: 'declined' },
    ],
  },
  { customerId: 'C', at: '2026-11-22T10:00:00Z', channel: 'app', group: 'control', segment: 'family', offers: [] },
  { customerId: 'D', at: '2026-11-22T11:00:00Z', channel: 'sms', group: 'control', segment: 'family', offers: [] },
  // last month's decision: outside every current period
  { customerId: 'A', at: '2026-10-30T09:00:00Z', channel: 'sms', group: 'champion', offers: [{ actionId: 'x' }] },
];

const reports = buildReports(scenario, ctx, decisions);
const month = (name: string) => reports.find((r) => r.name === name && r.granularity === 'month')!;
const row = (s: ReportSnapshot, dimension: string, value: string) =>
  s.rows.find((r) => r['dimension'] === dimension && r['value'] === value);

describe('the KPI report', () => {
  it('counts the active base, November churn, ARPU and take-up as worked out by hand', () => {
    const k = month('kpis');
    expect(k.period).toBe('2026-11');
    expect(k.summary).toMatchObject({
      customers: 4,
      activeBase: 2,
      churned: 1,
      churnRate: 0.3333,
      arpu: 40,
      offers: 2,
      accepted: 1,
      offerTakeUp: 0.5,
      offerRevenue: 60,
    });
  });

  it("sets predicted NPS of the active base beside NPS measured by the month's surveys", () => {
    expect(month('kpis').summary).toMatchObject({
      predictedNpsMean: 7,
      predictedNps: 0,
      predictedPromoters: 1,
      predictedDetractors: 1,
      surveys: 2,
      measuredNpsMean: 6.5,
      measuredNps: 0,
      careContacts: 3,
      firstContactResolution: 0.6667,
    });
  });

  it('classes a predicted score as the scorer classes it on the profile: the nearest answer', () => {
    const predicted = (score: number) =>
      buildReports(
        [customer('P', { segment: 'youth', monthlyCharge: 10, tenureMonths: 1, predictedNps: score })],
        ctx,
      ).find((r) => r.name === 'kpis' && r.granularity === 'month')!.summary;
    expect(predicted(8.6)).toMatchObject({ predictedPromoters: 1, predictedPassives: 0 });
    expect(predicted(8.4)).toMatchObject({ predictedPromoters: 0, predictedPassives: 1 });
    expect(predicted(6.6)).toMatchObject({ predictedPassives: 1, predictedDetractors: 0 });
  });

  it('says beside predicted NPS whether its model learned from synthetic or observed answers', () => {
    const labelled = (npsLabels: ReportContext['npsLabels']) =>
      buildReports(scenario, { ...ctx, ...(npsLabels ? { npsLabels } : {}) }, decisions).find(
        (r) => r.name === 'kpis' && r.granularity === 'month',
      )!;
    const synthetic = labelled({ '1': 'synthetic' });
    expect(row(synthetic, 'segment', 'youth')).toMatchObject({ predictedNpsLabels: 'synthetic' });
    expect(row(labelled({ '1': 'observed' }), 'segment', 'youth')).toMatchObject({ predictedNpsLabels: 'observed' });
    // a group without a predicted NPS has nothing to label; a version nobody described is unknown
    expect(row(synthetic, 'tier', 'gold')).toMatchObject({ predictedNpsLabels: null });
    expect(row(labelled(undefined), 'segment', 'youth')).toMatchObject({ predictedNpsLabels: 'unknown' });
    expect(Object.values(synthetic.summary).every((v) => v === null || typeof v === 'number')).toBe(true);
  });

  it('splits by value tier and segment', () => {
    const k = month('kpis');
    expect(row(k, 'tier', 'gold')).toMatchObject({ customers: 1, activeBase: 0, churned: 1, churnRate: 1 });
    expect(row(k, 'tier', 'platinum')).toMatchObject({ customers: 1, activeBase: 0, churned: 0 });
    expect(row(k, 'segment', 'family')).toMatchObject({ customers: 2, activeBase: 1, arpu: 30 });
    expect(row(k, 'segment', 'youth')).toMatchObject({
      activeBase: 1,
      churned: 1,
      churnRate: 0.5,
      measuredNpsMean: 6.5,
    });
  });

  it("buckets the day in the market's time zone, not UTC", () => {
    expect(periodOf('2026-11-30T23:30:00Z', 'day', 'Africa/Johannesburg')).toBe('2026-12-01');
    expect(reports.find((r) => r.name === 'kpis' && r.granularity === 'day')!.period).toBe('2026-11-23');
  });
});

describe('the exit-reasons report', () => {
  it("lists the month's leavers by reason, tier and tenure with the monthly revenue lost", () => {
    const e = month('exit-reasons');
    expect(e.summary).toEqual({ churned: 1, monthlyRevenueLost: 80 });
    expect(row(e, 'reason', 'price')).toMatchObject({ churned: 1, share: 1, monthlyRevenueLost: 80 });
    expect(row(e, 'tier', 'gold')).toMatchObject({ churned: 1 });
    expect(row(e, 'tenure', '0-6m')).toMatchObject({ churned: 1 });
    expect(row(e, 'reason', 'network')).toBeUndefined();
  });
});

describe('the acquisition-quality report', () => {
  it("follows the month's acquisitions to early churn and revenue to date", () => {
    const a = month('acquisition-quality');
    expect(a.summary).toMatchObject({
      acquired: 2,
      churned30d: 1,
      churned90d: 1,
      churnShare90d: 0.5,
      revenueToDate: 66.75,
      baseRate90d: 0.5,
      flagged: 0,
    });
    expect(row(a, 'combination', 'retail/smart/promo-x/d1')).toMatchObject({
      acquired: 1,
      churnShare30d: 1,
      revenueToDate: 53.33,
      z: 1,
      flagged: 0,
    });
    expect(row(a, 'promotion', 'none')).toMatchObject({ acquired: 1, churned90d: 0 });
  });

  it('flags a dealer whose early churn is far above the base rate, and not a small group', () => {
    const cohort: ReportCustomer[] = [];
    const add = (i: number, dealer: string, churnAfterDays?: number) => {
      const acquiredAt = Date.parse('2026-11-01T08:00:00Z');
      cohort.push(
        customer(`x${i}`, {
          segment: 'youth',
          monthlyCharge: 40,
          tenureMonths: 0,
          state: {
            acquisition: { at: new Date(acquiredAt).toISOString(), channel: 'retail', tariff: 'smart', dealer },
            ...(churnAfterDays !== undefined
              ? {
                  status: 'churned',
                  churn: { reason: 'price', at: new Date(acquiredAt + churnAfterDays * 86_400_000).toISOString() },
                }
              : {}),
          },
        }),
      );
    };
    for (let i = 0; i < 20; i++) add(i, 'bad', i < 12 ? 5 : undefined);
    for (let i = 20; i < 100; i++) add(i, 'good', i < 28 ? 10 : undefined);
    for (let i = 100; i < 103; i++) add(i, 'tiny', 3);
    const a = buildReports(cohort, ctx).find((r) => r.name === 'acquisition-quality' && r.granularity === 'month')!;
    expect(a.summary['baseRate90d']).toBeCloseTo(23 / 103, 4);
    expect(row(a, 'dealer', 'bad')).toMatchObject({ acquired: 20, churned90d: 12, flagged: 1 });
    expect(row(a, 'dealer', 'good')).toMatchObject({ flagged: 0 });
    // three of three churned, but three customers prove nothing
    expect(row(a, 'dealer', 'tiny')).toMatchObject({ churnShare90d: 1, flagged: 0 });
    expect(earlyChurnZ(12, 20, 0.2)).toBeCloseTo(4.47, 2);
    expect(earlyChurnZ(5, 10, 0)).toBeNull();
  });
});

describe('the decisions report', () => {
  it('counts offers and responses and measures uplift of treated decisions over the control group', () => {
    const d = month('decisions');
    expect(d.summary).toMatchObject({
      decisions: 3,
      offers: 2,
      accepted: 1,
      declined: 1,
      acceptance: 0.5,
      conversionTreated: 1,
      conversionControl: 0.5,
      upliftPp: 50,
      revenue: 60,
    });
    // 1 of 1 treated against 1 of 2 control: Newcombe's interval, around the point uplift
    const i = proportionDifference({ x: 1, n: 1 }, { x: 1, n: 2 })!;
    expect(d.summary).toMatchObject({
      upliftLowPp: Math.round(i.low * 10_000) / 100,
      upliftHighPp: Math.round(i.high * 10_000) / 100,
    });
    expect(d.summary['upliftLowPp']!).toBeLessThan(50);
    expect(d.summary['upliftHighPp']!).toBeGreaterThan(50);
    expect(row(d, 'group', 'control')).toMatchObject({
      decisions: 2,
      offers: 0,
      conversionControl: 0.5,
      upliftLowPp: null,
    });
    expect(row(d, 'channel', 'sms')).toMatchObject({
      decisions: 2,
      conversionTreated: 1,
      conversionControl: 0,
      upliftPp: 100,
    });
    expect(row(d, 'action', 'bundle-upgrade-10gb')).toMatchObject({ offers: 1, accepted: 1, upliftPp: 100 });
    expect(row(d, 'action', 'device-upgrade')).toMatchObject({
      offers: 1,
      declined: 1,
      conversionControl: 0.5,
      upliftPp: -50,
    });
  });
});

describe('decisions from the decision log', () => {
  it('count take-up under the tier and segment the customer had when decided, and nothing of other months', () => {
    const k = month('kpis');
    expect(row(k, 'tier', 'silver')).toMatchObject({ offers: 2, accepted: 1, offerRevenue: 60 });
    expect(row(k, 'segment', 'youth')).toMatchObject({ offers: 2, accepted: 1 });
    expect(month('decisions').rows.some((r) => r['value'] === 'x')).toBe(false);
  });

  it("read the UTC days a month of the market's time zone can fall on, from the day before its first to tomorrow", () => {
    expect(reportDays(new Date('2026-11-03T10:00:00Z'), 'Africa/Johannesburg')).toEqual([
      '2026-10-31',
      '2026-11-01',
      '2026-11-02',
      '2026-11-03',
      '2026-11-04',
    ]);
    // 23:30 UTC on the last day of October is already November in Johannesburg
    expect(reportDays(new Date('2026-10-31T23:30:00Z'), 'Africa/Johannesburg')).toEqual(['2026-10-31', '2026-11-01']);
  });
});

describe('report outputs', () => {
  it('write CSV with a header, one line per row and quoted or neutralised cells', () => {
    const csv = toCsv([
      {
        ...month('exit-reasons'),
        columns: ['dimension', 'value', 'churned'],
        rows: [
          { dimension: 'reason', value: 'price, mostly', churned: 1 },
          { dimension: 'reason', value: '=cmd()', churned: 2 },
        ],
      },
    ]);
    expect(csv.split('\r\n')).toEqual([
      'period,dimension,value,churned',
      '2026-11,reason,"price, mostly",1',
      "2026-11,reason,'=cmd(),2",
      '',
    ]);
    const kpis = toCsv([month('kpis')]).split('\r\n');
    expect(kpis[0]).toMatch(/^period,dimension,value,customers,activeBase,churned,churnRate,arpu/);
    expect(kpis).toContain('2026-11,segment,family,2,1,0,0,30,0,0,,0,5,-100,0,0,1,0,,,0,,unknown');
  });

  it('draw an SVG bar chart that is well-formed XML with every value as text', () => {
    const svg = reportChart(month('kpis'), 'segment', 'arpu');
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('>segment: family</text>');
    expect(svg).toContain('>30</text>');
    expect(svg).toContain('>50</text>');
    const tricky = reportChart({
      ...month('kpis'),
      rows: [{ dimension: 'segment', value: '<b>&"co"', activeBase: 3 }],
    });
    expect(xmlProblems(tricky)).toEqual([]);
    expect(tricky).toContain('&lt;b&gt;&amp;&quot;co&quot;');
  });

  it('render a self-contained HTML page with charts and tables and nothing external', () => {
    const html = reportHtml(
      'demo · kpis',
      reports.filter((r) => r.granularity === 'month'),
    );
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|<link|src=|@import|url\(/);
    expect((html.match(/<svg /g) ?? []).length).toBeGreaterThanOrEqual(8);
    expect(html).toContain('<table>');
  });

  it('notice malformed XML', () => {
    expect(xmlProblems('<svg><g></svg>')).not.toEqual([]);
    expect(xmlProblems('<svg><text>a & b</text></svg>')).not.toEqual([]);
  });
});
