import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Action } from '#domain/action.ts';
import { fixedClock } from '#domain/clock.ts';
import { ledgerRecords } from '#domain/contact-ledger.ts';
import { DEFAULT_CONTACT_LIMITS, type ContactPolicy } from '#domain/contact-policy.ts';
import type { CustomerRecord } from '#domain/customer.ts';
import { applyEvents, type CustomerState } from '#domain/customer-state.ts';
import type { CvmEvent } from '#domain/events.ts';
import type { ActionCatalog } from '#domain/ports/catalog.ts';
import type { CustomerStateRepo, StoredState, TriggerStore } from '#domain/ports/events.ts';
import type { LedgerWrites } from '#domain/ports/contact-ledgers.ts';
import type { VolumeCounter } from '#domain/ports/decisions.ts';
import type { OutboundMessage, Trigger } from '#domain/triggers.ts';
import { demoCatalog } from '#config/markets/demo-catalog.ts';
import { DEMO_TRIGGERS } from '#config/markets/demo-triggers.ts';
import { anEvent } from '../test-support/event-builders.ts';
import { MemoryLedgers } from '../test-support/memory-ledgers.ts';
import { processCustomerEvents, totalOutcome, type ProcessPorts } from './process-events.ts';

const NOW = '2026-03-02T10:00:00.000Z';
const DAY = 86_400_000;
const market = { timezone: 'Africa/Johannesburg', quietHours: { start: '20:00', end: '08:00' }, defaultLanguage: 'en' };
const policy: ContactPolicy = { timeZone: market.timezone, quietHours: market.quietHours, ...DEFAULT_CONTACT_LIMITS };

class MemoryStates implements CustomerStateRepo {
  profiles = new Map<string, CustomerRecord | 'erased'>();
  stored = new Map<string, StoredState>();
  /** The contact ledgers a firing commits to, in the state's own atomic write. */
  readonly ledgers = new MemoryLedgers();
  writes = 0;
  /** Lose the next write race this many times (another invocation wrote first). */
  conflicts = 0;
  /** A heavy sender's id records per customer: key -> expiresAt (epoch s). */
  records = new Map<string, Map<string, number>>();
  async recordedIds(_t: string, id: string, keys: readonly string[], now: Date) {
    const mine = this.records.get(id) ?? new Map<string, number>();
    return new Set(keys.filter((k) => (mine.get(k) ?? 0) > now.getTime() / 1000));
  }
  async loadForEvents(_t: string, id: string) {
    const p = this.profiles.get(id);
    const s = this.stored.get(id);
    return {
      ...(p && p !== 'erased' ? { profile: p } : {}),
      erased: p === 'erased',
      ...(s ? { stored: structuredClone(s) } : {}),
    };
  }
  /** The household whose ledger each write's firings were committed to. */
  households: (string | undefined)[] = [];
  async saveState(
    _t: string,
    id: string,
    state: CustomerState,
    outbox: OutboundMessage[],
    expected: number,
    ledger?: LedgerWrites,
  ) {
    if (this.conflicts > 0) {
      this.conflicts--;
      return false;
    }
    this.households.push(ledger?.household?.householdId);
    if ((this.stored.get(id)?.version ?? 0) !== expected) return false;
    if (ledger && !this.ledgers.holds(ledger)) return false;
    if (ledger) this.ledgers.apply(ledger);
    // the records and the state in one atomic write, as the DynamoDB transaction does
    const { newIdRecords = [], ...kept } = state;
    const mine = this.records.get(id) ?? new Map<string, number>();
    for (const key of newIdRecords) mine.set(key, state.idRecordsUntil!);
    this.records.set(id, mine);
    this.stored.set(id, {
      state: structuredClone(kept),
      outbox: [...outbox],
      version: expected + 1,
      outboxInLedger: true,
    });
    this.writes++;
    return true;
  }
  async clearOutbox(_t: string, id: string, version: number) {
    const s = this.stored.get(id);
    if (s?.version === version) s.outbox = [];
  }
}

