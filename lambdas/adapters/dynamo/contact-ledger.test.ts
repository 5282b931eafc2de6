import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { contactsOf } from '#domain/contact-policy.ts';
import { emptyState } from '#domain/customer-state.ts';
import type { DecisionRecord } from '#domain/decisioning/decision-record.ts';
import { offeredDecisionOf } from '#domain/decisioning/decision-record.ts';
import { contactOf, ledgerWithPending, pendingContacts, type OutboundMessage } from '#domain/triggers.ts';
import { aDecisionRecord } from '../../test-support/decision-records.ts';
import { testTables } from '../../test-support/dynamo.ts';
import { documentClient } from './client.ts';
import { DynamoCustomerRepo } from './customer-repo.ts';
import { DynamoDecisionLog } from './decision-log.ts';
import { DynamoStateRepo } from './state-repo.ts';

/** The contact policy's reads against DynamoDB Local: a customer's whole window, and a household's ledger. */
let repo: DynamoCustomerRepo;
let log: DynamoDecisionLog;
let table: string;
const db = () => documentClient({ endpoint: process.env['DYNAMODB_ENDPOINT']! });

const entry = (
  customerId: string,
  at: string,
  over: Partial<DecisionRecord> = {},
  offers: Parameters<typeof aDecisionRecord>[2] = { bundle: 'offer' },
): DecisionRecord => aDecisionRecord(customerId, at, offers, over);
const hoursAfter = (base: string, h: number) => new Date(Date.parse(base) + h * 3_600_000).toISOString();
const BASE = '2025-03-01T00:00:00.000Z';

beforeAll(async () => {
  const t = await testTables(['acme']);
  process.env['DYNAMODB_ENDPOINT'] = t.endpoint;
  table = t.tenantTables['acme']!;
  repo = new DynamoCustomerRepo(db(), () => table);
  log = new DynamoDecisionLog(db(), { tenant: () => table, decisions: () => t.decisionTables['acme']! });
});

