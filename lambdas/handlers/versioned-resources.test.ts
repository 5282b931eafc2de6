import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { actionItem, DynamoActionCatalog } from '#adapters/dynamo/action-catalog.ts';
import { documentClient } from '#adapters/dynamo/client.ts';
import { DynamoTriggerStore } from '#adapters/dynamo/trigger-store.ts';
import { seedStarter } from '#app/seed-market.ts';
import { decisioningSettingsOf } from '#config/decisioning-settings.ts';
import { demoCatalog } from '#config/markets/demo-catalog.ts';
import { loadMarket } from '#config/markets/index.ts';
import type { Caller } from '#domain/api-key.ts';
import { fixedClock } from '#domain/clock.ts';
import { CHANNELS } from '#domain/customer.ts';
import { invoker, type Invoke } from '../test-support/api-event.ts';
import { testTables, type TestTables } from '../test-support/dynamo.ts';

/*
 * Issue 18 item 3: actions, triggers and channel connections carry ETags `"<version>"` as
 * customers do. PUT and DELETE take If-Match (412 when it does not hold); without it a PUT is
 * last-writer-wins and never a 412. A GET body edited and sent back is a valid PUT body.
 */

const acme: Caller = { tenant: 'acme', scope: 'admin', keyId: 'acme-admin' };
const globex: Caller = { tenant: 'globex', scope: 'admin', keyId: 'globex-admin' };

let t: TestTables;
let decisions: Invoke;
let events: Invoke;
let channels: Invoke;

beforeAll(async () => {
  t = await testTables(['acme', 'globex', 'webhooks']);
  Object.assign(process.env, t.env, {
    DECISIONING: JSON.stringify(decisioningSettingsOf(loadMarket('demo'))),
    CVM_LOCAL_DIR: mkdtempSync(join(tmpdir(), 'cvm-versioned-')),
    DELIVERY: JSON.stringify({ channels: {}, tenants: {}, allowPrivateTargets: true, marketChannels: CHANNELS }),
  });
  decisions = invoker((await import('./serve-decisions.ts')).handler as never);
  events = invoker((await import('./serve-events.ts')).handler as never);
  channels = invoker((await import('./serve-channels.ts')).handler as never);
});

const db = () => documentClient({ endpoint: t.endpoint });

const trigger = {
  eventType: 'network.call_dropped',
  condition: { '>=': [{ var: 'state.droppedCalls24h' }, 3] },
  actionId: 'care-health-check-call',
  channel: 'call-centre',
  cooldownHours: 24,
  priority: 10,
  enabled: true,
};
const sms = { type: 'sms', originationIdentity: 'CVMDEMO', configurationSetName: 'cvm-demo' };

/** One kind of versioned resource: where a fresh one lives, a body for it and an edit of that body. */
interface Resource {
  call: () => Invoke;
  /** A resource nobody wrote yet (channels: a channel not yet connected, of one tenant or the other). */
  fresh: () => { path: string; caller: Caller };
  body: Record<string, unknown>;
  /** The body with one field changed, and that field's value read back. */
  edit: (body: Record<string, unknown>, n: number) => Record<string, unknown>;
  field: string;
  list: string;
  deletes: boolean;
}

let ids = 0;
const channelSlots = [acme, globex].flatMap((caller) => CHANNELS.map((channel) => ({ caller, channel })));
const RESOURCES: [string, Resource][] = [
  [
    'actions',
    {
      call: () => decisions,
      fresh: () => ({ path: `/v1/actions/vr-${++ids}`, caller: acme }),
      body: { ...demoCatalog[0]!, actionId: undefined },
      edit: (b, n) => ({ ...b, name: `edited ${n}` }),
      field: 'name',
      list: '/v1/actions',
      deletes: true,
    },
  ],
  [
    'triggers',
    {
      call: () => events,
      fresh: () => ({ path: `/v1/triggers/vr-${++ids}`, caller: acme }),
      body: trigger,
      edit: (b, n) => ({ ...b, cooldownHours: n }),
      field: 'cooldownHours',
      list: '/v1/triggers',
      deletes: true,
    },
  ],
  [
    'channels',
    {
      call: () => channels,
      fresh: () => {
        const slot = channelSlots.shift()!;
        return { path: `/v1/channels/${slot.channel}`, caller: slot.caller };
      },
      body: sms,
      edit: (b, n) => ({ ...b, originationIdentity: `SENDER${n}` }),
      field: 'originationIdentity',
      list: '/v1/channels',
      deletes: false,
    },
  ],
];

