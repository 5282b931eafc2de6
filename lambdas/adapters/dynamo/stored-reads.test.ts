import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Action } from '#domain/action.ts';
import type { CampaignRecord } from '#domain/campaign/campaign.ts';
import { customerBounds } from '#domain/contact-ledger.ts';
import { DEFAULT_CONTACT_LIMITS } from '#domain/contact-policy.ts';
import { PreconditionFailedError } from '#domain/errors.ts';
import { parseLegacyDecisionId } from '#domain/decisioning/decision-id.ts';
import { aDecisionRecord } from '../../test-support/decision-records.ts';
import { testTables, type TestTables } from '../../test-support/dynamo.ts';
import { DynamoActionCatalog } from './action-catalog.ts';
import { DynamoCampaignMemberships } from './campaign-memberships.ts';
import { DynamoCampaignStore } from './campaign-store.ts';
import { documentClient } from './client.ts';
import { DynamoContactLedgers } from './contact-ledger.ts';
import { DynamoCustomerRepo } from './customer-repo.ts';
import { decisionContactSk } from './decision-contact.ts';
import { DynamoDecisionLog } from './decision-log.ts';
import { DynamoStateRepo } from './state-repo.ts';
import { MalformedItemError } from './stored-items.ts';
import type { ReportDecision } from '#domain/reports/report.ts';
import { DynamoDecisionReportSource } from './decision-log-indexes.ts';

/**
 * The hot-path adapters read their items through one check each: a malformed stored field fails
 * with MalformedItemError naming the field and never its value (no customer data in errors or
 * logs), and items of before a field existed read as they did.
 */
let t: TestTables;
const db = () => documentClient({ endpoint: t.endpoint });
const table = () => t.tenantTables['acme']!;
const put = (Item: Record<string, unknown>, TableName = table()) => db().send(new PutCommand({ TableName, Item }));
const SECRET = 'secret-value-27829990000';

/** The rejection a read fails with: a MalformedItemError that names `field` and not the value. */
async function malformedNaming(read: Promise<unknown>, field: string): Promise<void> {
  const err = await read.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MalformedItemError);
  const message = (err as Error).message;
  expect(message).toContain(field);
  expect(message).not.toContain(SECRET);
}

let customers: DynamoCustomerRepo;
let states: DynamoStateRepo;
let ledgers: DynamoContactLedgers;
let log: DynamoDecisionLog;
let catalog: DynamoActionCatalog;
let campaigns: DynamoCampaignStore;
let memberships: DynamoCampaignMemberships;

beforeAll(async () => {
  t = await testTables(['acme']);
  customers = new DynamoCustomerRepo(db(), table);
  states = new DynamoStateRepo(db(), table);
  ledgers = new DynamoContactLedgers(db(), table);
  log = new DynamoDecisionLog(db(), { tenant: table, decisions: () => t.decisionTables['acme']! });
  catalog = new DynamoActionCatalog(db(), table);
  campaigns = new DynamoCampaignStore(db(), table);
  memberships = new DynamoCampaignMemberships(db(), table);
});