/** A daily cap per action, counted like the sharded counters (no idempotency on the key). */
class MemoryVolume implements VolumeCounter {
  used = new Map<string, number>();
  reservations: string[] = [];
  async reserve(_t: string, actionId: string, day: string, perDay: number, key: string) {
    this.reservations.push(key);
    const n = this.used.get(`${actionId}#${day}`) ?? 0;
    if (n >= perDay) return false;
    this.used.set(`${actionId}#${day}`, n + 1);
    return true;
  }
}

const triggerStore = (list: Trigger[]): TriggerStore => ({
  get: async () => undefined,
  list: async () => list,
  put: async () => {},
  remove: async () => false,
});
const healthCheck: Action = {
  actionId: 'care-health-check-call',
  name: 'Health check',
  kind: 'service',
  eligibility: true,
  propensity: { starting: 0.2 },
  value: 0,
  lever: 0,
  limits: { perCustomer: [] },
  treatments: {
    'call-centre': { templateKey: 'care.health-check', text: { en: 'Please call about the dropped calls' } },
  },
};
const biggerBundle: Action = {
  actionId: 'bigger-bundle-offer',
  name: 'Bigger bundle',
  kind: 'offer',
  eligibility: true,
  propensity: { starting: 0.2 },
  value: 79,
  lever: 1,
  limits: { perCustomer: [{ channel: 'sms', max: 1, days: 7 }], perDay: 100_000 },
  treatments: { sms: { templateKey: 'offer.bigger-bundle', text: { en: 'Add 5 GB for R79' } } },
};
const catalogOf = (list: Action[]): ActionCatalog => ({
  get: async (_t, id) => list.find((a) => a.actionId === id),
  list: async () => list,
  put: async () => {},
  remove: async () => false,
});

function setup(over: Partial<ProcessPorts> & { catalogActions?: Action[] } = {}) {
  const states = new MemoryStates();
  const history = states.ledgers;
  const volume = new MemoryVolume();
  const sent: OutboundMessage[] = [];
  const clock = fixedClock(NOW);
  const { catalogActions, ...ports } = over;
  const run = processCustomerEvents({
    states,
    outbound: {
      send: async (m) => {
        sent.push(...m);
      },
    },
    triggers: triggerStore(DEMO_TRIGGERS),
    catalog: catalogOf(catalogActions ?? [healthCheck, biggerBundle]),
    clock,
    market,
    stateConfig: { dedupeWindowHours: 48 },
    policy,
    ledgers: history,
    volume,
    ...ports,
  });
  return { states, history, volume, sent, run, clock };
}
const calls = (n: number, customerId = 'c-1') =>
  Array.from({ length: n }, (_, i) => anEvent('network.call_dropped', {}, { customerId, now: NOW, minutesAgo: 5 + i }));
const usage = (customerId = 'c-1', now: string | Date = NOW) =>
  anEvent('usage.data', { usedMb: 850, bundleMb: 1000 }, { customerId, now });
const texted = (customerId: string, p: { profiles: Map<string, CustomerRecord | 'erased'> }) =>
  p.profiles.set(customerId, {
    customerId,
    version: 1,
    createdAt: NOW,
    updatedAt: NOW,
    consent: { sms: true, 'call-centre': true },
    language: 'en',
  });
const smsOffer = (daysAgo: number, actionId: string) => ({
  id: `dec-${actionId}`,
  at: new Date(Date.parse(NOW) - daysAgo * DAY).toISOString(),
  channel: 'sms' as const,
  actionId,
  kind: 'offer' as const,
});

