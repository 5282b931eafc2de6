import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoActionCatalog } from '#adapters/dynamo/action-catalog.ts';
import { documentClient } from '#adapters/dynamo/client.ts';
import { DynamoContactLedgers } from '#adapters/dynamo/contact-ledger.ts';
import { DynamoCustomerRepo } from '#adapters/dynamo/customer-repo.ts';
import { DynamoDecisionLog } from '#adapters/dynamo/decision-log.ts';
import { DynamoLearningStore } from '#adapters/dynamo/learning-store.ts';
import { DynamoStateRepo } from '#adapters/dynamo/state-repo.ts';
import { DynamoVolumeCounter } from '#adapters/dynamo/volume-counter.ts';
import type { Action } from '#domain/action.ts';
import { fixedClock } from '#domain/clock.ts';
import { emptyState } from '#domain/customer-state.ts';
import { experimentGroup } from '#domain/decisioning/experiments.ts';
import type { TriggerStore } from '#domain/ports/events.ts';
import type { OutboundMessage } from '#domain/triggers.ts';
import { testTables } from '../test-support/dynamo.ts';
import { anEvent } from '../test-support/event-builders.ts';
import { TEST_SETTINGS } from '../test-support/memory-decisioning.ts';
import { decide, respond, type DecisionPorts } from './decisions.ts';
import { processCustomerEvents } from './process-events.ts';

/**
 * Issue 15, item 6: the contact items of before the ledger (`H#` under the customer: decisions'
 * full records with customer-prefixed ids, their slim contacts, trigger and campaign contacts; and
 * the household index `HC#` over them) are migrated into the ledgers, lazily: the first decision or
 * firing for a customer (or household) without a ledger builds it from them and stores it with its
 * own commit; from then on they are never read again, and TTL deletes them. An outbox an old
 * processor left behind joins the ledger before it is handed off. DynamoDB Local.
 */
const NOW = '2030-03-12T08:00:00.000Z';
const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.parse(NOW) - days * DAY).toISOString();
const expires = Math.floor(Date.parse(NOW) / 1000) + 180 * 86_400;

const offer = (actionId: string, over: Partial<Action> = {}): Action => ({
  actionId,
  name: actionId,
  kind: 'offer',
  treatments: {
    app: { templateKey: `${actionId}.app`, text: { en: actionId } },
    sms: { templateKey: `${actionId}.sms`, text: { en: actionId } },
  },
  eligibility: true,
  propensity: { starting: 0.5 },
  value: 10,
  lever: 1,
  limits: { perCustomer: [] },
  ...over,
});
const catalog = [
  offer('weekly', { value: 90, limits: { perCustomer: [{ max: 1, days: 7 }] } }),
  offer('declined-one', { value: 80 }),
  offer('plain', { value: 5 }),
];
const settings = {
  ...TEST_SETTINGS,
  policy: { ...TEST_SETTINGS.policy, household: { max: 2, days: 7 } },
  experiments: { ...TEST_SETTINGS.experiments, controlPercent: 0 },
};

let db: DynamoDBDocumentClient;
let table: string;
let ports: DecisionPorts;
const queries: string[] = [];

/** The document client with each Query's key condition noted, so a test can say what was read. */
function noted(inner: DynamoDBDocumentClient): DynamoDBDocumentClient {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop !== 'send') return Reflect.get(target, prop, receiver);
      return (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
        if (command.constructor.name === 'QueryCommand')
          queries.push(`${command.input['IndexName'] ?? 'table'}: ${String(command.input['KeyConditionExpression'])}`);
        return target.send(command as never);
      };
    },
  });
}

const put = (Item: Record<string, unknown>) => db.send(new PutCommand({ TableName: table, Item }));
const champion = (prefix: string) => {
  for (let i = 0; ; i++)
    if (experimentGroup('acme', `${prefix}${i}`, settings.experiments) !== 'control') return `${prefix}${i}`;
};