describe('customer profiles (customer-repo, state-repo)', () => {
  const legacy = { pk: 'C#legacy', sk: 'P', kind: 'profile', customerId: 'legacy', segment: 'youth', custom: 'kept' };

  it('reads a profile of before versioning as version 1 with no times, and writes over it expecting 1', async () => {
    await put(legacy);
    const { record } = await customers.load('acme', 'legacy');
    expect(record).toEqual({ customerId: 'legacy', segment: 'youth', custom: 'kept', version: 1 });
    expect((await customers.loadProfiles('acme', ['legacy'])).get('legacy')).toEqual(record);
    expect((await states.loadForEvents('acme', 'legacy')).profile).toEqual(record);
    // its ETag is "1", as for every versioned item stored before versions: a write expecting 1 holds once
    const next = { ...record!, version: 2, updatedAt: '2030-01-01T00:00:00.000Z' };
    await customers.save('acme', next, record!.version);
    expect((await customers.load('acme', 'legacy')).record).toEqual(next);
    await expect(customers.save('acme', { ...next, version: 3 }, 1)).rejects.toBeInstanceOf(PreconditionFailedError);
    // and never over a tombstone, which has no version either
    await put({
      pk: 'C#erased',
      sk: 'P',
      kind: 'tombstone',
      customerId: 'erased',
      erasedAt: '2030-01-01T00:00:00.000Z',
    });
    await expect(customers.save('acme', { customerId: 'erased', version: 2 }, 1)).rejects.toThrow(/erased/);
  });

  it('fails on a malformed profile naming the field, not its value', async () => {
    await put({ pk: 'C#bad', sk: 'P', kind: 'profile', customerId: 'bad', version: 1, tenureMonths: SECRET });
    await malformedNaming(customers.load('acme', 'bad'), 'tenureMonths');
    await malformedNaming(customers.loadProfiles('acme', ['bad']), 'tenureMonths');
    await malformedNaming(states.loadForEvents('acme', 'bad'), 'tenureMonths');
    await put({ pk: 'C#badconsent', sk: 'P', kind: 'profile', customerId: 'badconsent', consent: { sms: SECRET } });
    await malformedNaming(customers.load('acme', 'badconsent'), 'consent.sms');
  });

  it('fails on a tombstone without its erasure time', async () => {
    await put({ pk: 'C#gone', sk: 'P', kind: 'tombstone', customerId: 'gone' });
    await malformedNaming(customers.load('acme', 'gone'), 'erasedAt');
  });
});

describe('the state item (state-repo)', () => {
  it('reads a state of before versioning and the ledger as version 0 with an empty outbox', async () => {
    await put({ pk: 'C#old-state', sk: 'S', kind: 'state', asOf: '2030-01-01T00:00:00.000Z' });
    const { stored } = await states.loadForEvents('acme', 'old-state');
    expect(stored).toMatchObject({ version: 0, outbox: [], outboxInLedger: false });
  });

  it('fails on a malformed outbox naming the message and field', async () => {
    await put({
      pk: 'C#bad-outbox',
      sk: 'S',
      kind: 'state',
      version: 3,
      asOf: '2030-01-01T00:00:00.000Z',
      outbox: [{ messageId: 'm1', tenant: 'acme', customerId: 'bad-outbox', channel: SECRET }],
    });
    await malformedNaming(states.loadForEvents('acme', 'bad-outbox'), 'outbox.0.channel');
  });
});

describe('the contact ledger item (ledger-item)', () => {
  const at = Date.parse('2030-01-01T00:00:00.000Z').toString(36);
  const policy = { timeZone: 'UTC', quietHours: { start: '20:00', end: '08:00' }, ...DEFAULT_CONTACT_LIMITS };
  const legacyWindow = {
    since: '2030-01-01T00:00:00.000Z',
    bounds: customerBounds(policy, []),
    now: new Date('2030-02-01T00:00:00.000Z'),
  };

  it('reads a ledger without maps or version as before', async () => {
    await put({ pk: 'C#ledger-old', sk: 'L', kind: 'ledger', c: [`${at} app d d1 o:bundle`] });
    const { ledger } = await customers.load('acme', 'ledger-old');
    expect(ledger).toEqual({
      version: 0,
      ledger: {
        contacts: [
          {
            id: 'd1',
            at: '2030-01-01T00:00:00.000Z',
            channel: 'app',
            source: 'decision',
            actions: [{ actionId: 'bundle', kind: 'offer' }],
          },
        ],
        declined: {},
        accepted: {},
      },
    });
  });

  it('fails on a malformed contact or response map naming where, not what', async () => {
    await put({ pk: 'C#ledger-bad', sk: 'L', kind: 'ledger', version: 2, c: [`${at} ${SECRET} d d1 o:bundle`] });
    await malformedNaming(customers.load('acme', 'ledger-bad'), 'c.0 (channel)');
    await malformedNaming(ledgers.customer('acme', 'ledger-bad', legacyWindow), 'c.0 (channel)');
    await put({ pk: 'C#ledger-kind', sk: 'L', kind: 'ledger', version: 2, c: [`${at} app d d1 x:${SECRET}`] });
    await malformedNaming(customers.load('acme', 'ledger-kind'), 'c.0 (actions)');
    await put({ pk: 'C#ledger-map', sk: 'L', kind: 'ledger', version: 2, c: [], d: { bundle: SECRET } });
    await malformedNaming(customers.load('acme', 'ledger-map'), 'd.bundle');
  });
});

