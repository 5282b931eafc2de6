import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { distinctEvents, shuffled } from '../test-support/event-arbitraries.ts';
import { anEvent } from '../test-support/event-builders.ts';
import {
  applyEvent,
  applyEvents,
  emptyState,
  eventKey,
  fieldsView,
  fromStored,
  hasSeen,
  keysToLookUp,
  measureState,
  stateView,
  storedStateViewOf,
  type CustomerState,
  type StoredStateView,
} from './customer-state.ts';
import type { CvmEvent } from './events.ts';
import { COUNTER_NAMES } from './state/windowed-counters.ts';

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

  it('forgets event ids once the dedupe window has passed (within 6 hours) so the state stays bounded', () => {
    const e = anEvent('usage.voice', { seconds: 30 });
    const once = applyEvent(undefined, e, NOW, config);
    const later = measureState(once, new Date(NOW.getTime() + 54 * 3_600_000), config);
    expect(hasSeen(later, e.eventId)).toBe(false);
    expect(later.ids).toEqual({});
    expect(Object.keys(emptyState(NOW).ids)).toEqual([]);
  });

  const events = distinctEvents(NOW);

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
          const order = shuffled(withDups, seed);
          // apply in several writes (as separate batches would) and compare
          let s: CustomerState | undefined;
          const size = Math.ceil(order.length / chunks);
          for (let i = 0; i < order.length; i += size) s = applyEvents(s, order.slice(i, i + size), NOW, config).state;
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
    );
    expect(view).toMatchObject({ droppedCalls24h: 0, droppedCalls7d: 1 });
    for (const hidden of ['ids', 'buckets', 'fired', 'version', 'kind']) expect(view).not.toHaveProperty(hidden);
    expect(stateView(undefined, NOW)).toEqual({});
  });
});

const at = (minutesAgo: number, now = NOW) => new Date(now.getTime() - minutesAgo * 60_000);
const epochS = (d: Date) => Math.floor(d.getTime() / 1000);
const remembered = (s: CustomerState) =>
  new Set([...Object.values(s.ids).flatMap((g) => g.match(/.{12}/g) ?? []), ...(s.newIdRecords ?? [])]);

describe('windowed counters from time buckets', () => {
  it('counts 600 voice calls of 60 s within 8 days as 36,000 s and 2,500 top-ups as 2,500', () => {
    const voice = Array.from({ length: 600 }, (_, i) =>
      anEvent('usage.voice', { seconds: 60 }, { minutesAgo: (i * 8 * days) / 600 }),
    );
    const topups = Array.from({ length: 2500 }, (_, i) =>
      anEvent('billing.topup', { amount: 5.5 }, { minutesAgo: (i * 29 * days) / 2500 }),
    );
    let s: CustomerState | undefined;
    const all = [...voice, ...topups];
    for (let i = 0; i < all.length; i += 100) s = applyEvents(s, all.slice(i, i + 100), NOW, config).state;
    expect(s!.voiceSeconds30d).toBe(36_000);
    expect(s!.topups30d).toEqual({ count: 2500, amount: 13_750 });
    expect(s!.totals).toEqual({ 'usage.voice': 600, 'billing.topup': 2500 });
  });

  it('keeps at most 24 hour buckets and 30 day buckets whatever the event rate', () => {
    const calls = Array.from({ length: 5000 }, (_, i) =>
      anEvent('network.call_dropped', {}, { minutesAgo: (i * 40 * days) / 5000 }),
    );
    const s = measureState(fold(calls), NOW, config);
    expect(Object.keys(s.buckets.h).length).toBeLessThanOrEqual(24);
    expect(Object.keys(s.buckets.d).length).toBeLessThanOrEqual(30);
    expect(s.droppedCalls7d).toBe(calls.filter((e) => Date.parse(e.occurredAt) >= Date.parse('2026-02-24')).length);
  });

  it('starts the 24-hour window on an hour edge: a call 23 h 59 min ago in the hour that left the window is not counted', () => {
    const later = new Date('2026-03-02T10:59:00Z');
    const s = fold(
      [
        anEvent('network.call_dropped', {}, { now: later, minutesAgo: 23 * hours + 58 }), // 11:01 yesterday
        anEvent('network.call_dropped', {}, { now: later, minutesAgo: 23 * hours + 59.5 }), // 10:59:30 yesterday
      ],
      later,
    );
    expect(s.droppedCalls24h).toBe(1);
    expect(s.droppedCalls7d).toBe(2);
  });

  it('puts a late event inside the window in the bucket of its own day', () => {
    const recent = fold([anEvent('usage.voice', { seconds: 30 }, { minutesAgo: 5 })]);
    const late = anEvent('usage.voice', { seconds: 45 }, { minutesAgo: 10 * days });
    const s = applyEvent(recent, late, NOW, config);
    const day = Math.floor(Date.parse(late.occurredAt) / 86_400_000);
    expect(s.buckets.d[day]?.[6]).toBe(45);
    expect(s.voiceSeconds30d).toBe(75);
  });

  it('lets an event older than the 30-day window change totals only, not the buckets', () => {
    const s = fold([anEvent('usage.voice', { seconds: 30 }, { minutesAgo: 31 * days })]);
    expect(s.buckets).toEqual({ h: {}, d: {} });
    expect(s.voiceSeconds30d).toBe(0);
    expect(s.totals['usage.voice']).toBe(1);
  });

  it('sums money in cents, so amounts add up exactly in any order', () => {
    const amounts = [0.1, 0.2, 0.3, 19.99, 0.07];
    const one = fold(amounts.map((amount) => anEvent('billing.topup', { amount })));
    const other = fold([...amounts].reverse().map((amount) => anEvent('billing.topup', { amount })));
    expect(one.topups30d).toEqual({ count: 5, amount: 20.66 });
    expect(other.topups30d).toEqual(one.topups30d);
  });
});

