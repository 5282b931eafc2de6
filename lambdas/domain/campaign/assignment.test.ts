import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { campaignGroup, campaignPhase, segmentOf } from './assignment.ts';

const ids = Array.from({ length: 10_000 }, (_, i) => `2782${String(i).padStart(7, '0')}`);

describe('campaign assignment', () => {
  it('puts the configured share in control, within a point, over 10,000 customers', () => {
    const control = ids.filter((id) => campaignGroup('consumer', 'cmp-1', id, 10) === 'control').length;
    expect(Math.abs(control / 100 - 10)).toBeLessThan(1);
  });

  it('is sticky for a customer and independent between campaigns', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 20 }),
        (id) =>
          campaignGroup('t', 'c', id, 30) === campaignGroup('t', 'c', id, 30) &&
          campaignPhase('t', 'c', id, 20) === campaignPhase('t', 'c', id, 20),
      ),
    );
    const a = ids.map((id) => campaignGroup('consumer', 'cmp-a', id, 50));
    const b = ids.map((id) => campaignGroup('consumer', 'cmp-b', id, 50));
    const same = a.filter((g, i) => g === b[i]).length / ids.length;
    expect(same).toBeGreaterThan(0.47);
    expect(same).toBeLessThan(0.53);
  });

  it('draws the pilot independently of the control group, so the pilot has its own control', () => {
    const pilot = ids.filter((id) => campaignPhase('consumer', 'cmp-1', id, 20) === 'pilot');
    const pilotControl =
      pilot.filter((id) => campaignGroup('consumer', 'cmp-1', id, 10) === 'control').length / pilot.length;
    expect(Math.abs(pilot.length / 100 - 20)).toBeLessThan(1);
    expect(Math.abs(pilotControl * 100 - 10)).toBeLessThan(2);
  });

  it('spreads customers evenly over work segments', () => {
    const counts = new Array(8).fill(0);
    for (const id of ids) counts[segmentOf(id, 8)]++;
    for (const c of counts) expect(Math.abs(c - 1250)).toBeLessThan(150);
  });
});
