import { describe, expect, it } from 'vitest';
import {
  assignMember,
  campaignMessageId,
  durationSeconds,
  estimatedCostUsd,
  inAudience,
  measureMember,
  type CampaignMember,
} from './campaign.ts';
import type { CustomerRecord } from '../customer.ts';
import type { StoredStateView } from '../customer-state.ts';
import { emptyBuckets, withEvent } from '../state/windowed-counters.ts';
import { anEvent } from '../../test-support/event-builders.ts';

const member = (over: Partial<CampaignMember> = {}): CampaignMember => ({
  customerId: 'c1',
  group: 'treatment',
  phase: 'pilot',
  status: 'contacted',
  ...over,
});
const window = { from: new Date('2025-03-01T00:00:00Z'), to: new Date('2025-03-08T00:00:00Z') };
const JNB = { timeZone: 'Africa/Johannesburg' };
const t = (iso: string) => Math.floor(Date.parse(iso) / 1000);

describe('campaign rules', () => {
  it('reads ISO 8601 durations in weeks, days and time, and refuses months and junk', () => {
    expect(durationSeconds('P7D')).toBe(604_800);
    expect(durationSeconds('P1W')).toBe(604_800);
    expect(durationSeconds('PT12H30M')).toBe(45_000);
    expect(durationSeconds('P1DT1S')).toBe(86_401);
    for (const bad of ['P', 'PT', 'P1M', '7 days', 'P1Y']) expect(durationSeconds(bad), bad).toBeUndefined();
  });

  it('gives the same customer of the same campaign the same message id, and another campaign another', () => {
    expect(campaignMessageId('acme', 'c', 'x')).toBe(campaignMessageId('acme', 'c', 'x'));
    expect(campaignMessageId('acme', 'c', 'x')).not.toBe(campaignMessageId('acme', 'd', 'x'));
  });

  it('selects by a JSON Logic rule over profile, state and scores, and nobody when the rule cannot run', () => {
    const record = { customerId: 'x', tenureMonths: 6, scores: { churn: { value: 0.7 } } } as unknown as CustomerRecord;
    const rule = {
      and: [{ '>': [{ var: 'scores.churn.value' }, 0.6] }, { '<': [{ var: 'profile.tenureMonths' }, 12] }],
    };
    expect(inAudience({ audience: { rule } }, { record }, window.to, JNB)).toBe(true);
    expect(
      inAudience(
        { audience: { rule: { '==': [{ var: 'state.status' }, 'churned'] } } },
        { record, state: { status: 'churned' } },
        window.to,
        JNB,
      ),
    ).toBe(true);
    expect(inAudience({ audience: { rule: { nonsense: [1] } } }, { record }, window.to, JNB)).toBe(false);
    expect(inAudience({ audience: { customerIds: ['x'] } }, { record }, window.to, JNB)).toBe(true);
  });

  it('lets audience rules read the lifecycle signals, computed in the market time zone', () => {
    const record = { customerId: 'x', tenureMonths: 30, contractEndDate: '2025-04-30' } as unknown as CustomerRecord;
    const renewal = { '==': [{ var: 'signals.lifecycleStage' }, 'renewal'] };
    const soon = { '<=': [{ var: 'signals.daysToContractEnd' }, 60] };
    expect(inAudience({ audience: { rule: renewal } }, { record }, new Date('2025-03-12T08:00:00Z'), JNB)).toBe(true);
    expect(inAudience({ audience: { rule: soon } }, { record }, new Date('2025-03-12T08:00:00Z'), JNB)).toBe(true);
    expect(inAudience({ audience: { rule: soon } }, { record }, new Date('2025-02-12T08:00:00Z'), JNB)).toBe(false);
  });

  it('puts the members a pilot rule holds for in the pilot and everyone else in the roll-out', () => {
    const where = { '==': [{ var: 'profile.attributes.region' }, 'gauteng'] };
    const c = { campaignId: 'c1', controlGroupPercent: 20, pilot: { where, minUplift: 1 } };
    const at = (i: number, region: string) =>
      assignMember(
        'acme',
        c,
        { record: { customerId: `c-${i}`, attributes: { region } } as unknown as CustomerRecord },
        window.to,
        JNB,
      );
    const members = Array.from({ length: 200 }, (_, i) => at(i, i % 2 ? 'gauteng' : 'western-cape'));
    expect(members.every((m, i) => m.phase === (i % 2 ? 'pilot' : 'rollout'))).toBe(true);
    // each phase keeps its own control group
    for (const phase of ['pilot', 'rollout'])
      expect(members.filter((m) => m.phase === phase && m.group === 'control').length).toBeGreaterThan(5);
    // a rule that cannot run pilots nobody
    expect(at(1, 'gauteng').phase).toBe('pilot');
    expect(
      assignMember(
        'acme',
        { ...c, pilot: { where: { nonsense: [1] }, minUplift: 1 } },
        { record: { customerId: 'z' } as CustomerRecord },
        window.to,
        JNB,
      ).phase,
    ).toBe('rollout');
  });

  it('measures take-up, churn and revenue inside the response window only', () => {
    const state: StoredStateView = {
      accepted: { 'cmp-offer': '2025-03-03T10:00:00.000Z', other: '2025-03-02T10:00:00.000Z' },
      churn: { at: '2025-03-09T00:00:00.000Z', eventId: 'e-churn', reason: 'price' },
      facts: {
        topups: [
          [t('2025-02-20T00:00:00Z'), 50],
          [t('2025-03-02T00:00:00Z'), 20],
        ],
        invoices: [
          [t('2025-03-05T00:00:00Z'), 100, 1],
          [t('2025-03-06T00:00:00Z'), 40, 0],
        ],
      },
    };
    expect(measureMember(member(), ['cmp-offer'], state, {}, window)).toMatchObject({
      responded: true,
      churned: false,
      revenue: 120,
      contacted: true,
    });
    expect(measureMember(member(), ['nope'], state, {}, window).responded).toBe(false);
  });

  it("measures revenue from the state's day buckets, as the processor writes them", () => {
    const events = [
      anEvent('billing.topup', { amount: 50 }, { now: '2025-02-20T10:00:00Z' }),
      anEvent('billing.topup', { amount: 20.25 }, { now: '2025-03-02T10:00:00Z' }),
      anEvent('billing.invoice', { amount: 100, paid: true }, { now: '2025-03-05T10:00:00Z' }),
      anEvent('billing.invoice', { amount: 40, paid: false }, { now: '2025-03-06T10:00:00Z' }),
      anEvent('billing.topup', { amount: 7 }, { now: '2025-03-09T10:00:00Z' }),
    ];
    const buckets = events.reduce(
      (b, e) => withEvent(b, e, t(e.occurredAt), t('2025-03-10T00:00:00Z')),
      emptyBuckets(),
    );
    expect(measureMember(member(), ['cmp-offer'], { buckets }, {}, window).revenue).toBe(120.25);
  });

  it("counts an acceptance in the customer's contact ledger as take-up", () => {
    const accepted = { 'cmp-offer': '2025-03-02T00:00:00.000Z' };
    expect(
      measureMember(member({ group: 'control', status: 'selected' }), ['cmp-offer'], undefined, accepted, window),
    ).toMatchObject({ responded: true, contacted: false });
    expect(
      measureMember(member(), ['cmp-offer'], undefined, { 'cmp-offer': '2025-04-02T00:00:00.000Z' }, window).responded,
    ).toBe(false);
  });

  it('carries suppression and failure into the outcome', () => {
    expect(
      measureMember(member({ status: 'suppressed', reason: 'no-consent' }), [], undefined, {}, window).suppressedReason,
    ).toBe('no-consent');
    expect(measureMember(member({ status: 'failed' }), [], undefined, {}, window).failed).toBe(true);
  });

  it('carries the message variant a contacted member was sent, and none for a member not contacted', () => {
    const sent = member({ actionId: 'cmp-offer', variantId: 'B' });
    expect(measureMember(sent, ['cmp-offer'], undefined, {}, window)).toMatchObject({
      actionId: 'cmp-offer',
      variantId: 'B',
    });
    const held = member({ status: 'suppressed', reason: 'no-consent', actionId: 'cmp-offer', variantId: 'B' });
    expect(measureMember(held, ['cmp-offer'], undefined, {}, window)).not.toHaveProperty('variantId');
  });

  it('estimates a larger cost for treatment members than for control members', () => {
    expect(estimatedCostUsd(1_000_000, 0)).toBeGreaterThan(estimatedCostUsd(0, 1_000_000));
  });
});