describe("processing one customer's events", () => {
  it("folds a batch into one write and hands off the firing with the catalog's treatment text", async () => {
    const { states, sent, run } = setup();
    const outcome = await run('acme', 'c-1', calls(3));
    expect(outcome).toEqual({ applied: 3, duplicates: 0, dropped: 0, messages: 1, triggersRefused: 0, refusals: {} });
    expect(states.writes).toBe(1);
    expect(sent).toEqual([
      expect.objectContaining({
        kind: 'service',
        treatment: 'care.health-check',
        text: 'Please call about the dropped calls',
        language: 'en',
      }),
    ]);
    // no limit counts this service action, so the ledger has nothing to keep and is not written
    expect(states.ledgers.commits).toBe(0);
    expect(states.ledgers.records('c-1')).toEqual([]);
    expect(states.stored.get('c-1')!.outbox).toEqual([]);
  });

  it('writes nothing for a batch of duplicates', async () => {
    const { states, run } = setup();
    const batch = calls(2);
    await run('acme', 'c-1', batch);
    expect(await run('acme', 'c-1', batch)).toMatchObject({ applied: 0, duplicates: 2, dropped: 0, messages: 0 });
    expect(states.writes).toBe(1);
  });

  it('drops the events of an erased customer', async () => {
    const { states, run } = setup();
    states.profiles.set('c-1', 'erased');
    expect(await run('acme', 'c-1', calls(3))).toMatchObject({ dropped: 3, applied: 0 });
    expect(states.stored.size).toBe(0);
  });

  it('hands off an outbox a crash left behind when the events are redelivered', async () => {
    const { states, history, sent, run } = setup();
    const failing = processCustomerEvents({
      states,
      outbound: {
        send: async () => {
          throw new Error('crash after the state write');
        },
      },
      triggers: triggerStore(DEMO_TRIGGERS),
      catalog: catalogOf([healthCheck]),
      clock: fixedClock(NOW),
      market,
      stateConfig: { dedupeWindowHours: 48 },
      policy,
      ledgers: history,
    });
    const batch = calls(3);
    await expect(failing('acme', 'c-1', batch)).rejects.toThrow('crash');
    expect(states.stored.get('c-1')!.outbox).toHaveLength(1);
    // the crashed attempt reported nothing: the firing it decided counts with the redelivery
    expect(await run('acme', 'c-1', batch)).toMatchObject({ applied: 0, duplicates: 3, messages: 1 });
    expect(sent).toHaveLength(1);
    expect(await run('acme', 'c-1', batch)).toMatchObject({ applied: 0, duplicates: 3, messages: 0 });
    expect(states.stored.get('c-1')!.outbox).toEqual([]);
  });
});

describe('exit interviews', () => {
  const exitInterview = demoCatalog.find((a) => a.actionId === 'exit-interview')!;
  const churned = (customerId: string) =>
    anEvent('customer.churned', { reason: 'price' }, { customerId, now: NOW, minutesAgo: 1 });

  it('hands a churned customer to the call centre for an exit interview, a service action with no offer in it', async () => {
    const { states, sent, run } = setup({ catalogActions: [exitInterview] });
    texted('c-1', states);
    expect(await run('acme', 'c-1', [churned('c-1')])).toMatchObject({ applied: 1, messages: 1 });
    expect(sent).toEqual([
      expect.objectContaining({
        customerId: 'c-1',
        channel: 'call-centre',
        actionId: 'exit-interview',
        kind: 'service',
        reason: { type: 'trigger', id: 'exit-interview-after-churn' },
      }),
    ]);
    // an active customer's events never ask for one
    const active = setup({ catalogActions: [exitInterview] });
    texted('c-2', active.states);
    expect(await active.run('acme', 'c-2', calls(1, 'c-2'))).toMatchObject({ messages: 0 });
  });

  it('asks no one who said no to calls: consent applies as to every firing', async () => {
    const { states, sent, run } = setup({ catalogActions: [exitInterview] });
    states.profiles.set('c-1', {
      customerId: 'c-1',
      version: 1,
      createdAt: NOW,
      updatedAt: NOW,
      consent: { 'call-centre': false },
    });
    expect(await run('acme', 'c-1', [churned('c-1')])).toMatchObject({ applied: 1, messages: 0, triggersRefused: 1 });
    expect(sent).toEqual([]);
  });
});