describe('exactly once for a heavy sender', () => {
  const small = { dedupeWindowHours: 48, maxSeenIds: 3 };

  it('keeps up to maxSeenIds keys in the item, then writes new keys as id records until a window after the last', () => {
    const five = Array.from({ length: 5 }, () => anEvent('usage.voice', { seconds: 1 }));
    const s = applyEvents(undefined, five, NOW, small).state;
    expect(Object.values(s.ids).join('')).toHaveLength(3 * 12);
    expect(s.newIdRecords).toHaveLength(2);
    expect(s.idRecordsUntil).toBe(epochS(NOW) + 48 * 3600);
    // 47 h later the item's keys are still live and records may hold live keys: new keys go there too
    const stored = { ...s, newIdRecords: [] };
    const after47h = applyEvents(stored, [anEvent('usage.voice', { seconds: 1 })], at(-47 * hours), small).state;
    expect(after47h.newIdRecords).toHaveLength(1);
    // a window after the last record everything has expired: back to the cheap path
    const quiet = at(-(47 + 49) * hours);
    const back = applyEvents({ ...after47h, newIdRecords: [] }, [anEvent('usage.voice', { seconds: 1 })], quiet, small);
    expect(back.state.idRecordsUntil).toBeUndefined();
    expect(back.state.newIdRecords).toEqual([]);
    expect(Object.values(back.state.ids).join('')).toHaveLength(12);
  });

  it('ignores an event whose key an id record holds, or that this fold already sent to one', () => {
    const e = anEvent('billing.topup', { amount: 10 });
    const base = fold([anEvent('usage.voice', { seconds: 1 })]);
    expect(applyEvent(base, e, NOW, config, new Set([eventKey(e.eventId)]))).toBe(base);
    expect(hasSeen(base, e.eventId, new Set([eventKey(e.eventId)]))).toBe(true);
    const spilled = applyEvent(emptyState(NOW), e, NOW, { ...config, maxSeenIds: 0 });
    expect(spilled.newIdRecords).toEqual([eventKey(e.eventId)]);
    expect(applyEvent(spilled, e, NOW, { ...config, maxSeenIds: 0 })).toBe(spilled);
  });

  it('looks up in id records only the keys the item does not hold, and only while records may hold live keys', () => {
    const held = anEvent('usage.voice', { seconds: 1 });
    const fresh = anEvent('usage.voice', { seconds: 1 });
    const s = fold([held]);
    expect(keysToLookUp(s, [held, fresh], NOW)).toEqual([]);
    const recording = { ...s, idRecordsUntil: epochS(NOW) + 60 };
    expect(keysToLookUp(recording, [held, fresh, fresh], NOW)).toEqual([eventKey(fresh.eventId)]);
    expect(keysToLookUp(recording, [fresh], at(-2))).toEqual([]);
  });
});