beforeAll(async () => {
  const t = await testTables(['acme']);
  table = t.tenantTables['acme']!;
  db = noted(documentClient({ endpoint: t.endpoint }));
  const tableOf = () => table;
  const actions = new DynamoActionCatalog(db, tableOf);
  for (const a of catalog) await actions.put('acme', a);
  ports = {
    customers: new DynamoCustomerRepo(db, tableOf),
    catalog: actions,
    log: new DynamoDecisionLog(db, { tenant: tableOf, decisions: () => t.decisionTables['acme']! }),
    ledgers: new DynamoContactLedgers(db, tableOf),
    learning: new DynamoLearningStore(db, tableOf, 0),
    volume: new DynamoVolumeCounter(db, tableOf, 1),
    clock: fixedClock(NOW),
    randomId: () => Math.random().toString(36).slice(2, 14),
    settings,
  };
});

describe('contact items of before the ledger', () => {
  it("are migrated into the customer's and the household's ledgers by their first decision, then never read again", async () => {
    const id = champion('legacy-');
    const other = champion('legacy-x-');
    for (const [customerId, consent] of [
      [id, { app: true, sms: true }],
      [other, { app: true, sms: true }],
    ] as const)
      await put({
        pk: `C#${customerId}`,
        sk: 'P',
        kind: 'profile',
        customerId,
        version: 1,
        householdId: 'hh-old',
        consent,
      });
    const legacyId = `${id}~${Date.parse(ago(2)).toString(36).padStart(9, '0')}abc123def456`;
    // an old decision's full record under the customer, its offer declined
    await put({
      pk: `C#${id}`,
      sk: `H#${ago(2)}#${legacyId}`,
      id: legacyId,
      at: ago(2),
      channel: 'app',
      source: 'decision',
      group: 'champion',
      seg: 'youth',
      offers: [{ actionId: 'declined-one', kind: 'offer', p: 0.2, response: 'declined', respondedAt: ago(1) }],
      mv: { churn: '1' },
      expiresAt: expires,
    });
    const legacyId2 = `${id}~${Date.parse(ago(5)).toString(36).padStart(9, '0')}abc123def789`;
    await put({
      pk: `C#${id}`,
      sk: `H#${ago(5)}#${legacyId2}`,
      id: legacyId2,
      at: ago(5),
      channel: 'app',
      source: 'decision',
      group: 'champion',
      seg: 'youth',
      offers: [{ actionId: 'plain', kind: 'offer', p: 0.2 }],
      expiresAt: expires,
    });
    // a slim contact of a newer decision, indexed under the household, and a trigger's contact
    await put({
      pk: `C#${id}`,
      sk: `H#${ago(3)}#0000000000new1`,
      id: '0000000000new1',
      at: ago(3),
      channel: 'app',
      source: 'decision',
      offers: [{ actionId: 'weekly', kind: 'offer' }],
      expiresAt: expires,
      gsi1pk: 'HC#hh-old',
      gsi1sk: `${ago(3)}#0000000000new1`,
    });
    await put({
      pk: `C#${other}`,
      sk: `H#${ago(1)}#m-1`,
      id: 'm-1',
      at: ago(1),
      channel: 'sms',
      actionId: 'plain',
      kind: 'offer',
      source: 'trigger',
      expiresAt: expires,
      gsi1pk: 'HC#hh-old',
      gsi1sk: `${ago(1)}#m-1`,
    });

    queries.length = 0;
    const first = await decide(ports)('acme', { customerId: id, channel: 'app', limit: 3 });
    // the weekly offer was made 3 days ago, the other declined yesterday, and the household's two
    // marketing contacts fill its cap: nothing to offer, each for its reason
    expect(first.actions).toEqual([]);
    expect(Object.fromEntries(first.excluded.map((e) => [e.actionId, e.reasons[0]!.code]))).toEqual({
      weekly: 'action-limit',
      'declined-one': 'declined-recently',
      plain: 'household-limit',
    });
    // read once: the customer's items of the policy's window and the household index
    expect(queries.filter((q) => q.includes('BETWEEN :from AND :to'))).toHaveLength(1);
    expect(queries.filter((q) => q.includes('gsi1sk >= :since'))).toHaveLength(1);

    // stored by that decision (a migration commits even an answer that offers nothing)
    const stored = await ports.ledgers.customer('acme', id, {
      since: ago(30),
      bounds: { limits: [], declineDays: 30, acceptDays: 0 },
      now: new Date(NOW),
    });
    expect(stored.version).toBe(1);
    expect(stored.ledger.contacts.map((c) => c.id)).toEqual([legacyId, '0000000000new1', legacyId2]);
    expect(stored.ledger.declined).toEqual({ 'declined-one': ago(1) });

    queries.length = 0;
    const second = await decide(ports)('acme', { customerId: id, channel: 'app', limit: 3 });
    expect(second.actions).toEqual([]);
    // the customer's one Query, and neither the customer's old items nor the household index again
    expect(queries.filter((q) => q.startsWith('table'))).toEqual(['table: pk = :pk AND sk BETWEEN :h AND :s']);
    expect(queries.filter((q) => q.includes('gsi1sk >= :since'))).toEqual([]);

    // responses to the old decisions' ids still land, once, on their items and in the ledger
    const again = await respond(ports)('acme', legacyId, { actionId: 'declined-one', response: 'accepted' });
    expect(again).toMatchObject({ duplicate: true, response: 'declined' });
    const declined = await respond(ports)('acme', legacyId2, { actionId: 'plain', response: 'declined' });
    expect(declined).toMatchObject({ duplicate: false, response: 'declined' });
    const after = await ports.ledgers.customer('acme', id, {
      since: ago(30),
      bounds: { limits: [], declineDays: 30, acceptDays: 0 },
      now: new Date(NOW),
    });
    expect(after.ledger.declined).toEqual({ 'declined-one': ago(1), plain: NOW });
  });

  it('hands off an outbox an old processor left behind only once its firings are in the ledger', async () => {
    const id = champion('outbox-');
    await put({
      pk: `C#${id}`,
      sk: 'P',
      kind: 'profile',
      customerId: id,
      version: 1,
      consent: { sms: true, app: true },
    });
    const firing: OutboundMessage = {
      messageId: 'old-firing',
      tenant: 'acme',
      customerId: id,
      channel: 'sms',
      actionId: 'weekly',
      kind: 'offer',
      treatment: 'weekly.sms',
      language: 'en',
      reason: { type: 'trigger', id: 't-old' },
      createdAt: ago(0.1),
      sendAfter: ago(0.1),
    };
    // as the old processor wrote it: the state with its outbox, no ledger, nothing else
    const states = new DynamoStateRepo(db, () => table);
    const event = anEvent('billing.topup', { amount: 5 }, { customerId: id, now: NOW });
    const folded = { ...emptyState(new Date(NOW)) };
    await put({ pk: `C#${id}`, sk: 'S', kind: 'state', version: 1, ...folded, outbox: [firing] });
    expect((await states.loadForEvents('acme', id)).stored).toMatchObject({ outboxInLedger: false });

    const sent: OutboundMessage[] = [];
    const none: TriggerStore = {
      get: async () => undefined,
      list: async () => [],
      put: async () => {},
      remove: async () => false,
    };
    const run = processCustomerEvents({
      states,
      ledgers: ports.ledgers,
      outbound: { send: async (m) => void sent.push(...m) },
      triggers: none,
      catalog: ports.catalog,
      clock: fixedClock(NOW),
      market: { timezone: 'Africa/Johannesburg', quietHours: { start: '20:00', end: '08:00' }, defaultLanguage: 'en' },
      stateConfig: { dedupeWindowHours: 48 },
      policy: settings.policy,
    });
    expect(await run('acme', id, [event])).toMatchObject({ applied: 1, messages: 0 });
    expect(sent.map((m) => m.messageId)).toEqual(['old-firing']);
    expect((await states.loadForEvents('acme', id)).stored).toMatchObject({ outbox: [] });
    // the firing counts in the ledger: the weekly offer is not made again this week
    const d = await decide(ports)('acme', { customerId: id, channel: 'app', limit: 3 });
    expect(d.actions.map((a) => a.actionId)).not.toContain('weekly');
    expect(d.excluded.find((e) => e.actionId === 'weekly')?.reasons[0]?.code).toBe('action-limit');
  });
});