describe('the contact ledger in DynamoDB', () => {
  it('reads every contact since the window start, past the newest-items page, and no event ids', async () => {
    await repo.save('acme', { customerId: 'long', version: 1, createdAt: BASE, updatedAt: BASE }, undefined);
    for (let i = 0; i < 40; i++) await log.record('acme', entry('long', hoursAfter(BASE, i * 6)));
    await db().send(new PutCommand({ TableName: table, Item: { pk: 'C#long', sk: 'E#evt-1', kind: 'event-id' } }));
    const since = hoursAfter(BASE, 10 * 6); // contacts 10..39
    const agg = await repo.load('acme', 'long', { contactsSince: since });
    expect(agg.record?.customerId).toBe('long');
    expect(agg.contacts).toHaveLength(30);
    expect(agg.contacts.every((c) => String(c['at']) >= since)).toBe(true);
    expect((await repo.load('acme', 'long')).contacts).toHaveLength(24); // the display read: newest items only
  });

  it("indexes a household member's marketing contacts, and only those, for the household's one Query", async () => {
    await log.record('acme', entry('m1', hoursAfter(BASE, 1), { householdId: 'h1' }));
    await log.record(
      'acme',
      entry('m2', hoursAfter(BASE, 2), { householdId: 'h1', channel: 'sms' }, { r: 'retention' }),
    );
    await log.record('acme', entry('m2', hoursAfter(BASE, 3), { householdId: 'h1' }, { care: 'service' }));
    await log.record('acme', entry('m3', hoursAfter(BASE, 4), { householdId: 'h2' }));
    await log.record('acme', entry('m1', hoursAfter(BASE, -48), { householdId: 'h1' }));
    const ledger = await log.householdContacts('acme', 'h1', BASE);
    expect(ledger.map((c) => [c.actionId, c.channel, c.kind]).sort()).toEqual([
      ['bundle', 'app', 'offer'],
      ['r', 'sms', 'retention'],
    ]);
  });

  it("sees a member's decline in the household ledger", async () => {
    const e = entry('m4', hoursAfter(BASE, 5), { householdId: 'h3' });
    await log.record('acme', e);
    expect(await log.recordResponse('acme', offeredDecisionOf(e), 'bundle', 'declined', hoursAfter(BASE, 6))).toBe(
      'recorded',
    );
    expect((await log.householdContacts('acme', 'h3', BASE))[0]).toMatchObject({
      actionId: 'bundle',
      response: 'declined',
    });
  });

  it('shows the firings written with the state but not handed off yet to the decision read, each once after they are recorded', async () => {
    const states = new DynamoStateRepo(db(), () => table);
    await repo.save('acme', { customerId: 'fired', version: 1, createdAt: BASE, updatedAt: BASE }, undefined);
    const at = hoursAfter(BASE, 30);
    const firing = (n: number): OutboundMessage => ({
      messageId: `m-${n}`,
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
    });
    const outbox = [firing(1), firing(2)];
    expect(await states.saveState('acme', 'fired', emptyState(new Date(at)), outbox, 0)).toBe(true);
    const ledger = async () => {
      const agg = await repo.load('acme', 'fired', { contactsSince: BASE });
      return ledgerWithPending(contactsOf(agg.contacts), pendingContacts(agg.state));
    };
    expect((await ledger()).map((c) => c.id)).toEqual(['m-1', 'm-2']);
    // recorded but the outbox not cleared yet (a crash between the two): still one contact each
    await states.recordContacts('acme', 'fired', [contactOf(firing(1))]);
    expect((await ledger()).map((c) => c.id).sort()).toEqual(['m-1', 'm-2']);
    await states.recordContacts('acme', 'fired', [contactOf(firing(2))]);
    await states.clearOutbox('acme', 'fired', 1);
    expect((await ledger()).map((c) => [c.id, c.source, c.channel])).toEqual([
      ['m-2', 'trigger', 'sms'],
      ['m-1', 'trigger', 'sms'],
    ]);
  });

  it("counts a household member's firings still in the outbox in the household's ledger, each once, and only marketing ones", async () => {
    const states = new DynamoStateRepo(db(), () => table);
    const at = hoursAfter(BASE, 40);
    const firing = (n: number, kind: 'offer' | 'service'): OutboundMessage => ({
      messageId: `hm-${n}`,
      tenant: 'acme',
      customerId: 'member',
      channel: 'sms',
      actionId: kind === 'offer' ? 'bundle' : 'care',
      kind,
      treatment: 't',
      language: 'en',
      reason: { type: 'trigger', id: 'data-80-percent' },
      createdAt: at,
      sendAfter: at,
    });
    await log.record('acme', entry('other', hoursAfter(BASE, 39), { householdId: 'h9' }));
    const ids = async () => (await log.householdContacts('acme', 'h9', BASE)).map((c) => c.id).sort();
    const before = await ids();
    expect(
      await states.saveState(
        'acme',
        'member',
        emptyState(new Date(at)),
        [firing(1, 'offer'), firing(2, 'service')],
        0,
        'h9',
      ),
    ).toBe(true);
    expect(await ids()).toEqual([...before, 'hm-1'].sort());
    // the processor reads its own state back without the index keys
    expect(Object.keys((await states.loadForEvents('acme', 'member')).stored!.state)).not.toContain('gsi1pk');
    // recorded but not cleared yet: once; cleared: still once, from the record
    await states.recordContacts(
      'acme',
      'member',
      [contactOf(firing(1, 'offer')), contactOf(firing(2, 'service'))],
      'h9',
    );
    expect(await ids()).toEqual([...before, 'hm-1'].sort());
    await states.clearOutbox('acme', 'member', 1);
    expect(await ids()).toEqual([...before, 'hm-1'].sort());
    // a state with nothing of marketing in its outbox stays out of the index
    expect(await states.saveState('acme', 'member', emptyState(new Date(at)), [firing(3, 'service')], 1, 'h9')).toBe(
      true,
    );
    expect(await ids()).toEqual([...before, 'hm-1'].sort());
  });
});