describe('an item of the layout before buckets', () => {
  const nowS = epochS(NOW);
  const m = 60;
  const old: StoredStateView = {
    asOf: NOW.toISOString(),
    seen: { [eventKey('old-1')]: nowS - 3600, [eventKey('old-2')]: nowS - 50 * 3600 },
    facts: {
      dropped: [nowS - 10 * m, nowS - 23 * 3600, nowS - 6 * 86_400, nowS - 8 * 86_400],
      topups: [
        [nowS - 2 * 86_400, 50],
        [nowS - 29 * 86_400, 29.99],
      ],
      invoices: [
        [nowS - 3 * 86_400, 120, 1],
        [nowS - 3 * 86_400, 99, 0],
      ],
      care: [
        [nowS - 3600, 0],
        [nowS - 10 * 86_400, 1],
      ],
      voice: [
        [nowS - 86_400, 60],
        [nowS - 2 * 86_400, 30],
      ],
    },
    droppedCalls24h: 2,
    droppedCalls7d: 3,
    dataUsedPct: 0,
    topups30d: { count: 2, amount: 79.99 },
    spend30d: { value: 199.99 },
    voiceSeconds30d: 90,
    careContacts30d: 2,
    unresolvedContacts30d: 1,
    status: 'active',
    messages: {},
    totals: { 'network.call_dropped': 4, 'billing.topup': 2 },
    fired: {},
  };
  const counters = {
    droppedCalls24h: 2,
    droppedCalls7d: 3,
    topups30d: { count: 2, amount: 79.99 },
    spend30d: { value: 199.99 },
    voiceSeconds30d: 90,
    careContacts30d: 2,
    unresolvedContacts30d: 1,
  };

  it('is migrated on read: its facts become buckets with the same counters, and its event ids still count as seen', () => {
    const migrated = measureState(fromStored(old), NOW, config);
    expect(migrated).toMatchObject(counters);
    expect(migrated).not.toHaveProperty('facts');
    expect(migrated).not.toHaveProperty('seen');
    expect(hasSeen(migrated, 'old-1')).toBe(true);
    expect(applyEvent(migrated, anEvent('usage.voice', { seconds: 1 }, { eventId: 'old-1' }), NOW, config)).toBe(
      migrated,
    );
    // its ids age out on the window of the time they were applied
    expect(hasSeen(measureState(migrated, at(-47 * hours), config), 'old-2')).toBe(false);
  });

  it('shows the same state in GET, without facts or buckets', () => {
    const view = stateView(old, NOW);
    expect(view).toMatchObject({ ...counters, totals: old.totals, status: 'active' });
    for (const hidden of ['facts', 'seen', 'buckets', 'ids']) expect(view).not.toHaveProperty(hidden);
  });
});

