import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AccountCost, CostLine } from './ports.ts';
import { parseBillingUnit, reconcile } from './reconcile.ts';

const account = (lines: CostLine[]): AccountCost => ({
  lines,
  currency: 'USD',
  metric: 'NetAmortizedCost',
  estimated: false,
});
const line = (billingUnit: string, amount: number, recordType = 'Usage'): CostLine => ({
  billingUnit,
  recordType,
  amount,
});
const tenants = ['consumer', 'enterprise'];

/** Every cent of a reconciliation, added up. */
const linesOf = (r: ReturnType<typeof reconcile>) =>
  [
    ...Object.values(r.ownCents),
    ...Object.values(r.shareCents),
    r.unallocatedCents,
    ...Object.values(r.sendingCents),
    ...Object.values(r.unknownTenantCents),
    ...r.others.map((o) => o.cents),
    r.unattributedCents,
  ].reduce((s, c) => s + c, 0);

describe("reconciling a month of the account's bill", () => {
  it('attributes own, shared, sending, other units and leaves the rest unattributed, to the cent', () => {
    const r = reconcile({
      cost: account([
        line('demo/prod/consumer', 100.004),
        line('demo/prod/consumer', 0.003),
        line('demo/prod/enterprise', 50.5),
        line('demo/prod/shared', 90),
        line('demo/prod/mvno', 4),
        line('demo/dev/shared', 7.25),
        line('ir/prod/consumer', 12.12),
        line('hand-tagged', 1),
        line('', 30, 'Usage'),
        line('', 5.55, 'Tax'),
        line('', -20, 'Credit'),
      ]),
      market: 'demo',
      stage: 'prod',
      tenants,
      weights: { consumer: 2, enterprise: 1 },
      sending: { consumer: 3.333, enterprise: 0 },
    });
    expect(r.totalCents).toBe(28043); // 280.427 rounded
    expect(r.ownCents).toEqual({ consumer: 10001, enterprise: 5050 });
    expect(r.sharedCents).toBe(9000);
    expect(r.shareCents).toEqual({ consumer: 6000, enterprise: 3000 });
    expect(r.sendingCents).toEqual({ consumer: 333, enterprise: 0 });
    expect(r.unknownTenantCents).toEqual({ mvno: 400 });
    expect(r.others).toEqual([
      { billingUnit: 'demo/dev/shared', market: 'demo', stage: 'dev', tenant: 'shared', cents: 725 },
      { billingUnit: 'hand-tagged', market: 'hand-tagged', stage: '', tenant: '', cents: 100 },
      { billingUnit: 'ir/prod/consumer', market: 'ir', stage: 'prod', tenant: 'consumer', cents: 1212 },
    ]);
    expect(r.untaggedByRecordType).toEqual({ Credit: -2000, Tax: 555, Usage: 3000 });
    expect(r.creditCents).toBe(-2000);
    // 15.55 untagged less 3.33 of sending
    expect(r.unattributedCents).toBe(1222);
    expect(linesOf(r)).toBe(r.totalCents);
  });

  it('keeps shared cost nobody used as unallocated, not pushed onto anyone', () => {
    const r = reconcile({
      cost: account([line('demo/prod/shared', 10)]),
      market: 'demo',
      stage: 'prod',
      tenants,
      weights: { consumer: 0, enterprise: 0 },
      sending: {},
    });
    expect(r.shareCents).toEqual({ consumer: 0, enterprise: 0 });
    expect(r.unallocatedCents).toBe(1000);
    expect(r.unattributedCents).toBe(0);
  });

  it('adds up to the total whatever the lines, weights and sends', () => {
    const unit = fc.constantFrom(
      '',
      'demo/prod/consumer',
      'demo/prod/enterprise',
      'demo/prod/shared',
      'demo/prod/x',
      'ir/dev/shared',
    );
    const cents = fc.integer({ min: -1_000_000, max: 10_000_000 }).map((c) => c / 1000);
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ billingUnit: unit, recordType: fc.constantFrom('Usage', 'Tax', 'Credit'), amount: cents }),
          { maxLength: 30 },
        ),
        fc.tuple(fc.nat(1000), fc.nat(1000)),
        fc.tuple(fc.nat(100_000), fc.nat(100_000)),
        (lines, [w1, w2], [s1, s2]) => {
          const r = reconcile({
            cost: account(lines),
            market: 'demo',
            stage: 'prod',
            tenants,
            weights: { consumer: w1, enterprise: w2 },
            sending: { consumer: s1 / 1000, enterprise: s2 / 1000 },
          });
          expect(linesOf(r)).toBe(r.totalCents);
        },
      ),
    );
  });

  it('reads a billing unit as market, stage and tenant', () => {
    expect(parseBillingUnit('demo/prod/consumer')).toEqual({ market: 'demo', stage: 'prod', tenant: 'consumer' });
    expect(parseBillingUnit('demo/prod')).toBeUndefined();
  });
});
