import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { documentClient } from '#adapters/dynamo/client.ts';
import { DynamoAuditLog } from '#adapters/dynamo/audit-log.ts';
import { campaignKey, memberPk } from '#adapters/dynamo/campaign-keys.ts';
import { DynamoCampaignStore } from '#adapters/dynamo/campaign-store.ts';
import { segmentOf } from '#domain/campaign/assignment.ts';
import type { CampaignMember, CampaignRecord } from '#domain/campaign/campaign.ts';
import type { Caller } from '#domain/api-key.ts';
import { customerRef } from '#edge/logger.ts';
import { invoker, type Invoke } from '../test-support/api-event.ts';
import { testTables, type TestTables } from '../test-support/dynamo.ts';

/*
 * Issue 17 item 9: export and erasure reach every item about the customer outside its own
 * partition: campaign memberships and audience lists, and the audit entries about it.
 */

// before any import: the logger reads the market's salt once, when it loads
const SALT = vi.hoisted(() => {
  process.env['CUSTOMER_REF_SALT'] = 'privacy-test-salt';
  return 'privacy-test-salt';
});
let t: TestTables;
let call: Invoke;
let db: DynamoDBDocumentClient;
let campaigns: DynamoCampaignStore;
const admin: Caller = { tenant: 'acme', scope: 'admin', keyId: 'acme-admin' };
const table = () => t.tenantTables['acme']!;

const profile = (consent: Record<string, boolean>) => ({
  segment: 'youth',
  tariff: 'smart-50',
  tenureMonths: 14,
  monthlyCharge: 85,
  contract: 'month-to-month',
  products: ['phone'],
  consent,
  language: 'en',
});

beforeAll(async () => {
  t = await testTables();
  Object.assign(process.env, t.env);
  call = invoker((await import('./serve-customers.ts')).handler as never);
  db = documentClient({ endpoint: t.endpoint });
  campaigns = new DynamoCampaignStore(db, (tenant) => t.tenantTables[tenant]!);
});

const put = (id: string, consent: Record<string, boolean>) =>
  call({ method: 'PUT', path: `/v1/customers/${id}`, body: profile(consent), caller: admin });
const exportOf = (id: string) => call({ method: 'GET', path: `/v1/customers/${id}/export`, caller: admin });
const erase = (id: string) => call({ method: 'DELETE', path: `/v1/customers/${id}`, caller: admin });

function aCampaign(campaignId: string, audience: CampaignRecord['audience'], memberShards?: number): CampaignRecord {
  return {
    campaignId,
    name: campaignId,
    goal: { event: 'usage.data', metric: 'count' } as never,
    audience,
    actionIds: ['a-1'],
    channel: 'sms',
    controlGroupPercent: 10,
    pilot: { percent: 10, minUplift: 0 },
    responseWindow: 'P7D',
    status: 'running',
    phase: 'rollout',
    createdAt: '2026-12-01T00:00:00.000Z',
    updatedAt: '2026-12-01T00:00:00.000Z',
    ...(memberShards ? { memberShards } : {}),
  };
}

const member = (customerId: string): CampaignMember => ({
  customerId,
  group: 'treatment',
  phase: 'rollout',
  status: 'contacted',
  messageId: `m-${customerId}`,
});

/** A campaign with members written in `shards` shards, as its selection step would. */
async function campaignWith(campaignId: string, ids: string[], shards: number, recorded: boolean) {
  await campaigns.create('acme', aCampaign(campaignId, { customerIds: ids }, recorded ? shards : undefined));
  await campaigns.putMembers('acme', campaignId, (id) => segmentOf(id, shards), ids.map(member));
}

const memberItem = async (campaignId: string, customerId: string, shards: number) =>
  (
    await db.send(
      new GetCommand({
        TableName: table(),
        Key: { pk: memberPk(campaignId, segmentOf(customerId, shards)), sk: customerId },
      }),
    )
  ).Item;

const audienceOf = async (campaignId: string) =>
  (await db.send(new GetCommand({ TableName: table(), Key: campaignKey(campaignId) }))).Item?.['audience'];

describe('export and erasure reach campaigns and the audit trail', () => {
  it('exports memberships and audit entries, then erases the one and redacts the other', async () => {
    expect((await put('c-900', { sms: true })).status).toBe(201);
    expect((await put('c-900', { sms: false })).status).toBe(200);
    await put('c-901', { sms: true });
    await campaignWith('camp-new', ['c-900', 'c-901'], 64, true);
    // selected before memberShards was recorded: found through the legacy shard counts
    await campaignWith('camp-old', ['c-900', 'c-901'], 8, false);

    const exported = await exportOf('c-900');
    expect(exported.status).toBe(200);
    expect(exported.json.campaigns.map((m: { campaignId: string }) => m.campaignId).sort()).toEqual([
      'camp-new',
      'camp-old',
    ]);
    expect(exported.json.campaigns[0]).toMatchObject({ customerId: 'c-900', messageId: 'm-c-900' });
    expect(exported.json.audit.map((e: { what: string; subject: string }) => [e.what, e.subject])).toEqual([
      ['customer.consent', 'c-900'],
      ['customer.consent', 'c-900'],
    ]);
    expect(exported.json.audit[1]).toMatchObject({ before: { sms: true }, after: { sms: false } });
    // the audit index is storage, not one of the customer's items
    expect(exported.json.items.map((i: { sk: string }) => i.sk)).toEqual(['P']);

    expect((await erase('c-900')).status).toBe(204);

    for (const [campaignId, shards] of [
      ['camp-new', 64],
      ['camp-old', 8],
    ] as const) {
      expect(await memberItem(campaignId, 'c-900', shards)).toBeUndefined();
      expect(await memberItem(campaignId, 'c-901', shards)).toMatchObject({ customerId: 'c-901' });
      expect(await audienceOf(campaignId)).toEqual({ customerIds: ['c-901'] });
    }

    // the consent history stays provable: whoever holds the id and the salt finds its entries
    const month = new Date().toISOString().slice(0, 7);
    const trail = await new DynamoAuditLog(db, () => table()).list('acme', month, { limit: 100 });
    const ref = `ref:${customerRef('c-900', SALT)}`;
    const redacted = trail.items.filter((e) => e.subject === ref);
    expect(redacted.map((e) => e.what)).toEqual(['customer.consent', 'customer.consent']);
    expect(trail.items.some((e) => e.subject === 'c-900')).toBe(false);
    expect(JSON.stringify(trail.items)).not.toContain('c-900');
    // another customer's entries are untouched
    expect(trail.items.filter((e) => e.subject === 'c-901')).toHaveLength(1);
    expect((await exportOf('c-901')).json.audit).toHaveLength(1);
  });

  it('finishes an interrupted erasure when DELETE is repeated, still answering 404', async () => {
    await put('c-910', { sms: true });
    await campaignWith('camp-int', ['c-910'], 64, true);
    // interrupted after the tombstone: memberships, audience list and audit entries left behind
    await db.send(
      new PutCommand({
        TableName: table(),
        Item: { pk: 'C#c-910', sk: 'P', kind: 'tombstone', customerId: 'c-910', erasedAt: new Date().toISOString() },
      }),
    );
    expect((await erase('c-910')).status).toBe(404);
    expect(await memberItem('camp-int', 'c-910', 64)).toBeUndefined();
    expect(await audienceOf('camp-int')).toEqual({ customerIds: [] });
    const month = new Date().toISOString().slice(0, 7);
    const trail = await new DynamoAuditLog(db, () => table()).list('acme', month, { limit: 100 });
    expect(trail.items.some((e) => e.subject === 'c-910')).toBe(false);
  });
});