describe.each(RESOURCES)('%s', (_name, r) => {
  const send = (method: string, at: { path: string; caller: Caller }, body?: unknown, ifMatch?: string) =>
    r.call()({
      method,
      path: at.path,
      caller: at.caller,
      ...(body === undefined ? {} : { body }),
      ...(ifMatch === undefined ? {} : { headers: { 'if-match': ifMatch } }),
    });
  const created = async () => {
    const at = r.fresh();
    const res = await send('PUT', at, r.body);
    expect(res.status).toBe(201);
    expect(res.headers['etag']).toBe('"1"');
    return at;
  };

  it('shows the version in GET, as ETag and in the body, and in the list', async () => {
    const at = await created();
    const read = await send('GET', at);
    expect(read.status).toBe(200);
    expect(read.headers['etag']).toBe('"1"');
    expect(read.json).toMatchObject({ version: 1, createdAt: expect.any(String), updatedAt: expect.any(String) });
    const list = await r.call()({ method: 'GET', path: r.list, caller: at.caller });
    const id = at.path.split('/').pop();
    expect(list.json.items.find((i: Record<string, unknown>) => Object.values(i).includes(id))).toMatchObject({
      version: 1,
    });
  });

  it('replaces with the current ETag (200 and the next ETag) and refuses a stale one (412, nothing changes)', async () => {
    const at = await created();
    const replaced = await send('PUT', at, r.edit(r.body, 2), '"1"');
    expect(replaced.status).toBe(200);
    expect(replaced.headers['etag']).toBe('"2"');
    expect(replaced.json.version).toBe(2);
    const stale = await send('PUT', at, r.edit(r.body, 3), '"1"');
    expect(stale.status).toBe(412);
    expect(stale.json.type).toContain('precondition-failed');
    const read = await send('GET', at);
    expect(read.headers['etag']).toBe('"2"');
    expect(read.json[r.field]).toBe(r.edit(r.body, 2)[r.field]);
    // a weak tag is well-formed but never matches (strong comparison)
    expect((await send('PUT', at, r.body, 'W/"2"')).status).toBe(412);
    expect((await send('PUT', at, r.body, '"2')).status).toBe(400);
  });

  it('answers If-Match: * on a missing one with 412 and creates nothing', async () => {
    const at = r.fresh();
    expect((await send('PUT', at, r.body, '*')).status).toBe(412);
    const read = await send('GET', at);
    if (r.deletes) expect(read.status).toBe(404);
    else expect(read.json).toMatchObject({ configured: false });
    expect(read.headers['etag']).toBeUndefined();
  });

  it.runIf(r.deletes)('deletes only at the version If-Match names: stale 412, current 204', async () => {
    const at = await created();
    await send('PUT', at, r.edit(r.body, 2));
    expect((await send('DELETE', at, undefined, '"1"')).status).toBe(412);
    expect((await send('GET', at)).status).toBe(200);
    expect((await send('DELETE', at, undefined, '"2"')).status).toBe(204);
    expect((await send('GET', at)).status).toBe(404);
    expect((await send('DELETE', at, undefined, '*')).status).toBe(412);
  });

  it("lets exactly one of two admins' conditional PUTs with the same ETag win; the other gets 412", async () => {
    const at = await created();
    const answers = await Promise.all([1, 2].map((n) => send('PUT', at, r.edit(r.body, n), '"1"')));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 412]);
    expect((await send('GET', at)).headers['etag']).toBe('"2"');
  });

  it('takes 10 concurrent unconditional PUTs, every one 2xx, each a version', async () => {
    const at = await created();
    const answers = await Promise.all(Array.from({ length: 10 }, (_, n) => send('PUT', at, r.edit(r.body, n))));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    expect((await send('GET', at)).headers['etag']).toBe('"11"');
  });

  it('takes a GET body, edited, back as a PUT body: the read-only fields are ignored', async () => {
    const at = await created();
    const read = await send('GET', at);
    const edited = r.edit({ ...read.json, version: 99, createdAt: 'then' }, 7);
    const res = await send('PUT', at, edited, read.headers['etag']);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ version: 2, createdAt: read.json.createdAt, [r.field]: edited[r.field] });
  });
});

