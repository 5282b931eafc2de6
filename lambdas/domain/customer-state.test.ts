import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anEvent } from '../test-support/event-builders.ts';
import {
  applyEvent,
  applyEvents,
  emptyState,
  hasSeen,
  measureState,
  stateView,
  type CustomerState,
} from './customer-state.ts';
import { EXIT_REASONS, type CvmEvent } from './events.ts';

const NOW = new Date('2026-03-02T10:00:00Z');
const config = { dedupeWindowHours: 48 };
const fold = (events: CvmEvent[], now = NOW): CustomerState => applyEvents(undefined, events, now, config).state;
const hours = 60;
const days = 24 * hours;

describe('rolling counters', () => {
  it('counts dropped calls in the last 24 hours and 7 days by event time', () => {
    const s = fold([
      anEvent('network.call_dropped', {}, { minutesAgo: 10 }),
      anEvent('network.call_dropped', {}, { minutesAgo: 23 * hours }),
      anEvent('network.call_dropped', {}, { minutesAgo: 25 * hours }),
      anEvent('network.call_dropped', {}, { minutesAgo: 6 * days }),
      anEvent('network.call_dropped', {}, { minutesAgo: 8 * days }),
    ]);
    expect(s.droppedCalls24h).toBe(2);
    expect(s.droppedCalls7d).toBe(4);
    expect(s.totals['network.call_dropped']).toBe(5);
  });

  it('sums top-ups and paid invoices of the last 30 days as spend', () => {
    const s = fold([
      anEvent('billing.topup', { amount: 50 }, { minutesAgo: 2 * days }),
      anEvent('billing.topup', { amount: 29.99 }, { minutesAgo: 29 * days }),
      anEvent('billing.topup', { amount: 1000 }, { minutesAgo: 31 * days }),
      anEvent('billing.invoice', { amount: 120, paid: true }, { minutesAgo: 3 * days }),
      anEvent('billing.invoice', { amount: 99, paid: false }, { minutesAgo: 3 * days }),
    ]);
    expect(s.topups30d).toEqual({ count: 2, amount: 79.99 });
    expect(s.spend30d).toEqual({ value: 199.99 });
  });

  it('counts care contacts and the unresolved ones over 30 days', () => {
    const s = fold([
      anEvent(
        'care.contact',
        { reason: 'billing', channel: 'call-centre', resolvedFirstContact: true },
        { minutesAgo: hours },
      ),
      anEvent(
        'care.contact',
        { reason: 'network', channel: 'app', resolvedFirstContact: false },
        { minutesAgo: 10 * days },
      ),
      anEvent(
        'care.contact',
        { reason: 'network', channel: 'app', resolvedFirstContact: false },
        { minutesAgo: 40 * days },
      ),
    ]);
    expect(s.careContacts30d).toBe(2);
    expect(s.unresolvedContacts30d).toBe(1);
  });

  it('keeps the latest data reading of the bundle with its percentage', () => {
    const s = fold([
      anEvent('usage.data', { usedMb: 850, bundleMb: 1000 }, { minutesAgo: 5 }),
      anEvent('usage.data', { usedMb: 400, bundleMb: 1000 }, { minutesAgo: 60 }),
    ]);
    expect(s.dataUsedPct).toBe(85);
    expect(s.data).toMatchObject({ usedMb: 850, bundleMb: 1000 });
  });

  it('lets the window slide on with the platform clock', () => {
    const s = fold([anEvent('network.call_dropped', {}, { minutesAgo: 23 * hours })]);
    expect(s.droppedCalls24h).toBe(1);
    const later = measureState(s, new Date(NOW.getTime() + 2 * 3_600_000), config);
    expect(later.droppedCalls24h).toBe(0);
    expect(later.droppedCalls7d).toBe(1);
  });
});

describe('history', () => {
  it('keeps the newest NPS, churn and acquisition whatever order they arrive in', () => {
    const s = fold([
      anEvent('survey.nps', { score: 9 }, { minutesAgo: 10 }),
      anEvent('survey.nps', { score: 2, verbatim: 'slow' }, { minutesAgo: 100 }),
      anEvent(
        'customer.acquired',
        { channel: 'retail', tariff: 'smart-50', dealer: 'd-7' },
        { minutesAgo: 400 * days },
      ),
      anEvent('customer.churned', { reason: 'competitor-offer' }, { minutesAgo: 5 }),
    ]);
    expect(s.lastNps).toMatchObject({ score: 9 });
    expect(s.churn).toMatchObject({ reason: 'competitor-offer' });
    expect(s.acquisition).toMatchObject({ channel: 'retail', dealer: 'd-7' });
    expect(s.status).toBe('churned');
  });

  it('records the delivery status of recent messages, the latest receipt winning', () => {
    const s = fold([
      anEvent('message.failed', { messageId: 'm-1' }, { minutesAgo: 2 }),
      anEvent('message.delivered', { messageId: 'm-1' }, { minutesAgo: 5 }),
      anEvent('message.delivered', { messageId: 'm-2' }, { minutesAgo: 1 }),
    ]);
    expect(s.messages['m-1']?.status).toBe('failed');
    expect(s.messages['m-2']?.status).toBe('delivered');
  });

  it('lets an event older than every window change history but no counter', () => {
    const s = fold([anEvent('billing.topup', { amount: 10 }, { minutesAgo: 90 * days })]);
    expect(s.topups30d.count).toBe(0);
    expect(s.totals['billing.topup']).toBe(1);
    expect(s.lastEventAt).toBeDefined();
  });
});

