import { describe, expect, it } from 'vitest';
import { campaignReport, campaignReportCsv, phaseReport, type MemberOutcome } from './report.ts';

const member = (over: Partial<MemberOutcome>): MemberOutcome => ({
  group: 'treatment',
  phase: 'pilot',
  contacted: false,
  responded: false,
  churned: false,
  revenue: 0,
  ...over,
});

/** 10 control (1 responds), 20 treatment (2 suppressed, 18 contacted, 6 respond, R50 each). */
const scenario: MemberOutcome[] = [
  ...Array.from({ length: 10 }, (_, i) => member({ group: 'control', responded: i === 0, revenue: i === 0 ? 50 : 0 })),
  ...Array.from({ length: 18 }, (_, i) => member({ contacted: true, responded: i < 6, revenue: i < 6 ? 50 : 0 })),
  member({ suppressedReason: 'no-consent' }),
  member({ suppressedReason: 'quiet-hours' }),
];

describe('campaign report', () => {
  it('adds up a small hand-computed scenario', () => {
    const p = phaseReport(scenario, 'take-up', 0.5);
    expect(p.control).toMatchObject({ audience: 10, responded: 1, responseRate: 0.1, revenue: 50 });
    expect(p.treatment).toMatchObject({
      audience: 20,
      contacted: 18,
      responded: 6,
      responseRate: 0.3,
      revenue: 300,
      suppressed: { 'no-consent': 1, 'quiet-hours': 1 },
    });
    // 6 responses where control's rate predicts 2: 4 incremental; revenue 300 - 5 x 20 = 200.
    expect(p.incrementalResponses).toBe(4);
    expect(p.incrementalRevenue).toBe(200);
    expect(p.costPerIncrementalResponse).toBe(2.25); // 18 contacts x 0.5 / 4
    expect(p.uplift).toMatchObject({ upliftPoints: 20 });
  });

  it('counts churn prevented as uplift in retention', () => {
    const members = [
      ...Array.from({ length: 100 }, (_, i) => member({ group: 'control', churned: i < 20 })),
      ...Array.from({ length: 100 }, (_, i) => member({ contacted: true, churned: i < 10 })),
    ];
    expect(phaseReport(members, 'churn').uplift).toMatchObject({ upliftPoints: 10 });
  });

  it('reports each phase and the total, and the same numbers as CSV', () => {
    const report = campaignReport(
      [...scenario, ...scenario.map((m) => ({ ...m, phase: 'rollout' as const }))],
      'take-up',
      ['pilot', 'rollout'],
    );
    expect(report.total.treatment.audience).toBe(40);
    const csv = campaignReportCsv(report).trim().split('\n');
    expect(csv).toHaveLength(1 + 3 * 2);
    expect(csv[2]).toMatch(/^pilot,treatment,20,18,2,0,6,0.3,0,0,300,20,/);
  });

  it('breaks the treatment down by message variant, against control and against the other variant', () => {
    const sent = (variantId: string, responded: boolean) =>
      member({ contacted: true, actionId: 'bundle', variantId, responded });
    const members = [
      ...Array.from({ length: 50 }, (_, i) => member({ group: 'control', responded: i < 5 })),
      ...Array.from({ length: 50 }, (_, i) => sent('A', i < 20)),
      ...Array.from({ length: 50 }, (_, i) => sent('B', i < 10)),
      member({ suppressedReason: 'no-consent' }),
    ];
    const p = phaseReport(members, 'take-up');
    // the treatment group as before: all 101 members, contacted or not
    expect(p.treatment).toMatchObject({ audience: 101, contacted: 100, responded: 30 });
    expect(p.variants?.map((v) => [v.variantId, v.contacted, v.responded, v.responseRate])).toEqual([
      ['A', 50, 20, 0.4],
      ['B', 50, 10, 0.2],
    ]);
    const [a, b] = p.variants!;
    expect(a?.uplift).toMatchObject({ treatmentRate: 0.4, controlRate: 0.1, upliftPoints: 30 });
    expect(a?.vsOtherVariants).toMatchObject({ treatmentRate: 0.4, controlRate: 0.2, upliftPoints: 20 });
    expect(b?.vsOtherVariants).toMatchObject({ upliftPoints: -20 });
    const [low, high] = (a!.vsOtherVariants as { ci95Points: [number, number] }).ci95Points;
    expect(low).toBeLessThan(20);
    expect(high).toBeGreaterThan(20);

    const csv = campaignReportCsv(campaignReport(members, 'take-up', ['pilot']))
      .trim()
      .split(/\r?\n/);
    expect(csv[0]).toMatch(/,vs_other_variants_points,vs_other_variants_ci95_low,vs_other_variants_ci95_high$/);
    expect(csv.find((l) => l.startsWith('pilot,variant:bundle/A,'))).toMatch(
      /^pilot,variant:bundle\/A,50,50,0,0,20,0.4,0,0,0,30,.*,20,/,
    );
    expect(csv.some((l) => l.startsWith('total,variant:bundle/B,'))).toBe(true);
  });

  it('has no variant breakdown when no member was sent a variant', () => {
    expect(phaseReport(scenario, 'take-up')).not.toHaveProperty('variants');
  });
});