describe("exactly once for a customer's every event", () => {
  const heavy = { dedupeWindowHours: 48, maxSeenIds: 5 };
  const topups = (n: number, customerId = 'c-1') =>
    Array.from({ length: n }, (_, i) =>
      anEvent('billing.topup', { amount: 10 }, { customerId, now: NOW, minutesAgo: 1 + i }),
    );

  it('writes the keys beyond the in-item bound as id records with the state, so a redelivery of them changes nothing', async () => {
    const { states, run } = setup({ stateConfig: heavy });
    const batch = topups(20);
    for (let i = 0; i < batch.length; i += 4) await run('acme', 'c-1', batch.slice(i, i + 4));
    expect(states.records.get('c-1')?.size).toBe(15);
    expect(states.stored.get('c-1')!.state).not.toHaveProperty('newIdRecords');
    const writes = states.writes;
    expect(await run('acme', 'c-1', [...batch].reverse())).toMatchObject({ applied: 0, duplicates: 20 });
    expect(states.writes).toBe(writes);
    expect(states.stored.get('c-1')!.state.topups30d).toEqual({ count: 20, amount: 200 });
  });

  it('folds more than 94 events of one customer in writes of at most 94, one transaction of id records each', async () => {
    const { states, run } = setup({ stateConfig: { ...heavy, maxSeenIds: 0 } });
    const saved: number[] = [];
    const save = states.saveState.bind(states);
    states.saveState = (t, id, state, ...rest) => {
      saved.push(state.newIdRecords?.length ?? 0);
      return save(t, id, state, ...rest);
    };
    expect(await run('acme', 'c-1', topups(200))).toMatchObject({ applied: 200, duplicates: 0 });
    expect(saved).toEqual([94, 94, 12]);
    expect(states.stored.get('c-1')!.state.topups30d.count).toBe(200);
  });

  it('applies each distinct event once through any batching, redelivery and crash between steps, keys in the item or spilled', async () => {
    class Crash extends Error {}
    const kinds = [
      () => ({ type: 'billing.topup' as const, data: { amount: 10 } }),
      () => ({ type: 'usage.voice' as const, data: { seconds: 60 } }),
      () => ({ type: 'network.call_dropped' as const, data: {} }),
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(2), fc.integer({ min: 0, max: 3 * 24 * 60 })), { minLength: 1, maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        fc.integer({ min: 0, max: 8 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 50 }),
        async (specs, dupPicks, maxSeenIds, faults) => {
          const distinct = specs.map(([k, minutesAgo], i) => ({
            ...kinds[k]!(),
            eventId: `p${i}`,
            customerId: 'c-1',
            occurredAt: new Date(Date.parse(NOW) - minutesAgo * 60_000).toISOString(),
          })) as CvmEvent[];
          let fault = 0;
          const crashes = () => faults[fault++ % faults.length]! && fault < 200;
          const states = new MemoryStates();
          const history = states.ledgers;
          const flaky = new Proxy(states, {
            get(target, prop, receiver) {
              const value = Reflect.get(target, prop, receiver);
              if (typeof value !== 'function') return value;
              return async (...args: unknown[]) => {
                if (crashes()) throw new Crash(`before ${String(prop)}`);
                const out = await value.apply(target, args);
                if (crashes()) throw new Crash(`after ${String(prop)}`);
                return out;
              };
            },
          });
          const run = processCustomerEvents({
            states: flaky,
            outbound: { send: async () => {} },
            triggers: triggerStore(DEMO_TRIGGERS),
            catalog: catalogOf([healthCheck]),
            clock: fixedClock(NOW),
            market,
            stateConfig: { dedupeWindowHours: 48, maxSeenIds },
            policy,
            ledgers: history,
          });
          const queue = [...distinct, ...dupPicks.map((i) => distinct[i % distinct.length]!)];
          for (let rounds = 0; queue.length > 0; rounds++) {
            if (rounds > 500) throw new Error('did not converge');
            const batch = queue.splice(0, 1 + (rounds % 7));
            await run('acme', 'c-1', batch).catch((err) => {
              if (!(err instanceof Crash)) throw err;
              queue.push(...batch); // redelivered after the visibility timeout
            });
          }
          const expected = applyEvents(undefined, distinct, new Date(NOW), { dedupeWindowHours: 48 }).state;
          const { state } = states.stored.get('c-1')!;
          expect(state.totals).toEqual(expected.totals);
          expect(state.topups30d).toEqual(expected.topups30d);
          expect(state.voiceSeconds30d).toBe(expected.voiceSeconds30d);
          expect(state.droppedCalls24h).toBe(expected.droppedCalls24h);
          expect(state.droppedCalls7d).toBe(expected.droppedCalls7d);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('triggers under the contact policy', () => {
  it('reads the contact ledger only for a batch in which a trigger would fire', async () => {
    const { history, run } = setup();
    await run('acme', 'c-1', [anEvent('billing.topup', { amount: 10 }), ...calls(2)]);
    expect(history.reads).toBe(0);
    await run('acme', 'c-1', calls(1));
    expect(history.reads).toBe(1);
  });

  it("refuses an SMS offer once decisions used up the week's SMS contacts, counts why, and starts no cooldown", async () => {
    const { states, history, sent, run, clock } = setup();
    texted('c-1', states);
    for (const [i, id] of ['a', 'b', 'c'].entries()) history.add('c-1', smsOffer(i + 1, id));
    const outcome = await run('acme', 'c-1', [usage()]);
    expect(outcome).toMatchObject({ applied: 1, messages: 0, triggersRefused: 1, refusals: { 'channel-limit': 1 } });
    expect(sent).toEqual([]);
    expect(states.stored.get('c-1')!.state.fired['data-80-percent']).toBeUndefined();
    // once the oldest decision leaves the 7-day window, the next qualifying event fires
    clock.advance(6 * DAY + 60_000);
    expect(await run('acme', 'c-1', [usage('c-1', clock.now())])).toMatchObject({ messages: 1, triggersRefused: 0 });
    expect(sent.map((m) => m.actionId)).toEqual(['bigger-bundle-offer']);
  });

  it('suppresses the offer for 30 days after the customer declined it in a decision, or in an offer.response event', async () => {
    const { states, history, sent, run, clock } = setup();
    texted('c-1', states);
    texted('c-2', states);
    history.add('c-1', {
      ...smsOffer(12, 'bigger-bundle-offer'),
      response: 'declined',
      respondedAt: new Date(Date.parse(NOW) - 10 * DAY).toISOString(),
    });
    expect(await run('acme', 'c-1', [usage('c-1')])).toMatchObject({
      messages: 0,
      refusals: { 'declined-recently': 1 },
    });
    // a decline in the same batch as the usage that would fire counts too
    const declined = anEvent(
      'offer.response',
      { actionId: 'bigger-bundle-offer', response: 'declined' },
      { customerId: 'c-2', now: NOW, minutesAgo: 30 },
    );
    expect(await run('acme', 'c-2', [declined, usage('c-2')])).toMatchObject({
      messages: 0,
      refusals: { 'declined-recently': 1 },
    });
    expect(sent).toEqual([]);
    clock.advance(21 * DAY);
    expect(await run('acme', 'c-1', [usage('c-1', clock.now())])).toMatchObject({ messages: 1 });
    expect(await run('acme', 'c-2', [usage('c-2', clock.now())])).toMatchObject({
      messages: 0,
      refusals: { 'declined-recently': 1 },
    });
    clock.advance(10 * DAY);
    expect(await run('acme', 'c-2', [usage('c-2', clock.now())])).toMatchObject({ messages: 1 });
  });

  it("commits a household member's marketing firing to the household's ledger with the state, so the other members count it before the hand-off", async () => {
    const { states, run } = setup();
    states.profiles.set('c-1', {
      customerId: 'c-1',
      version: 1,
      createdAt: NOW,
      updatedAt: NOW,
      consent: { sms: true },
      language: 'en',
      householdId: 'h-1',
    });
    texted('c-2', states);
    await run('acme', 'c-1', [usage('c-1')]);
    await run('acme', 'c-2', [usage('c-2')]);
    expect(states.households).toEqual(['h-1', undefined]);
    expect(ledgerRecords((await states.ledgers.household('acme', 'h-1')).ledger)).toEqual([
      expect.objectContaining({ actionId: 'bigger-bundle-offer', source: 'trigger' }),
    ]);
  });

  it("takes one unit of the action's daily volume per firing, refuses once it is spent, and keeps the unit through a lost write race", async () => {
    const capped = { ...biggerBundle, limits: { perCustomer: [], perDay: 1 } };
    const { states, volume, sent, run } = setup({ catalogActions: [capped] });
    for (const id of ['v-1', 'v-2']) texted(id, states);
    states.conflicts = 1;
    expect(await run('acme', 'v-1', [usage('v-1')])).toMatchObject({ messages: 1 });
    expect(volume.reservations).toHaveLength(1);
    expect(await run('acme', 'v-2', [usage('v-2')])).toMatchObject({ messages: 0, refusals: { 'volume-cap': 1 } });
    expect(sent.map((m) => m.customerId)).toEqual(['v-1']);
  });

  it('fails the batch rather than send unchecked when it has no contact ledger to ask with', async () => {
    const { run } = setup({ ledgers: undefined });
    await expect(run('acme', 'c-1', calls(3))).rejects.toThrow(/no contact ledger/);
  });

  it("sums the outcomes of a batch's customer groups for the processor's metrics", () => {
    const one = {
      applied: 2,
      duplicates: 1,
      dropped: 0,
      messages: 1,
      triggersRefused: 2,
      refusals: { 'channel-limit': 1, 'no-consent': 1 },
    };
    const two = {
      applied: 1,
      duplicates: 0,
      dropped: 3,
      messages: 0,
      triggersRefused: 1,
      refusals: { 'channel-limit': 1 },
    };
    expect(totalOutcome([one, two])).toEqual({
      applied: 3,
      duplicates: 1,
      dropped: 3,
      messages: 1,
      triggersRefused: 3,
      refusals: { 'channel-limit': 2, 'no-consent': 1 },
    });
  });

  it('never hands off beyond a channel or the overall limit, however the events are batched, redelivered or crash', async () => {
    const tight: ContactPolicy = {
      ...policy,
      perChannel: { sms: { max: 2, days: 3 }, push: { max: 3, days: 5 }, app: { max: 3, days: 2 } },
      overall: { max: 4, days: 4 },
    };
    const rules: Trigger[] = [
      {
        triggerId: 't-sms',
        eventType: 'usage.data',
        condition: true,
        actionId: 'a-sms',
        channel: 'sms',
        cooldownHours: 0,
        priority: 50,
        enabled: true,
      },
      {
        triggerId: 't-push',
        eventType: 'usage.data',
        condition: true,
        actionId: 'a-push',
        channel: 'push',
        cooldownHours: 0,
        priority: 10,
        enabled: true,
      },
      {
        triggerId: 't-topup',
        eventType: 'billing.topup',
        condition: true,
        actionId: 'a-ret',
        channel: 'sms',
        cooldownHours: 0,
        priority: 50,
        enabled: true,
      },
      {
        triggerId: 't-drop',
        eventType: 'network.call_dropped',
        condition: true,
        actionId: 'a-app',
        channel: 'app',
        cooldownHours: 0,
        priority: 50,
        enabled: true,
      },
    ];
    const actions: Action[] = rules.map((r) => ({
      ...biggerBundle,
      actionId: r.actionId,
      kind: r.actionId === 'a-ret' ? 'retention' : 'offer',
      limits: { perCustomer: [] },
      treatments: {},
    }));
    const types = ['usage.data', 'billing.topup', 'network.call_dropped'] as const;
    const data = {
      'usage.data': { usedMb: 900, bundleMb: 1000 },
      'billing.topup': { amount: 10 },
      'network.call_dropped': {},
    };
    const step = fc.oneof(
      fc.record({
        batch: fc.array(fc.record({ type: fc.constantFrom(...types), again: fc.boolean() }), {
          minLength: 1,
          maxLength: 5,
        }),
        crash: fc.boolean(),
        minutes: fc.integer({ min: 0, max: 1440 }),
      }),
      fc.record({ decision: fc.constantFrom('sms', 'push', 'app'), minutes: fc.integer({ min: 0, max: 1440 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 40 }), async (steps) => {
        const states = new MemoryStates();
        const history = states.ledgers;
        states.profiles.set('c-1', {
          customerId: 'c-1',
          version: 1,
          createdAt: NOW,
          updatedAt: NOW,
          consent: { sms: true, push: true, app: true },
        });
        const clock = fixedClock(NOW);
        // The order contacts became known to every reader of the ledger: decisions when logged,
        // firings when written with the state (an outbox not handed off yet counts as pending).
        const known: { at: number; channel: string; fired: boolean; id: string }[] = [];
        const sent = new Set<string>();
        const save = states.saveState.bind(states);
        states.saveState = async (t, id, state, outbox, expected, ledger) => {
          const written = await save(t, id, state, outbox, expected, ledger);
          if (written)
            for (const m of outbox)
              if (!known.some((k) => k.id === m.messageId))
                known.push({ at: Date.parse(m.createdAt), channel: m.channel, fired: true, id: m.messageId });
          return written;
        };
        let crashNext = false;
        const ports = {
          states,
          triggers: triggerStore(rules),
          catalog: catalogOf(actions),
          clock,
          market,
          stateConfig: { dedupeWindowHours: 48 },
          policy: tight,
          ledgers: history,
          outbound: {
            send: async (ms: OutboundMessage[]) => {
              if (crashNext) {
                crashNext = false;
                throw new Error('crash before the hand-off');
              }
              for (const m of ms) sent.add(m.messageId);
            },
          },
        };
        const run = processCustomerEvents(ports);
        const seen: CvmEvent[] = [];
        for (const [i, s] of steps.entries()) {
          clock.advance(s.minutes * 60_000);
          const now = clock.now();
          if ('decision' in s) {
            history.add('c-1', {
              id: `d${i}`,
              at: now.toISOString(),
              channel: s.decision,
              actionId: `d${i}`,
              kind: 'offer',
            });
            known.push({ at: now.getTime(), channel: s.decision, fired: false, id: `d${i}` });
            continue;
          }
          const batch = s.batch.map((e) =>
            e.again && seen.length
              ? seen[seen.length - 1]!
              : anEvent(e.type, data[e.type] as never, { customerId: 'c-1', now, minutesAgo: 0 }),
          );
          seen.push(...batch);
          crashNext = s.crash;
          await run('acme', 'c-1', batch).catch(() => undefined);
        }
        crashNext = false;
        if (seen.length) await run('acme', 'c-1', [seen[0]!]); // a redelivery finishes any outbox left behind
        // every written firing was handed off (senders dedupe on messageId), and nothing else was
        expect([...sent].sort()).toEqual(
          known
            .filter((k) => k.fired)
            .map((k) => k.id)
            .sort(),
        );
        known.forEach((k, i) => {
          if (!k.fired) return;
          const before = known.slice(0, i + 1).filter((c) => c.at <= k.at);
          const inWindow = (days: number) => before.filter((c) => k.at - c.at < days * DAY);
          const window = tight.perChannel[k.channel as 'sms']!;
          expect(inWindow(window.days).filter((c) => c.channel === k.channel).length).toBeLessThanOrEqual(window.max);
          expect(inWindow(tight.overall!.days).length).toBeLessThanOrEqual(tight.overall!.max);
        });
      }),
      { numRuns: 150 },
    );
  });
});