describe('exactly once', () => {
  it('ignores a duplicate inside the dedupe window, returning the very same state', () => {
    const e = anEvent('network.call_dropped', {});
    const once = applyEvent(undefined, e, NOW, config);
    expect(applyEvent(once, e, new Date(NOW.getTime() + 47 * 3_600_000), config)).toBe(once);
    expect(hasSeen(once, e.eventId)).toBe(true);
  });

  it('forgets event ids after the dedupe window so the state stays bounded', () => {
    const e = anEvent('usage.voice', { seconds: 30 });
    const once = applyEvent(undefined, e, NOW, config);
    const later = measureState(once, new Date(NOW.getTime() + 49 * 3_600_000), config);
    expect(hasSeen(later, e.eventId)).toBe(false);
    expect(Object.keys(emptyState(NOW).seen)).toEqual([]);
  });

  const anyEvent = fc.oneof(
    fc.record({ type: fc.constant('network.call_dropped' as const), data: fc.constant({}) }),
    fc.record({
      type: fc.constant('billing.topup' as const),
      data: fc.record({ amount: fc.integer({ min: 1, max: 500 }) }),
    }),
    fc.record({
      type: fc.constant('billing.invoice' as const),
      data: fc.record({ amount: fc.integer({ min: 1, max: 500 }), paid: fc.boolean() }),
    }),
    fc.record({
      type: fc.constant('care.contact' as const),
      data: fc.record({
        reason: fc.constant('x'),
        channel: fc.constant('app' as const),
        resolvedFirstContact: fc.boolean(),
      }),
    }),
    fc.record({
      type: fc.constant('usage.data' as const),
      data: fc.record({ usedMb: fc.integer({ min: 0, max: 2000 }), bundleMb: fc.integer({ min: 1, max: 2000 }) }),
    }),
    fc.record({
      type: fc.constant('usage.voice' as const),
      data: fc.record({ seconds: fc.integer({ min: 0, max: 3600 }) }),
    }),
    fc.record({
      type: fc.constant('survey.nps' as const),
      data: fc.record({ score: fc.integer({ min: 0, max: 10 }) }),
    }),
    fc.record({
      type: fc.constant('customer.churned' as const),
      data: fc.record({ reason: fc.constantFrom(...EXIT_REASONS) }),
    }),
    fc.record({
      type: fc.constant('customer.acquired' as const),
      data: fc.record({ channel: fc.constant('retail'), tariff: fc.constant('t') }),
    }),
    fc.record({
      type: fc.constantFrom('message.delivered' as const, 'message.failed' as const),
      data: fc.record({ messageId: fc.constantFrom('m1', 'm2', 'm3') }),
    }),
  );
  const events = fc
    .array(fc.tuple(anyEvent, fc.integer({ min: 0, max: 40 * 24 * 60 })), { minLength: 1, maxLength: 30 })
    .map((list) =>
      list.map(
        ([e, minutesAgo], i) =>
          ({
            ...e,
            eventId: `e${i}`,
            customerId: 'c',
            occurredAt: new Date(NOW.getTime() - minutesAgo * 60_000).toISOString(),
          }) as CvmEvent,
      ),
    );

  it('gives any interleaving and duplication of a set of events the state of applying each once', () => {
    fc.assert(
      fc.property(
        events,
        fc.array(fc.nat(), { maxLength: 30 }),
        fc.integer({ min: 1, max: 5 }),
        fc.nat(),
        (distinct, dupPicks, chunks, seed) => {
          const expected = fold(distinct);
          const withDups = [...distinct, ...dupPicks.map((i) => distinct[i % distinct.length]!)];
          const shuffled = fc.sample(
            fc.shuffledSubarray(withDups, { minLength: withDups.length, maxLength: withDups.length }),
            { numRuns: 1, seed },
          )[0]!;
          // apply in several writes (as separate batches would) and compare
          let s: CustomerState | undefined;
          const size = Math.ceil(shuffled.length / chunks);
          for (let i = 0; i < shuffled.length; i += size)
            s = applyEvents(s, shuffled.slice(i, i + size), NOW, config).state;
          expect(s).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('the state as GET shows it', () => {
  it('re-measures the windows at read time and leaves the bookkeeping out', () => {
    const s = fold([anEvent('network.call_dropped', {}, { minutesAgo: 23 * hours })]);
    const view = stateView(
      { ...s, version: 3, kind: 'state' } as unknown as Record<string, unknown>,
      new Date(NOW.getTime() + 2 * 3_600_000),
      config,
    );
    expect(view).toMatchObject({ droppedCalls24h: 0, droppedCalls7d: 1 });
    for (const hidden of ['seen', 'facts', 'fired', 'version', 'kind']) expect(view).not.toHaveProperty(hidden);
    expect(stateView(undefined, NOW, config)).toEqual({});
  });
});
