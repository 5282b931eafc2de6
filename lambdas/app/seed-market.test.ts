import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoActionCatalog } from '#adapters/dynamo/action-catalog.ts';
import { DynamoAuditLog } from '#adapters/dynamo/audit-log.ts';
import { documentClient } from '#adapters/dynamo/client.ts';
import { DynamoKeyStore } from '#adapters/dynamo/key-store.ts';
import { DynamoTriggerStore } from '#adapters/dynamo/trigger-store.ts';
import { loadMarket } from '#config/markets/index.ts';
import type { Action } from '#domain/action.ts';
import { hashApiKey } from '#domain/api-key.ts';
import { fixedClock } from '#domain/clock.ts';
import { type AdminKeyVault, isInitialAdminKeyId, type Starter } from '#domain/starter.ts';
import { testTables, type TestTables } from '../test-support/dynamo.ts';
import { deleteAction, putAction } from './actions.ts';
import { authorize } from './authorize.ts';
import { issueFirstAdminKeys, seedStarter, type StarterPorts } from './seed-market.ts';

const demo = loadMarket('demo').starter;
const clock = fixedClock('2026-11-23T10:00:00Z');
const logged: { message: string; fields: Record<string, unknown> }[] = [];

let t: TestTables;
let catalog: DynamoActionCatalog;
let triggers: DynamoTriggerStore;
let keys: DynamoKeyStore;
let audit: DynamoAuditLog;
let ports: StarterPorts;

beforeAll(async () => {
  t = await testTables(['acme', 'globex']);
  const db = documentClient({ endpoint: t.endpoint });
  const tableOf = (tenant: string) => t.tenantTables[tenant]!;
  catalog = new DynamoActionCatalog(db, tableOf);
  triggers = new DynamoTriggerStore(db, tableOf);
  keys = new DynamoKeyStore(db, t.keysTable);
  audit = new DynamoAuditLog(db, tableOf);
  ports = {
    actions: catalog,
    triggers,
    audit,
    clock,
    log: { info: (message, fields) => logged.push({ message, fields }) },
  };
});

const seed = (starter: Starter) => seedStarter(ports)({ tenants: ['acme', 'globex'], starter });
const withAction = (starter: Starter, actionId: string, change: Partial<Action>): Starter => ({
  ...starter,
  actions: starter.actions.map((a) => (a.actionId === actionId ? { ...a, ...change } : a)),
});

/** A vault in memory, counting writes; `failNext` makes the next store fail like a lost connection. */
function memoryVault(): AdminKeyVault & { values: Map<string, string>; writes: number; failNext: boolean } {
  const values = new Map<string, string>();
  return {
    values,
    writes: 0,
    failNext: false,
    async hasKey(tenant) {
      return values.has(tenant);
    },
    async store(tenant, apiKey) {
      if (this.failNext) {
        this.failNext = false;
        throw new Error('connection reset');
      }
      this.writes++;
      values.set(tenant, apiKey);
    },
  };
}

