import { describe, expect, it } from 'vitest';
import { decisionReport } from './decision-report.ts';
import { proportionDifference, scaled } from './intervals.ts';
import type { Acceptance, ReportContext, ReportDecision, Row } from './report.ts';
import { toCsv } from './render.ts';

const ctx: ReportContext = {
  now: new Date('2026-11-23T10:00:00Z'),
  timezone: 'Africa/Johannesburg',
  valueTiers: { platinum: 100, gold: 70, silver: 40 },
  actionValues: { bundle: 50 },
};

const decision = (
  i: number,
  group: string,
  offers: ReportDecision['offers'] = [],
): [ReportDecision, Acceptance | undefined] => [
  { customerId: `c${i}`, at: '2026-11-10T09:00:00Z', channel: 'sms', group, offers },
  undefined,
];

/**
 * 40 offers of variant A (12 accepted), 40 of variant B (4 accepted), 4 plain offers of another
 * action, and 20 control decisions of which 2 took the bundle organically.
 */
function scenario() {
  const report = decisionReport(ctx, 'month', '2026-11');
  const offer = (variantId: string, accepted: boolean) => ({
    actionId: 'bundle',
    variantId,
    response: accepted ? 'accepted' : 'ignored',
  });
  for (let i = 0; i < 40; i++) report.addDecision!(...decision(i, 'champion', [offer('A', i < 12)]));
  for (let i = 0; i < 40; i++) report.addDecision!(...decision(100 + i, 'champion', [offer('B', i < 4)]));
  for (let i = 0; i < 4; i++) report.addDecision!(...decision(200 + i, 'champion', [{ actionId: 'other' }]));
  for (let i = 0; i < 20; i++) {
    const organic = i < 2 ? { actionId: 'bundle', at: '2026-11-11T09:00:00Z' } : undefined;
    report.addDecision!(decision(300 + i, 'control')[0], organic);
  }
  return report.snapshot('2026-11-23T10:00:00Z');
}

const row = (rows: Row[], dimension: string, value: string) =>
  rows.find((r) => r['dimension'] === dimension && r['value'] === value);

describe('the decisions report per message variant', () => {
  it('counts contacts and responses of each variant and measures it against control and the other variant', () => {
    const s = scenario();
    const a = row(s.rows, 'variant', 'bundle/A');
    const b = row(s.rows, 'variant', 'bundle/B');
    expect(a).toMatchObject({ decisions: 40, offers: 40, accepted: 12, ignored: 28, acceptance: 0.3, revenue: 600 });
    expect(b).toMatchObject({ offers: 40, accepted: 4, acceptance: 0.1, revenue: 200 });
    // against control: 12/40 against the 2 of 20 control decisions that took the bundle anyway
    const vsControl = scaled(proportionDifference({ x: 12, n: 40 }, { x: 2, n: 20 }), 100, 2)!;
    expect(a).toMatchObject({ upliftPp: 20, upliftLowPp: vsControl.low, upliftHighPp: vsControl.high });
    // A against B, and B against A: the same difference turned round
    const aVsB = scaled(proportionDifference({ x: 12, n: 40 }, { x: 4, n: 40 }), 100, 2)!;
    expect(a).toMatchObject({
      vsOtherVariantsPp: 20,
      vsOtherVariantsLowPp: aVsB.low,
      vsOtherVariantsHighPp: aVsB.high,
    });
    expect(b).toMatchObject({ vsOtherVariantsPp: -20, vsOtherVariantsLowPp: -aVsB.high });
    expect(aVsB.low).toBeGreaterThan(0);
  });

  it('keeps the action, group and summary figures as they were', () => {
    const s = scenario();
    expect(row(s.rows, 'action', 'bundle')).toMatchObject({ offers: 80, accepted: 16, upliftPp: 10 });
    expect(s.summary).toMatchObject({ offers: 84, accepted: 16 });
    expect(row(s.rows, 'action', 'other')).not.toHaveProperty('vsOtherVariantsPp');
    expect(s.rows.filter((r) => r['dimension'] === 'variant')).toHaveLength(2);
  });

  it('lists the variant rows in the CSV with their comparison columns', () => {
    const lines = toCsv([scenario()]).split('\r\n');
    const header = lines[0]!.split(',');
    expect(header).toEqual(expect.arrayContaining(['vsOtherVariantsPp', 'vsOtherVariantsLowPp']));
    const a = lines.find((l) => l.includes(',variant,bundle/A,'))!.split(',');
    expect(a[header.indexOf('vsOtherVariantsPp')]).toBe('20');
  });
});