describe('the decision log item (decision-item)', () => {
  const setOn = async (id: string, expression: string, values: Record<string, unknown>) =>
    db().send(
      new UpdateCommand({
        TableName: t.decisionTables['acme']!,
        Key: { id },
        UpdateExpression: expression,
        ExpressionAttributeValues: values,
      }),
    );

  it('reads a record with its responses and no variants as it was written', async () => {
    const r = aDecisionRecord('27820000101', '2030-01-02T10:00:00.000Z');
    await log.record('acme', r);
    await setOn(r.decisionId, 'SET responses.bundle = :r', {
      ':r': { response: 'declined', at: '2030-01-02T11:00:00.000Z' },
    });
    expect(await log.find('acme', r.decisionId)).toEqual({
      ...r,
      responses: [{ actionId: 'bundle', response: 'declined', at: '2030-01-02T11:00:00.000Z' }],
    });
  });

  it('fails on a malformed record, response or variant naming the field', async () => {
    const r = aDecisionRecord('27820000102', '2030-01-02T10:00:00.000Z');
    await log.record('acme', r);
    await setOn(r.decisionId, 'SET valueTier = :v', { ':v': SECRET });
    await malformedNaming(log.find('acme', r.decisionId), 'valueTier');

    const s = aDecisionRecord('27820000103', '2030-01-02T10:00:00.000Z');
    await log.record('acme', s);
    await setOn(s.decisionId, 'SET responses.bundle = :r', { ':r': { response: SECRET, at: 'x' } });
    await malformedNaming(log.findOffered('acme', s.decisionId), 'responses.bundle.response');

    const v = aDecisionRecord('27820000104', '2030-01-02T10:00:00.000Z');
    await log.record('acme', v);
    await db().send(
      new UpdateCommand({
        TableName: t.decisionTables['acme']!,
        Key: { id: v.decisionId },
        UpdateExpression: 'SET actions[0].treatment.#c = :c',
        ExpressionAttributeNames: { '#c': 'channel' },
        ExpressionAttributeValues: { ':c': SECRET },
      }),
    );
    await malformedNaming(log.find('acme', v.decisionId), 'actions.0.treatment.channel');
  });

  it("fails the reports' read of a day on a malformed offered list naming the field", async () => {
    const r = aDecisionRecord('27820000105', '2030-01-05T10:00:00.000Z');
    await log.record('acme', r);
    const source = new DynamoDecisionReportSource(db(), () => t.decisionTables['acme']!);
    const read = async () => {
      const out: ReportDecision[] = [];
      for await (const d of source.decisionsOn('acme', ['2030-01-05'])) out.push(d);
      return out;
    };
    expect((await read()).map((d) => d.group)).toEqual([r.experiment?.group ?? 'champion']);
    await setOn(r.decisionId, 'SET offered = :o', { ':o': [{ id: SECRET }] });
    await malformedNaming(read(), 'offered');
  });
});

describe('a legacy decision under the customer (decision-contact)', () => {
  const legacyId = `legacy-cust~${Date.parse('2030-01-03T10:00:00.000Z').toString(36).padStart(9, '0')}abcdef`;
  const { customerId, at } = parseLegacyDecisionId(legacyId)!;
  const key = { pk: `C#${customerId}`, sk: decisionContactSk(at, legacyId) };

  it('reads an item without expiry or segment as before', async () => {
    await put({ ...key, offers: [{ actionId: 'bundle', kind: 'offer', response: 'accepted', respondedAt: at }] });
    expect(await log.findOffered('acme', legacyId)).toEqual({
      decisionId: legacyId,
      customerId,
      at,
      offers: [{ actionId: 'bundle', kind: 'offer', response: 'accepted', respondedAt: at }],
      expiresAt: 0,
    });
  });

  it('fails on a malformed offer naming the field', async () => {
    await put({ ...key, seg: 'youth', offers: [{ actionId: 'bundle', kind: SECRET }], expiresAt: 1 });
    await malformedNaming(log.findOffered('acme', legacyId), 'offers.0.kind');
  });
});

