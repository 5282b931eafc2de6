import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  customerBounds,
  emptyLedger,
  householdBounds,
  withContacts,
  type LedgerContact,
} from '#domain/contact-ledger.ts';
import { DEFAULT_CONTACT_LIMITS, type ContactPolicy } from '#domain/contact-policy.ts';
import { emptyState } from '#domain/customer-state.ts';
import type { OutboundMessage } from '#domain/triggers.ts';
import { testTables } from '../../test-support/dynamo.ts';
import { documentClient } from './client.ts';
import { DynamoContactLedgers } from './contact-ledger.ts';
import { DynamoCustomerRepo } from './customer-repo.ts';
import { DynamoStateRepo } from './state-repo.ts';

/** The contact ledgers against DynamoDB Local: one small item each, written only on its version. */
let table: string;
let ledgers: DynamoContactLedgers;
let repo: DynamoCustomerRepo;
const db = () => documentClient({ endpoint: process.env['DYNAMODB_ENDPOINT']! });
const NOW = new Date('2030-03-01T10:00:00.000Z');
const policy: ContactPolicy = {
  timeZone: 'Africa/Johannesburg',
  quietHours: { start: '20:00', end: '08:00' },
  ...DEFAULT_CONTACT_LIMITS,
};
const bounds = customerBounds(policy, [{ actionId: 'bundle', limits: { perCustomer: [{ max: 1, days: 7 }] } }]);
const legacy = { since: '2030-01-01T00:00:00.000Z', bounds, now: NOW };
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000).toISOString();
const contact = (id: string, h: number, kind: 'offer' | 'service' = 'offer'): LedgerContact => ({
  id,
  at: hoursAgo(h),
  channel: 'app',
  source: 'decision',
  actions: [{ actionId: kind === 'offer' ? 'bundle' : 'care', kind }],
});
const profile = (customerId: string, householdId?: string) =>
  repo.save(
    'acme',
    {
      customerId,
      version: 1,
      createdAt: NOW.toISOString(),
      updatedAt: NOW.toISOString(),
      ...(householdId ? { householdId } : {}),
    },
    undefined,
  );

beforeAll(async () => {
  const t = await testTables(['acme']);
  process.env['DYNAMODB_ENDPOINT'] = t.endpoint;
  table = t.tenantTables['acme']!;
  ledgers = new DynamoContactLedgers(db(), () => table);
  repo = new DynamoCustomerRepo(db(), () => table);
});

