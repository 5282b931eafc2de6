import { describe, expect, it } from 'vitest';
import { anEvent } from '../../test-support/event-builders.ts';
import type { CustomerRecord } from '../customer.ts';
import { applyEvents } from '../customer-state.ts';
import type { CvmEvent } from '../events.ts';
import { buildReports } from './build.ts';
import type { ReportContext, ReportCustomer } from './report.ts';

const NOW = new Date('2026-11-23T10:00:00Z');
const ctx: ReportContext = {
  now: NOW,
  timezone: 'Africa/Johannesburg',
  valueTiers: { platinum: 100, gold: 70, silver: 40 },
  actionValues: {},
};
const config = { dedupeWindowHours: 48 };

const leaver = (id: string, events: CvmEvent[], over: Partial<CustomerRecord> = {}): ReportCustomer => ({
  customerId: id,
  record: {
    customerId: id,
    version: 1,
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    monthlyCharge: 50,
    tenureMonths: 20,
    ...over,
  },
  state: applyEvents(undefined, events, NOW, config).state as unknown as Record<string, unknown>,
});
const churn = (customerId: string, minutesAgo: number) =>
  anEvent('customer.churned', { reason: 'price' }, { customerId, now: NOW, minutesAgo });
const interview = (customerId: string, minutesAgo: number, destinationOperator?: string) =>
  anEvent(
    'customer.exit_interview',
    { reason: 'competitor-offer', ...(destinationOperator ? { destinationOperator } : {}), detail: 'cheaper data' },
    { customerId, now: NOW, minutesAgo },
  );

describe('exit interviews', () => {
  it("folds the latest interview's answer into the state, whatever order the events arrive in", () => {
    const events = [interview('a', 30, 'Rival Mobile'), interview('a', 10, 'Other Telco'), churn('a', 60)];
    const forward = applyEvents(undefined, events, NOW, config).state;
    const backward = applyEvents(undefined, [...events].reverse(), NOW, config).state;
    expect(forward.exitInterview).toMatchObject({
      reason: 'competitor-offer',
      destinationOperator: 'Other Telco',
      detail: 'cheaper data',
    });
    expect(backward.exitInterview).toEqual(forward.exitInterview);
    expect(forward.status).toBe('churned');
  });

  it("counts leavers by destination: the interview's operator, not given, or not interviewed since the churn", () => {
    const customers = [
      leaver('a', [churn('a', 120), interview('a', 60, 'Rival Mobile')]),
      leaver('b', [churn('b', 120), interview('b', 60, 'Rival Mobile')]),
      leaver('c', [churn('c', 120), interview('c', 60)]),
      leaver('d', [churn('d', 120)]),
      // an interview of before the latest churn belongs to an earlier one
      leaver('e', [interview('e', 300, 'Old Rival'), churn('e', 120)]),
    ];
    const report = buildReports(customers, ctx).find((r) => r.name === 'exit-reasons' && r.granularity === 'month')!;
    const destination = Object.fromEntries(
      report.rows.filter((r) => r['dimension'] === 'destination').map((r) => [r['value'], r['churned']]),
    );
    expect(destination).toEqual({ 'Rival Mobile': 2, 'not-given': 1, 'not-interviewed': 2 });
  });

  it('adds a lifecycle stage dimension to the KPI report', () => {
    const customers = [
      leaver('r', [], { contractEndDate: '2027-01-15' }),
      leaver('o', [], { contractEndDate: '2026-11-01' }),
      leaver('n', [], { tenureMonths: 1 }),
      leaver('e', []),
    ];
    const report = buildReports(customers, ctx).find((r) => r.name === 'kpis' && r.granularity === 'month')!;
    const stages = Object.fromEntries(
      report.rows.filter((r) => r['dimension'] === 'lifecycle').map((r) => [r['value'], r['customers']]),
    );
    expect(stages).toEqual({ renewal: 1, 'out-of-contract': 1, new: 1, established: 1 });
  });
});