describe('a webhook connection', () => {
  it('keeps its secret through a conditional replace, and a rotation moves the version on', async () => {
    const at = (method: string, body?: unknown, ifMatch?: string) =>
      channels({
        method,
        path: method === 'POST' ? '/v1/channels/sms/rotate-secret' : '/v1/channels/sms',
        caller: { ...acme, tenant: 'webhooks' },
        ...(body === undefined ? {} : { body }),
        ...(ifMatch === undefined ? {} : { headers: { 'if-match': ifMatch } }),
      });
    const made = await at('PUT', { type: 'webhook', url: 'http://127.0.0.1:9/hook' });
    expect(made.status).toBe(201);
    expect(made.json.secret).toEqual(expect.any(String));
    const replaced = await at('PUT', { type: 'webhook', url: 'http://127.0.0.1:9/v2' }, made.headers['etag']);
    expect(replaced.status).toBe(200);
    expect(replaced.json.secret).toBeUndefined();
    expect(replaced.json.secretCreatedAt).toBe(made.json.secretCreatedAt);
    expect((await at('POST')).status).toBe(200);
    expect((await at('GET')).headers['etag']).toBe('"3"');
    expect((await at('PUT', { type: 'queue' }, replaced.headers['etag'])).status).toBe(412);
  });
});

describe('items stored before versions existed', () => {
  it.each([
    [
      'action',
      '/v1/actions/legacy-a',
      () => actionItem({ ...demoCatalog[0]!, actionId: 'legacy-a' }),
      () => decisions,
      { ...demoCatalog[0]!, actionId: 'legacy-a', name: 'now versioned' },
    ],
    [
      'trigger',
      '/v1/triggers/legacy-t',
      () => ({
        ...trigger,
        triggerId: 'legacy-t',
        pk: 'T#legacy-t',
        sk: 'T',
        kind: 'trigger',
        gsi1pk: 'TRIGGERS',
        gsi1sk: 'legacy-t',
      }),
      () => events,
      { ...trigger, cooldownHours: 48 },
    ],
  ])('read a legacy %s as version 1 and take If-Match: "1"', async (_kind, path, item, call, body) => {
    await db().send(new PutCommand({ TableName: t.tenantTables['acme'], Item: item() }));
    const read = await call()({ method: 'GET', path, caller: acme });
    expect(read.headers['etag']).toBe('"1"');
    expect(read.json.version).toBe(1);
    expect(read.json.createdAt).toBeUndefined();
    // a concurrent PUT expecting version 2 must not pass for it
    expect((await call()({ method: 'PUT', path, body, caller: acme, headers: { 'if-match': '"2"' } })).status).toBe(
      412,
    );
    const res = await call()({ method: 'PUT', path, body, caller: acme, headers: { 'if-match': '"1"' } });
    expect(res.status).toBe(200);
    expect(res.headers['etag']).toBe('"2"');
  });
});

describe('the seeder', () => {
  it('writes version 1 and moves it on when it updates what it seeded', async () => {
    const tableOf = (tenant: string) => t.tenantTables[tenant]!;
    const ports = {
      actions: new DynamoActionCatalog(db(), tableOf),
      triggers: new DynamoTriggerStore(db(), tableOf),
      clock: fixedClock('2026-11-23T10:00:00Z'),
    };
    const action = { ...demoCatalog[0]!, actionId: 'seeded-a' };
    const seed = (name: string) =>
      seedStarter(ports)({ tenants: ['globex'], starter: { actions: [{ ...action, name }], triggers: [] } });
    await seed('first');
    const stored = async () =>
      (await db().send(new GetCommand({ TableName: tableOf('globex'), Key: { pk: 'A#seeded-a', sk: 'A' } }))).Item!;
    expect((await stored())['version']).toBe(1);
    expect((await seed('second'))['globex']!.actions.updated).toBe(1);
    expect(await stored()).toMatchObject({ version: 2, managedBy: 'seed', action: { name: 'second' } });
    const read = await decisions({ method: 'GET', path: '/v1/actions/seeded-a', caller: globex });
    expect(read.headers['etag']).toBe('"2"');
  });
});
