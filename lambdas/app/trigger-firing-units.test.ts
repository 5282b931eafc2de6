import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '#adapters/dynamo/client.ts';
import { DynamoContactLedgers } from '#adapters/dynamo/contact-ledger.ts';
import { DynamoCustomerRepo } from '#adapters/dynamo/customer-repo.ts';
import { DynamoStateRepo } from '#adapters/dynamo/state-repo.ts';
import { DynamoVolumeCounter } from '#adapters/dynamo/volume-counter.ts';
import type { Action } from '#domain/action.ts';
import { fixedClock } from '#domain/clock.ts';
import { customerBounds, emptyLedger, withContacts, type LedgerContact } from '#domain/contact-ledger.ts';
import { DEFAULT_CONTACT_LIMITS } from '#domain/contact-policy.ts';
import type { ActionCatalog } from '#domain/ports/catalog.ts';
import type { TriggerStore } from '#domain/ports/events.ts';
import type { Trigger } from '#domain/triggers.ts';
import { demoCatalog } from '#config/markets/demo-catalog.ts';
import { DEMO_TRIGGERS } from '#config/markets/demo-triggers.ts';
import { testTables } from '../test-support/dynamo.ts';
import { anEvent } from '../test-support/event-builders.ts';
import { processCustomerEvents } from './process-events.ts';

/**
 * What a firing costs in DynamoDB round trips and capacity on DynamoDB Local, the policy included:
 * every call the processor makes is counted with the units it reports.
 */
const NOW = '2026-03-02T10:00:00.000Z';
const TENANT = 'acme';

interface Call {
  command: string;
  units: number;
}

/** The document client with every `send` counted (and asked for its consumed capacity). */
function counted(db: DynamoDBDocumentClient, calls: Call[]): DynamoDBDocumentClient {
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop !== 'send') return Reflect.get(target, prop, receiver);
      return async (command: { input: Record<string, unknown>; constructor: { name: string } }) => {
        command.input['ReturnConsumedCapacity'] ??= 'TOTAL';
        const out = (await target.send(command as never)) as {
          ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[];
        };
        const consumed = Array.isArray(out.ConsumedCapacity)
          ? out.ConsumedCapacity
          : out.ConsumedCapacity
            ? [out.ConsumedCapacity]
            : [];
        calls.push({
          command: command.constructor.name.replace(/Command$/, ''),
          units: consumed.reduce((s, c) => s + (c.CapacityUnits ?? 0), 0),
        });
        return out;
      };
    },
  });
}

const summary = (calls: Call[]) => {
  const out: Record<string, { calls: number; units: number }> = {};
  for (const c of calls) {
    const s = (out[c.command] ??= { calls: 0, units: 0 });
    s.calls++;
    s.units += c.units;
  }
  return out;
};

let run: ReturnType<typeof processCustomerEvents>;
const calls: Call[] = [];