describe('the action catalog (action-catalog)', () => {
  const action: Action = {
    actionId: 'bundle',
    name: 'Bundle',
    kind: 'offer',
    treatments: { app: { templateKey: 'bundle.app', text: { en: 'A bundle' } } },
    eligibility: true,
    propensity: { starting: 0.1 },
    value: 10,
    lever: 1,
    limits: { perCustomer: [{ max: 1, days: 7 }] },
  };

  it('reads an action written without a stamp as before', async () => {
    await put({ pk: 'A#bundle', sk: 'A', gsi1pk: 'ACTIONS', gsi1sk: 'bundle', kind: 'action', action });
    expect(await catalog.read('acme', 'bundle', { consistent: true })).toEqual({ value: action, version: 1 });
    expect((await catalog.readSeeded('acme', 'bundle'))?.item).toEqual(action);
  });

  it('fails on a malformed action naming the field', async () => {
    const bad = { ...action, actionId: 'bad', treatments: { app: { templateKey: 'x', text: { en: 7 } } } };
    await put({ pk: 'A#bad', sk: 'A', gsi1pk: 'ACTIONS', gsi1sk: 'bad', kind: 'action', action: bad });
    await malformedNaming(catalog.get('acme', 'bad'), 'treatments.app.text.en');
    await malformedNaming(catalog.list('acme'), 'treatments.app.text.en');
    await put({
      pk: 'A#bad-kind',
      sk: 'A',
      gsi1pk: 'ACTIONS',
      gsi1sk: 'bad-kind',
      kind: 'action',
      action: { ...action, actionId: 'bad-kind', kind: SECRET },
    });
    await malformedNaming(catalog.get('acme', 'bad-kind'), 'kind');
  });
});

describe('campaigns and their members (campaign-store, campaign-memberships)', () => {
  const record = (campaignId: string): CampaignRecord => ({
    campaignId,
    name: 'Bundle push',
    goal: 'take-up',
    audience: { customerIds: ['m1'] },
    actionIds: ['bundle'],
    channel: 'sms',
    controlGroupPercent: 10,
    pilot: { percent: 10, minUplift: 1 },
    responseWindow: 'P7D',
    status: 'running',
    phase: 'pilot',
    createdAt: '2030-01-04T00:00:00.000Z',
    updatedAt: '2030-01-04T00:00:00.000Z',
  });
  const member = { customerId: 'm1', group: 'treatment', phase: 'pilot', status: 'selected' } as const;

  it('reads a campaign of before member shards were recorded, and finds its members', async () => {
    await campaigns.create('acme', record('old'));
    expect(await campaigns.get('acme', 'old')).toEqual(record('old'));
    await campaigns.putMembers('acme', 'old', () => 0, [member]);
    expect(await campaigns.members('acme', 'old', 0)).toEqual([member]);
    expect(await memberships.membershipsOf('acme', 'm1')).toEqual([{ ...member, campaignId: 'old' }]);
    expect((await campaigns.list('acme', {})).items).toContainEqual({
      campaignId: 'old',
      name: 'Bundle push',
      status: 'running',
      phase: 'pilot',
      createdAt: '2030-01-04T00:00:00.000Z',
    });
  });

  it('fails on a malformed campaign, summary or member naming the field', async () => {
    await campaigns.create('acme', { ...record('bad'), memberShards: 1 });
    await campaigns.putMembers('acme', 'bad', () => 0, [{ ...member, customerId: 'm2' }]);
    await db().send(
      new UpdateCommand({
        TableName: table(),
        Key: { pk: 'CM#bad#0', sk: 'm2' },
        UpdateExpression: 'SET #s = :s',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': SECRET },
      }),
    );
    await malformedNaming(campaigns.members('acme', 'bad', 0), 'status');
    await malformedNaming(memberships.membershipsOf('acme', 'm2'), 'status');
    expect(await campaigns.update('acme', 'bad', { phase: SECRET as never })).toBe(true);
    await malformedNaming(campaigns.get('acme', 'bad'), 'phase');
    await malformedNaming(campaigns.list('acme', {}), 'phase');
  });
});
