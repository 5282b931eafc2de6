import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { documentClient } from '#adapters/dynamo/client.ts';
import { DynamoContactLedgers } from '#adapters/dynamo/contact-ledger.ts';
import { DynamoCustomerRepo } from '#adapters/dynamo/customer-repo.ts';
import { DynamoStateRepo } from '#adapters/dynamo/state-repo.ts';
import { DynamoTriggerStore } from '#adapters/dynamo/trigger-store.ts';
import { DEMO_TRIGGERS } from '#config/markets/demo-triggers.ts';
import { fixedClock } from '#domain/clock.ts';
import { applyEvents } from '#domain/customer-state.ts';
import type { ActionCatalog } from '#domain/ports/catalog.ts';
import type { ContactLedgers } from '#domain/ports/contact-ledgers.ts';
import type { CustomerStateRepo, OutboundQueue } from '#domain/ports/events.ts';
import type { CvmEvent } from '#domain/events.ts';
import type { OutboundMessage } from '#domain/triggers.ts';
import { testTables } from '../test-support/dynamo.ts';
import { anEvent } from '../test-support/event-builders.ts';
import { processEventBatch } from './process-events.ts';

const NOW = '2026-03-02T10:00:00.000Z';

/** A crash: the invocation dies here, before or after the real call. */
class Crash extends Error {}