beforeAll(async () => {
  const t = await testTables([TENANT]);
  const tableOf = () => t.tenantTables[TENANT]!;
  const db = counted(documentClient({ endpoint: t.endpoint }), calls);
  const actions: Action[] = demoCatalog.filter((a) =>
    ['bigger-bundle-offer', 'care-health-check-call'].includes(a.actionId),
  );
  const catalog: ActionCatalog = {
    get: async (_t, id) => actions.find((a) => a.actionId === id),
    list: async () => actions,
    put: async () => {},
    remove: async () => false,
  };
  const triggers: TriggerStore = {
    get: async () => undefined,
    list: async () => DEMO_TRIGGERS as Trigger[],
    put: async () => {},
    remove: async () => false,
  };
  const market = {
    timezone: 'Africa/Johannesburg',
    quietHours: { start: '20:00', end: '08:00' },
    defaultLanguage: 'en',
  };
  run = processCustomerEvents({
    states: new DynamoStateRepo(db, tableOf),
    ledgers: new DynamoContactLedgers(db, tableOf),
    volume: new DynamoVolumeCounter(db, tableOf),
    outbound: { send: async () => {} },
    triggers,
    catalog,
    clock: fixedClock(NOW),
    market,
    stateConfig: { dedupeWindowHours: 48 },
    policy: { timeZone: market.timezone, quietHours: market.quietHours, ...DEFAULT_CONTACT_LIMITS },
  });
  const profiles = new DynamoCustomerRepo(documentClient({ endpoint: t.endpoint }), tableOf);
  const ledgers = new DynamoContactLedgers(documentClient({ endpoint: t.endpoint }), tableOf);
  const policy = { timeZone: market.timezone, quietHours: market.quietHours, ...DEFAULT_CONTACT_LIMITS };
  const decision = (id: string, at: string, channel: 'app' | 'sms', actionId: string): LedgerContact => ({
    id,
    at,
    channel,
    source: 'decision',
    actions: [{ actionId, kind: 'offer' }],
  });
  for (const id of ['u-quiet', 'u-fire', 'u-capped', 'u-full']) {
    await profiles.save(
      TENANT,
      {
        customerId: id,
        version: 1,
        createdAt: NOW,
        updatedAt: NOW,
        language: 'en',
        consent: { sms: true, 'call-centre': true },
      },
      undefined,
    );
    // a lived-in customer: state and a fortnight of decisions already in its contact ledger
    await run(TENANT, id, [anEvent('billing.topup', { amount: 30 }, { customerId: id, now: NOW, minutesAgo: 600 })]);
    const fortnight = Array.from({ length: 14 }, (_, d) =>
      decision(
        `${id}-d${d}`,
        new Date(Date.parse(NOW) - (d + 1) * 86_400_000 + 3_600_000).toISOString(),
        'app',
        'device-upgrade',
      ),
    );
    const sms =
      id === 'u-full'
        ? ['x', 'y', 'z'].map((a, i) =>
            decision(`${id}-sms${i}`, new Date(Date.parse(NOW) - (i + 1) * 3_600_000).toISOString(), 'sms', a),
          )
        : [];
    const ledger = withContacts(emptyLedger(), [...fortnight, ...sms], customerBounds(policy, actions), new Date(NOW));
    expect(await ledgers.commit(TENANT, { customerId: id, customer: { ledger, expectedVersion: 0 } })).toBe(true);
  }
});

async function measure(customerId: string, events: Parameters<typeof run>[2]) {
  calls.length = 0;
  const outcome = await run(TENANT, customerId, events);
  return { outcome, calls: summary(calls) };
}

describe('what a trigger firing costs in DynamoDB', () => {
  it('reads nothing more than the profile and state for a batch that fires nothing', async () => {
    const { outcome, calls } = await measure('u-quiet', [
      anEvent('billing.topup', { amount: 10 }, { customerId: 'u-quiet', now: NOW }),
    ]);
    expect(outcome.messages).toBe(0);
    expect(calls).toEqual({
      Query: { calls: 1, units: expect.any(Number) },
      Put: { calls: 1, units: expect.any(Number) },
    });
  });

  it('reads the ledger once for a firing, and writes the state with the contact in one transaction, then clears the outbox', async () => {
    const dropped = [1, 2, 3].map((i) =>
      anEvent('network.call_dropped', {}, { customerId: 'u-fire', now: NOW, minutesAgo: i }),
    );
    const { outcome, calls } = await measure('u-fire', dropped);
    expect(outcome.messages).toBe(1);
    expect(Object.fromEntries(Object.entries(calls).map(([k, v]) => [k, v.calls]))).toEqual({
      Query: 1,
      Get: 1,
      TransactWrite: 1,
      Update: 1,
    });
    console.info('service firing (no daily cap):', JSON.stringify(calls));
  });

  it('takes one more write for an action with a daily cap', async () => {
    const { outcome, calls } = await measure('u-capped', [
      anEvent('usage.data', { usedMb: 900, bundleMb: 1000 }, { customerId: 'u-capped', now: NOW }),
    ]);
    expect(outcome.messages).toBe(1);
    expect(Object.fromEntries(Object.entries(calls).map(([k, v]) => [k, v.calls]))).toEqual({
      Query: 1,
      Get: 1,
      TransactWrite: 1,
      Update: 2,
    });
    console.info('offer firing (daily cap):', JSON.stringify(calls));
  });

  it('writes only the state for a firing the policy refuses', async () => {
    const { outcome, calls } = await measure('u-full', [
      anEvent('usage.data', { usedMb: 900, bundleMb: 1000 }, { customerId: 'u-full', now: NOW }),
    ]);
    expect(outcome).toMatchObject({ messages: 0, triggersRefused: 1, refusals: { 'channel-limit': 1 } });
    expect(Object.fromEntries(Object.entries(calls).map(([k, v]) => [k, v.calls]))).toEqual({
      Query: 1,
      Get: 1,
      Put: 1,
    });
    console.info('refused firing:', JSON.stringify(calls));
  });
});