describe('the bucketed fold (properties)', () => {
  /** The counters straight from the raw events, at the bucket granularity of windowed-counters.ts. */
  function naive(events: CvmEvent[], now: Date) {
    const nowH = Math.floor(epochS(now) / 3600);
    const nowD = Math.floor(epochS(now) / 86_400);
    const inDays = (e: CvmEvent, n: number) => Math.floor(Date.parse(e.occurredAt) / 86_400_000) > nowD - n;
    const of = <T extends CvmEvent['type']>(type: T, n: number) =>
      events.filter((e): e is Extract<CvmEvent, { type: T }> => e.type === type && inDays(e, n));
    const cents = (a: number) => Math.round(a * 100);
    const topupCents = of('billing.topup', 30).reduce((n, e) => n + cents(e.data.amount), 0);
    const paidCents = of('billing.invoice', 30)
      .filter((e) => e.data.paid)
      .reduce((n, e) => n + cents(e.data.amount), 0);
    const care = of('care.contact', 30);
    return {
      droppedCalls24h: of('network.call_dropped', 30).filter(
        (e) => Math.floor(Date.parse(e.occurredAt) / 3_600_000) > nowH - 24,
      ).length,
      droppedCalls7d: of('network.call_dropped', 7).length,
      droppedCalls30d: of('network.call_dropped', 30).length,
      topups30d: { count: of('billing.topup', 30).length, amount: topupCents / 100 },
      spend30d: { value: (topupCents + paidCents) / 100 },
      voiceSeconds30d: of('usage.voice', 30).reduce((n, e) => n + e.data.seconds, 0),
      voiceCalls30d: of('usage.voice', 30).length,
      careContacts30d: care.length,
      unresolvedContacts30d: care.filter((e) => !e.data.resolvedFirstContact).length,
      complaints30d: care.filter((e) => e.data.reason.trim().toLowerCase() === 'complaint').length,
    };
  }
  const totalsOf = (events: CvmEvent[]) => {
    const out: Record<string, number> = {};
    for (const e of events) out[e.type] = (out[e.type] ?? 0) + 1;
    return out;
  };

  it('matches a naive count of the raw events, applied in any batches, order and duplication while the clock moves on, ids in the item or spilled', () => {
    fc.assert(
      fc.property(
        distinctEvents(NOW, { maxLength: 60 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        fc.array(fc.integer({ min: 0, max: 6 * 60 }), { minLength: 1, maxLength: 6 }),
        fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }),
        fc.nat(),
        (distinct, dupPicks, advances, maxSeenIds, seed) => {
          const cfg = { dedupeWindowHours: 48, ...(maxSeenIds !== undefined ? { maxSeenIds } : {}) };
          const order = shuffled([...distinct, ...dupPicks.map((i) => distinct[i % distinct.length]!)], seed);
          // one batch per clock step (at most 36 h in all: every copy inside the dedupe window)
          let s: CustomerState | undefined;
          let now = NOW;
          const size = Math.ceil(order.length / advances.length);
          advances.forEach((minutes, i) => {
            now = at(-minutes, now);
            s = applyEvents(s, order.slice(i * size, (i + 1) * size), now, cfg).state;
          });
          const measured = measureState(s!, now, cfg);
          expect(measured).toMatchObject(naive(distinct, now));
          expect(measured.totals).toEqual(totalsOf(distinct));
          expect(remembered(measured)).toEqual(new Set(distinct.map((e) => eventKey(e.eventId))));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('the state as readers take it', () => {
  it('is the stored item itself when each field is of the kind the processor writes', () => {
    const { state } = applyEvents(undefined, [anEvent('network.call_dropped', {})], NOW, config);
    const item = { ...state, kind: 'state', version: 3, outbox: [] };
    expect(storedStateViewOf(item)).toBe(item);
  });

  it('leaves out a field of another kind (it reads as missing), keeping every other attribute', () => {
    const item = { droppedCalls24h: '3', status: 'gone', unresolvedContacts30d: 1, custom: { a: 1 } };
    expect(storedStateViewOf(item)).toEqual({ unresolvedContacts30d: 1, custom: { a: 1 } });
  });

  it('has no field under a name the processor does not write (a compile error, not a silent 0)', () => {
    const view = stateView(emptyState(NOW), NOW);
    expect(view.droppedCalls24h).toBe(0);
    // @ts-expect-error: the counter is droppedCalls24h
    expect(view.droppedCalls).toBeUndefined();
  });
});

describe('a view of a few fields (what nightly scoring reads)', () => {
  const minutes = (n: number) => n * 60_000;
  /** A stored item as the scan reads it: folded some time ago, its counters as last written. */
  const bucketed = distinctEvents(NOW, { maxLength: 40 }).map(
    (events) => JSON.parse(JSON.stringify(fold(events))) as StoredStateView,
  );
  /** An item of the layout before buckets: raw facts up to 40 days old. */
  const ago = fc.integer({ min: 0, max: 40 * 86_400 }).map((s) => epochS(NOW) - s);
  const legacy = fc
    .record({
      dropped: fc.array(ago, { maxLength: 8 }),
      topups: fc.array(
        fc.tuple(
          ago,
          fc.integer({ min: 1, max: 9999 }).map((c) => c / 100),
        ),
        { maxLength: 5 },
      ),
      invoices: fc.array(
        fc.tuple(
          ago,
          fc.integer({ min: 1, max: 9999 }).map((c) => c / 100),
          fc.constantFrom(0, 1),
        ),
        {
          maxLength: 5,
        },
      ),
      care: fc.array(fc.tuple(ago, fc.constantFrom(0, 1)), { maxLength: 5 }),
      voice: fc.array(fc.tuple(ago, fc.integer({ min: 0, max: 3600 })), { maxLength: 5 }),
    })
    .map((facts): StoredStateView => ({ asOf: NOW.toISOString(), status: 'active', facts, seen: {}, totals: {} }));
  /** An item without buckets or facts: shown as stored. */
  const unbucketed = bucketed.map(({ buckets: _b, ...rest }) => rest);
  const FIELDS = [
    ...COUNTER_NAMES,
    ...['asOf', 'status', 'totals', 'lastNps', 'dataUsedPct', 'data', 'scores'],
    // bookkeeping and names the state does not have read as missing, as in the whole view
    ...['buckets', 'ids', 'facts', 'fired', 'notAField', 'constructor'],
  ];
  const pick = (view: Record<string, unknown>, fields: readonly string[]) =>
    Object.fromEntries(fields.filter((f) => Object.hasOwn(view, f)).map((f) => [f, view[f]]));

  it('gives the fields stateView gives, its windowed counters to the same bucket edge, at any later clock', () => {
    fc.assert(
      fc.property(
        fc.oneof(bucketed, legacy, unbucketed),
        fc.subarray(FIELDS),
        fc.integer({ min: 0, max: 45 * days }),
        (stored, fields, later) => {
          const now = new Date(NOW.getTime() + minutes(later));
          expect(fieldsView(fields)(stored, now)).toEqual(pick(stateView(stored, now), fields));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('gives every windowed counter stateView gives for random states', () => {
    fc.assert(
      fc.property(fc.oneof(bucketed, legacy), fc.integer({ min: 0, max: 45 * days }), (stored, later) => {
        const now = new Date(NOW.getTime() + minutes(later));
        const counters = fieldsView(COUNTER_NAMES)(stored, now);
        expect(Object.keys(counters).sort()).toEqual([...COUNTER_NAMES].sort());
        expect(counters).toEqual(pick(stateView(stored, now), COUNTER_NAMES));
      }),
      { numRuns: 300 },
    );
  });

  it('counts an event dated up to 15 minutes ahead of the clock across midnight, as the whole view does', () => {
    const beforeMidnight = new Date('2026-03-02T23:50:00Z');
    const ahead = anEvent('network.call_dropped', {}, { now: beforeMidnight, minutesAgo: -14 });
    const stored = fold([ahead], beforeMidnight);
    const counters = fieldsView(COUNTER_NAMES)(stored, beforeMidnight);
    expect(counters).toMatchObject({ droppedCalls24h: 1, droppedCalls7d: 1, droppedCalls30d: 1 });
    expect(counters).toEqual(pick(stateView(stored, beforeMidnight), COUNTER_NAMES));
  });

  it('reads only the fields asked for: a model reading two counters gets those two', () => {
    const stored = fold([
      anEvent('network.call_dropped', {}),
      anEvent('care.contact', { reason: 'complaint', channel: 'app', resolvedFirstContact: true }),
    ]);
    const view = fieldsView(['droppedCalls30d', 'complaints30d'])(stored, at(-31 * days));
    expect(view).toEqual({ droppedCalls30d: 0, complaints30d: 0 });
    expect(fieldsView(['droppedCalls30d', 'complaints30d'])(stored, NOW)).toEqual({
      droppedCalls30d: 1,
      complaints30d: 1,
    });
    expect(fieldsView(['droppedCalls30d'])(undefined, NOW)).toEqual({});
  });
});