describe('seeding the starter catalog and triggers', () => {
  it("creates every starter action and trigger in every tenant's table", async () => {
    const report = await seed(demo);
    for (const tenant of ['acme', 'globex']) {
      expect(report[tenant]!.actions).toEqual({ created: demo.actions.length, updated: 0, unchanged: 0, skipped: 0 });
      expect(report[tenant]!.triggers).toEqual({ created: demo.triggers.length, updated: 0, unchanged: 0, skipped: 0 });
      expect((await catalog.list(tenant)).map((a) => a.actionId).sort()).toEqual(
        demo.actions.map((a) => a.actionId).sort(),
      );
      expect((await triggers.list(tenant)).sort((a, b) => a.triggerId.localeCompare(b.triggerId))).toEqual(
        [...demo.triggers].sort((a, b) => a.triggerId.localeCompare(b.triggerId)),
      );
    }
  });

  it('writes nothing the second time', async () => {
    const auditBefore = (await audit.list('acme', '2026-11', { limit: 500 })).items.length;
    const report = await seed(demo);
    expect(report['acme']!.actions).toEqual({ created: 0, updated: 0, unchanged: demo.actions.length, skipped: 0 });
    expect(report['acme']!.triggers).toEqual({ created: 0, updated: 0, unchanged: demo.triggers.length, skipped: 0 });
    expect((await audit.list('acme', '2026-11', { limit: 500 })).items.length).toBe(auditBefore);
  });

  it('records what it wrote in the audit trail with the actor seed', async () => {
    const entries = (await audit.list('globex', '2026-11', { limit: 500 })).items;
    expect(entries.filter((e) => e.what === 'action.put').map((e) => e.keyId)).toEqual(demo.actions.map(() => 'seed'));
  });

  it('updates an item it still manages when the config changes', async () => {
    const changed = withAction(demo, 'bundle-upgrade-10gb', { value: 65 });
    const report = await seed(changed);
    expect(report['acme']!.actions).toMatchObject({ updated: 1, unchanged: demo.actions.length - 1 });
    expect((await catalog.get('acme', 'bundle-upgrade-10gb'))?.value).toBe(65);
    // and then leaves it be
    expect((await seed(changed))['acme']!.actions.updated).toBe(0);
  });

  it('leaves an action the tenant wrote through the API alone when the config changes, with a log line', async () => {
    const current = withAction(demo, 'bundle-upgrade-10gb', { value: 65 });
    const mine = { ...current.actions.find((a) => a.actionId === 'retention-discount-20')!, value: 1 };
    await putAction({ catalog, clock })('acme', mine, { keyId: 'acme-admin' });
    logged.length = 0;
    const report = await seed(withAction(current, 'retention-discount-20', { value: 999, name: 'Changed by config' }));
    expect(await catalog.get('acme', 'retention-discount-20')).toEqual(mine);
    expect(report['acme']!.actions).toMatchObject({ skipped: 1, updated: 0 });
    // the other tenant never touched it, so there the config change applies
    expect((await catalog.get('globex', 'retention-discount-20'))?.value).toBe(999);
    expect(logged).toEqual([
      {
        message: 'seeding left a tenant item alone',
        fields: { tenant: 'acme', kind: 'action', id: 'retention-discount-20', reason: 'tenant-owned' },
      },
    ]);
  });

  it('leaves a trigger the tenant rewrote alone, even with the very content the seeder wrote', async () => {
    const same = demo.triggers.find((x) => x.triggerId === 'data-80-percent')!;
    await triggers.put('acme', same);
    const report = await seed({
      ...demo,
      triggers: demo.triggers.map((x) => (x.triggerId === same.triggerId ? { ...x, cooldownHours: 96 } : x)),
    });
    expect((await triggers.get('acme', same.triggerId))?.cooldownHours).toBe(same.cooldownHours);
    expect((await triggers.get('globex', same.triggerId))?.cooldownHours).toBe(96);
    expect(report['acme']!.triggers.skipped).toBe(1);
  });

  it('leaves an item that is no longer in the config where it is', async () => {
    const without = { ...demo, actions: demo.actions.filter((a) => a.actionId !== 'device-upgrade') };
    const before = await catalog.get('globex', 'device-upgrade');
    await seed(without);
    expect(await catalog.get('globex', 'device-upgrade')).toEqual(before);
  });

  it('does not bring back an item the tenant deleted', async () => {
    await deleteAction({ catalog, clock })('globex', 'network-fix-info', { keyId: 'globex-admin' });
    const report = await seed(withAction(demo, 'network-fix-info', { value: 3 }));
    expect(await catalog.get('globex', 'network-fix-info')).toBeUndefined();
    expect(report['globex']!.actions.skipped).toBeGreaterThanOrEqual(1);
  });
});

describe("each tenant's first admin key", () => {
  it('is created once: its hash in the key table, the key only in the vault, and it authorizes', async () => {
    const vault = memoryVault();
    const issue = issueFirstAdminKeys({ keys, vault, clock, audit });
    expect(await issue(['acme', 'globex'])).toEqual({ acme: 'issued', globex: 'issued' });
    expect(await issue(['acme', 'globex'])).toEqual({ acme: 'kept', globex: 'kept' });
    expect(vault.writes).toBe(2);

    const key = vault.values.get('acme')!;
    const record = await keys.find(hashApiKey(key));
    expect(record).toMatchObject({ tenant: 'acme', scope: 'admin', status: 'active' });
    expect(isInitialAdminKeyId('acme', record!.keyId)).toBe(true);
    await expect(authorize({ keys, clock })(key)).resolves.toMatchObject({
      caller: { tenant: 'acme', scope: 'admin' },
    });
    // one initial admin key per tenant, however often it runs
    const initial = (await keys.list('acme')).filter((k) => isInitialAdminKeyId('acme', k.record.keyId));
    expect(initial).toHaveLength(1);
    const created = (await audit.list('acme', '2026-11', { limit: 500 })).items.filter((e) => e.what === 'key.created');
    expect(created.map((e) => e.keyId)).toEqual(['seed']);
  });

  it('revokes the record of an attempt that died before the key was stored, and issues a working key', async () => {
    const fresh = await testTables(['initech']);
    const db = documentClient({ endpoint: fresh.endpoint });
    const store = new DynamoKeyStore(db, fresh.keysTable);
    const vault = memoryVault();
    vault.failNext = true;
    const issue = issueFirstAdminKeys({ keys: store, vault, clock });
    await expect(issue(['initech'])).rejects.toThrow('connection reset');
    const [stranded] = (await store.list('initech')).filter((k) => isInitialAdminKeyId('initech', k.record.keyId));

    expect(await issue(['initech'])).toEqual({ initech: 'issued' });
    expect((await store.find(stranded!.keyHash))?.status).toBe('revoked');
    await expect(authorize({ keys: store, clock })(vault.values.get('initech'))).resolves.toMatchObject({
      caller: { tenant: 'initech', scope: 'admin' },
    });
  });
});