describe('the contact ledgers in DynamoDB', () => {
  it('reads profile, state and ledger in one Query of a few items, however many contacts came before', async () => {
    await profile('long');
    let stored = await ledgers.customer('acme', 'long', legacy);
    for (let i = 0; i < 60; i++) {
      const ledger = withContacts(stored.ledger, [contact(`d${i}`, 60 - i)], bounds, NOW);
      expect(
        await ledgers.commit('acme', { customerId: 'long', customer: { ledger, expectedVersion: stored.version } }),
      ).toBe(true);
      stored = await ledgers.customer('acme', 'long', legacy);
    }
    expect(stored.version).toBe(60);
    // the overall window keeps its 40 newest marketing contacts, no more
    expect(stored.ledger.contacts).toHaveLength(40);
    const agg = await repo.load('acme', 'long', { contactsSince: legacy.since, bounds, now: NOW });
    expect(agg.record?.customerId).toBe('long');
    expect(agg.ledger).toEqual(stored);
    expect(agg.contacts[0]).toMatchObject({
      id: 'd59',
      source: 'decision',
      offers: [{ actionId: 'bundle', kind: 'offer' }],
    });
    const item = (await db().send(new GetCommand({ TableName: table, Key: { pk: 'C#long', sk: 'L' } }))).Item!;
    expect(JSON.stringify(item).length).toBeLessThan(2_000);
  });

  it('writes a ledger only at the version it was read at: of two writers that read the same version, one wins', async () => {
    await profile('race');
    const read = await ledgers.customer('acme', 'race', legacy);
    const write = (id: string) => ({
      customerId: 'race',
      customer: { ledger: withContacts(read.ledger, [contact(id, 1)], bounds, NOW), expectedVersion: read.version },
    });
    const won = await Promise.all([ledgers.commit('acme', write('a')), ledgers.commit('acme', write('b'))]);
    expect(won.sort()).toEqual([false, true]);
    expect((await ledgers.customer('acme', 'race', legacy)).ledger.contacts).toHaveLength(1);
  });

  it("commits a household member's contact to both ledgers or to neither", async () => {
    await profile('m1', 'h1');
    const h = await ledgers.household('acme', 'h1', { ...legacy, bounds: householdBounds(policy) }, true);
    const c = await ledgers.customer('acme', 'm1', legacy);
    const both = (id: string, householdVersion: number) => ({
      customerId: 'm1',
      customer: { ledger: withContacts(c.ledger, [contact(id, 1)], bounds, NOW), expectedVersion: c.version },
      household: {
        householdId: 'h1',
        ledger: withContacts(h.ledger, [contact(id, 1)], householdBounds(policy), NOW),
        expectedVersion: householdVersion,
      },
    });
    // another member wrote the household meanwhile: the customer's ledger is not written either
    expect(await ledgers.commit('acme', both('stale', 7))).toBe(false);
    expect((await ledgers.customer('acme', 'm1', legacy)).version).toBe(0);
    expect(await ledgers.commit('acme', both('ok', h.version))).toBe(true);
    const household = await ledgers.household('acme', 'h1', { ...legacy, bounds: householdBounds(policy) }, false);
    expect(household.ledger.contacts.map((x) => x.id)).toEqual(['ok']);
    expect((await ledgers.customer('acme', 'm1', legacy)).ledger.contacts.map((x) => x.id)).toEqual(['ok']);
  });

  it('takes a response into the ledger and moves its version on, so a commit that read before it reads again', async () => {
    await profile('resp');
    const ledger = withContacts(emptyLedger(), [contact('d1', 2)], bounds, NOW);
    await ledgers.commit('acme', { customerId: 'resp', customer: { ledger, expectedVersion: 0 } });
    const before = await ledgers.customer('acme', 'resp', legacy);
    await ledgers.recordResponse('acme', 'resp', 'bundle', 'declined', hoursAgo(1));
    await ledgers.recordResponse('acme', 'resp', 'bundle', 'accepted', hoursAgo(0.5));
    await ledgers.recordResponse('acme', 'resp', 'bundle', 'ignored', hoursAgo(0.2));
    const after = await ledgers.customer('acme', 'resp', legacy);
    expect(after.version).toBe(before.version + 2);
    expect(after.ledger.declined).toEqual({ bundle: hoursAgo(1) });
    expect(after.ledger.accepted).toEqual({ bundle: hoursAgo(0.5) });
    expect(
      await ledgers.commit('acme', { customerId: 'resp', customer: { ledger, expectedVersion: before.version } }),
    ).toBe(false);
    // a customer without a ledger (a legacy decision's) gets none from a response
    await ledgers.recordResponse('acme', 'nobody', 'bundle', 'declined', hoursAgo(1));
    expect((await ledgers.customer('acme', 'nobody', legacy)).version).toBe(0);
  });

  it('commits the firings of a batch with the state in one transaction: a lost ledger race writes no state', async () => {
    const states = new DynamoStateRepo(db(), () => table);
    await profile('fired');
    const at = NOW.toISOString();
    const firing: OutboundMessage = {
      messageId: 'm-1',
      tenant: 'acme',
      customerId: 'fired',
      channel: 'sms',
      actionId: 'bundle',
      kind: 'offer',
      treatment: 'offer.bundle',
      language: 'en',
      reason: { type: 'trigger', id: 'data-80-percent' },
      createdAt: at,
      sendAfter: at,
    };
    const fired: LedgerContact = { ...contact('m-1', 0), channel: 'sms', source: 'trigger' };
    const writes = (expectedVersion: number) => ({
      customerId: 'fired',
      customer: { ledger: withContacts(emptyLedger(), [fired], bounds, NOW), expectedVersion },
    });
    expect(await states.saveState('acme', 'fired', emptyState(NOW), [firing], 0, writes(3))).toBe(false);
    expect((await states.loadForEvents('acme', 'fired')).stored).toBeUndefined();
    expect(await states.saveState('acme', 'fired', emptyState(NOW), [firing], 0, writes(0))).toBe(true);
    const { stored } = await states.loadForEvents('acme', 'fired');
    expect(stored).toMatchObject({ version: 1, outboxInLedger: true, outbox: [firing] });
    const agg = await repo.load('acme', 'fired');
    expect(agg.contacts).toEqual([
      { id: 'm-1', at, channel: 'sms', source: 'trigger', actionId: 'bundle', kind: 'offer' },
    ]);
    await states.clearOutbox('acme', 'fired', 1);
    expect((await states.loadForEvents('acme', 'fired')).stored).toMatchObject({ outbox: [], outboxInLedger: false });
  });

  it('keeps the ledger items out of what the nightly scans read', async () => {
    await db().send(
      new PutCommand({
        TableName: table,
        Item: { pk: 'C#scan', sk: 'P', kind: 'profile', customerId: 'scan', version: 1 },
      }),
    );
    await ledgers.commit('acme', {
      customerId: 'scan',
      customer: { ledger: withContacts(emptyLedger(), [contact('d1', 1)], bounds, NOW), expectedVersion: 0 },
    });
    const { DynamoScoreStore } = await import('./score-store.ts');
    const scanned = [];
    for await (const c of new DynamoScoreStore(db(), () => table).scanSegment('acme', 0, 1)) scanned.push(c);
    const mine = scanned.find((c) => c.customerId === 'scan');
    expect(mine?.record).toMatchObject({ customerId: 'scan' });
    expect(JSON.stringify(mine)).not.toContain('bundle');
  });
});