/** Seeded so a failing run can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

function flaky<T extends object>(inner: T, chance: () => boolean): T {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        if (chance()) throw new Crash(`before ${String(prop)}`);
        const out = await value.apply(target, args);
        if (chance()) throw new Crash(`after ${String(prop)}`);
        return out;
      };
    },
  });
}

describe('the processor under faults (DynamoDB Local)', () => {
  it('ends, after redelivery, with every counter equal to the count of distinct events and each firing handed off once', async () => {
    const t = await testTables(['acme']);
    const db = documentClient({ endpoint: t.endpoint });
    const tableOf = () => t.tenantTables['acme']!;
    const triggers = new DynamoTriggerStore(db, tableOf);
    for (const trigger of DEMO_TRIGGERS) await triggers.put('acme', trigger);
    const random = rng(20260302);
    const faults = () => random() < 0.12;
    const delivered = new Map<string, number>();
    const sink: OutboundQueue = {
      send: async (ms: OutboundMessage[]) => {
        for (const m of ms) delivered.set(m.messageId, (delivered.get(m.messageId) ?? 0) + 1);
      },
    };
    const catalog: ActionCatalog = {
      get: async () => undefined,
      list: async () => [],
      put: async () => {},
      remove: async () => false,
    };
    const run = processEventBatch({
      states: flaky<CustomerStateRepo>(new DynamoStateRepo(db, tableOf), faults),
      ledgers: flaky<ContactLedgers>(new DynamoContactLedgers(db, tableOf), faults),
      outbound: flaky(sink, faults),
      triggers,
      catalog,
      clock: fixedClock(NOW),
      market: { timezone: 'Africa/Johannesburg', quietHours: { start: '20:00', end: '08:00' }, defaultLanguage: 'en' },
      stateConfig: { dedupeWindowHours: 48 },
      triggerCacheMs: 0,
    });

    const customers = ['f-1', 'f-2', 'f-3', 'f-4'];
    const profiles = new DynamoCustomerRepo(db, tableOf);
    for (const customerId of customers) {
      await profiles.save(
        'acme',
        { customerId, version: 1, createdAt: NOW, updatedAt: NOW, consent: { 'call-centre': true } },
        0,
      );
    }
    const distinct: CvmEvent[] = customers.flatMap((customerId, c) => [
      ...Array.from({ length: 3 + c }, (_, i) =>
        anEvent('network.call_dropped', {}, { customerId, now: NOW, minutesAgo: 5 + i }),
      ),
      ...Array.from({ length: 4 }, (_, i) =>
        anEvent('billing.topup', { amount: 10 }, { customerId, now: NOW, minutesAgo: 30 + i }),
      ),
      ...Array.from({ length: 2 }, (_, i) =>
        anEvent(
          'care.contact',
          { reason: 'x', channel: 'app', resolvedFirstContact: i === 0 },
          { customerId, now: NOW, minutesAgo: 90 + i },
        ),
      ),
    ]);
    // SQS delivers at least once: some events twice from the start, in random order.
    const queue = [...distinct, ...distinct.filter(() => random() < 0.3)].sort(() => random() - 0.5);
    let rounds = 0;
    let crashes = 0;
    while (queue.length > 0) {
      if (++rounds > 200) throw new Error('did not converge');
      const batch = queue.splice(0, 1 + Math.floor(random() * 12));
      const groups = [...run('acme', batch)];
      const settled = await Promise.allSettled(groups.map(([, outcome]) => outcome));
      settled.forEach((result, i) => {
        if (result.status === 'fulfilled') return;
        if (!(result.reason instanceof Crash)) throw result.reason;
        crashes++;
        const customerId = groups[i]![0];
        queue.push(...batch.filter((e) => e.customerId === customerId)); // redelivered after the visibility timeout
      });
    }
    // Leftover outboxes are handed off on the next event; one clean pass of a duplicate finishes them.
    const clean = processEventBatch({
      states: new DynamoStateRepo(db, tableOf),
      ledgers: new DynamoContactLedgers(db, tableOf),
      outbound: sink,
      triggers,
      catalog,
      clock: fixedClock(NOW),
      market: { timezone: 'Africa/Johannesburg', quietHours: { start: '20:00', end: '08:00' }, defaultLanguage: 'en' },
      stateConfig: { dedupeWindowHours: 48 },
    });
    for (const customerId of customers)
      await clean('acme', distinct.filter((e) => e.customerId === customerId).slice(0, 1)).get(customerId);

    expect(crashes).toBeGreaterThan(5);
    const repo = new DynamoStateRepo(db, tableOf);
    for (const [c, customerId] of customers.entries()) {
      const { stored } = await repo.loadForEvents('acme', customerId);
      expect(stored!.state.droppedCalls24h, customerId).toBe(3 + c);
      expect(stored!.state.topups30d, customerId).toEqual({ count: 4, amount: 40 });
      expect(stored!.state.careContacts30d, customerId).toBe(2);
      expect(stored!.state.unresolvedContacts30d, customerId).toBe(1);
      expect(stored!.outbox, customerId).toEqual([]);
    }
    // one firing per customer (the third dropped call), handed off at least once under one id
    // (senders dedupe on messageId), and in the contact ledger once
    expect(delivered.size).toBe(customers.length);
    for (const customerId of customers) {
      const agg = await profiles.load('acme', customerId);
      expect(
        agg.contacts.filter((c) => c['source'] === 'trigger'),
        customerId,
      ).toHaveLength(1);
      expect(delivered.has(agg.contacts[0]!['id'] as string)).toBe(true);
    }
  });

  it("applies a heavy sender's events once each when it crashes between any two steps of the spill to id records", async () => {
    const t = await testTables(['acme']);
    const db = documentClient({ endpoint: t.endpoint });
    const tableOf = () => t.tenantTables['acme']!;
    const random = rng(20260315);
    const faults = () => random() < 0.15;
    // a bound of 4 keys in the item: nearly every write spills, in one transaction with the state
    const stateConfig = { dedupeWindowHours: 48, maxSeenIds: 4 };
    const processor = (states: CustomerStateRepo) =>
      processEventBatch({
        states,
        outbound: { send: async () => {} },
        triggers: new DynamoTriggerStore(db, tableOf),
        catalog: { get: async () => undefined, list: async () => [], put: async () => {}, remove: async () => false },
        clock: fixedClock(NOW),
        market: {
          timezone: 'Africa/Johannesburg',
          quietHours: { start: '20:00', end: '08:00' },
          defaultLanguage: 'en',
        },
        stateConfig,
        triggerCacheMs: 0,
      });
    const run = processor(flaky<CustomerStateRepo>(new DynamoStateRepo(db, tableOf), faults));
    const customers = ['s-1', 's-2', 's-3'];
    const distinct: CvmEvent[] = customers.flatMap((customerId) =>
      Array.from({ length: 40 }, (_, i) =>
        i % 3 === 0
          ? anEvent('network.call_dropped', {}, { customerId, now: NOW, minutesAgo: 5 + i * 30 })
          : i % 3 === 1
            ? anEvent('billing.topup', { amount: 2.5 }, { customerId, now: NOW, minutesAgo: 5 + i * 30 })
            : anEvent('usage.voice', { seconds: 60 }, { customerId, now: NOW, minutesAgo: 5 + i * 30 }),
      ),
    );
    const queue = [...distinct, ...distinct.filter(() => random() < 0.3)].sort(() => random() - 0.5);
    let rounds = 0;
    let crashes = 0;
    while (queue.length > 0) {
      if (++rounds > 400) throw new Error('did not converge');
      const batch = queue.splice(0, 1 + Math.floor(random() * 12));
      const groups = [...run('acme', batch)];
      const settled = await Promise.allSettled(groups.map(([, outcome]) => outcome));
      settled.forEach((result, i) => {
        if (result.status === 'fulfilled') return;
        if (!(result.reason instanceof Crash)) throw result.reason;
        crashes++;
        queue.push(...batch.filter((e) => e.customerId === groups[i]![0]));
      });
    }
    // every copy once more, without faults: nothing changes
    const repo = new DynamoStateRepo(db, tableOf);
    const settledState = async (customerId: string) => (await repo.loadForEvents('acme', customerId)).stored!;
    const before = await Promise.all(customers.map(settledState));
    await Promise.all(processor(repo)('acme', distinct).values());

    expect(crashes).toBeGreaterThan(5);
    for (const [c, customerId] of customers.entries()) {
      const mine = distinct.filter((e) => e.customerId === customerId);
      const expected = applyEvents(undefined, mine, new Date(NOW), stateConfig).state;
      const { state, version } = await settledState(customerId);
      expect(version, customerId).toBe(before[c]!.version);
      expect(state.totals, customerId).toEqual(expected.totals);
      for (const counter of ['droppedCalls24h', 'droppedCalls7d', 'topups30d', 'voiceSeconds30d'] as const)
        expect(state[counter], `${customerId} ${counter}`).toEqual(expected[counter]);
      // each applied event's key is stored exactly once: in the item or as an id record
      const inItem = Object.values(state.ids).join('').length / 12;
      const records = await db.send(
        new QueryCommand({
          TableName: tableOf(),
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :e)',
          ExpressionAttributeValues: { ':pk': `C#${customerId}`, ':e': 'E#' },
          Select: 'COUNT',
        }),
      );
      expect(inItem + (records.Count ?? 0), customerId).toBe(mine.length);
      expect(inItem, customerId).toBeLessThanOrEqual(4);
    }
  });
});
