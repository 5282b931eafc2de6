import { describe, expect, it } from 'vitest';
import { documentClient } from '#adapters/dynamo/client.ts';
import { DynamoCustomerRepo } from '#adapters/dynamo/customer-repo.ts';
import { DynamoStateRepo } from '#adapters/dynamo/state-repo.ts';
import { fixedClock } from '#domain/clock.ts';
import type { CvmEvent } from '#domain/events.ts';
import type { ActionCatalog } from '#domain/ports/catalog.ts';
import type { CustomerStateRepo, OutboundQueue, TriggerStore } from '#domain/ports/events.ts';
import { billed } from '../../scripts/bench/write-units.ts';
import { testTables } from '../test-support/dynamo.ts';
import { anEvent } from '../test-support/event-builders.ts';
import { irRescorer, irRows, irSubject, SUBJECT_DROPPED_CALLS } from '../test-support/ir-subject.ts';
import { getCustomer } from './customers.ts';
import { importProfiles } from './import-profiles.ts';
import { processEventBatch, type ProcessPorts } from './process-events.ts';

const NOW = '2026-12-06T10:00:00.000Z';
const NIGHTLY = '2026-12-06T02:00:00.000Z';
const TIERS = { platinum: 1e9, gold: 1e9, silver: 1e9 };
const none = { get: async () => undefined, list: async () => [], put: async () => {}, remove: async () => false };

/** Counts the state writes a processor makes: each saveState is one write request. */
function countingWrites(inner: CustomerStateRepo): { repo: CustomerStateRepo; writes: () => number } {
  let writes = 0;
  const repo: CustomerStateRepo = {
    loadForEvents: (...a) => inner.loadForEvents(...a),
    recordedIds: (...a) => inner.recordedIds(...a),
    clearOutbox: (...a) => inner.clearOutbox(...a),
    saveState: (...a) => {
      writes++;
      return inner.saveState(...a);
    },
  };
  return { repo, writes: () => writes };
}

describe('real-time re-scoring in the processor (DynamoDB Local, ir)', () => {
  it('imports state from usage, re-scores in the state write the events make anyway, and GET shows the newer score', async () => {
    const t = await testTables(['acme', 'twin']);
    const db = documentClient({ endpoint: t.endpoint });
    const tableOf = () => t.tenantTables['acme']!;
    const clock = fixedClock(NOW);
    const rescore = await irRescorer();
    const subject = irSubject(rescore, 0.6, new Date(NOW));
    const twin = { ...subject, profile: { ...subject.profile, customerId: `${subject.profile.customerId}-twin` } };
    const customers = new DynamoCustomerRepo(db, tableOf);
    const states = new DynamoStateRepo(db, tableOf);

    // the importer: profiles, and a state from each row's usage, only where none exists
    const imported = [
      subject,
      twin,
      ...irRows()
        .filter((r) => r.row !== subject.row)
        .slice(0, 3),
    ];
    const run = importProfiles({ customers, clock, states });
    const usage = new Map(imported.map((r) => [r.profile.customerId, r.usage]));
    const first = await run(
      'acme',
      imported.map((r) => r.profile),
      usage,
    );
    expect(first).toMatchObject({ written: imported.length, states: imported.length });
    expect(
      await run(
        'acme',
        imported.map((r) => r.profile),
        usage,
      ),
    ).toMatchObject({ written: 0, states: 0 });
    // a nightly score from before the events
    const stored = (await customers.load('acme', subject.profile.customerId)).record!;
    const nightly = { value: 0.01, model: 'churn', version: rescore.version, at: NIGHTLY };
    await customers.save(
      'acme',
      { ...stored, version: stored.version + 1, scores: { churn: nightly } },
      stored.version,
    );

    const ports = (statesRepo: CustomerStateRepo, withRescore: boolean): ProcessPorts => ({
      states: statesRepo,
      outbound: { send: async () => {} } satisfies OutboundQueue,
      triggers: none as TriggerStore,
      catalog: none as ActionCatalog,
      clock,
      market: { timezone: 'Asia/Tehran', quietHours: { start: '22:00', end: '08:00' }, defaultLanguage: 'fa' },
      stateConfig: { dedupeWindowHours: 48 },
      triggerCacheMs: 0,
      ...(withRescore ? { rescore } : {}),
    });
    const eventsOf = (customerId: string): CvmEvent[] => [
      ...Array.from({ length: SUBJECT_DROPPED_CALLS }, (_, i) =>
        anEvent('network.call_dropped', {}, { customerId, now: NOW, minutesAgo: 20 - i }),
      ),
      anEvent('billing.topup', { amount: 5 }, { customerId, now: NOW, minutesAgo: 3 }),
      anEvent(
        'care.contact',
        { reason: 'complaint', channel: 'call-centre', resolvedFirstContact: false },
        { customerId, now: NOW },
      ),
    ];
    // one event to a write, with and without re-scoring: the same writes, the same units
    const measure = async (customerId: string, withRescore: boolean) => {
      const metered = billed(db, t.tenantTables['twin']!);
      const counted = countingWrites(new DynamoStateRepo(metered.db, tableOf));
      const process = processEventBatch(ports(counted.repo, withRescore));
      for (const e of eventsOf(customerId)) await process('acme', [e]).get(customerId);
      return { writes: counted.writes(), units: metered.units.write };
    };
    const rescored = await measure(subject.profile.customerId, true);
    const plain = await measure(twin.profile.customerId, false);
    expect(rescored.writes).toBe(eventsOf('x').length);
    expect(rescored).toEqual(plain);

    const item = (await states.loadForEvents('acme', subject.profile.customerId)).stored!.state;
    expect(item.droppedCalls30d).toBe(subject.usage.droppedCalls + SUBJECT_DROPPED_CALLS);
    expect(item.complaints30d).toBe(1);
    expect(item.scores!.churn).toMatchObject({ model: 'churn', version: rescore.version, at: NOW });
    expect(item.scores!.churn!.value).toBeGreaterThanOrEqual(0.6);
    expect((await states.loadForEvents('acme', twin.profile.customerId)).stored!.state.scores).toBeUndefined();

    const view = await getCustomer({ customers, clock, valueTiers: TIERS })('acme', subject.profile.customerId);
    expect(view.scores!.churn).toEqual(item.scores!.churn);
    // a nightly run after the events wins again
    const later = { ...nightly, value: 0.5, at: '2026-12-06T11:00:00.000Z' };
    const now = (await customers.load('acme', subject.profile.customerId)).record!;
    await customers.save('acme', { ...now, version: now.version + 1, scores: { churn: later } }, now.version);
    const after = await getCustomer({ customers, clock, valueTiers: TIERS })('acme', subject.profile.customerId);
    expect(after.scores!.churn).toEqual(later);
  });
});
