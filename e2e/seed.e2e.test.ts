import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoActionCatalog } from '#adapters/dynamo/action-catalog.ts';
import { documentClient } from '#adapters/dynamo/client.ts';
import { DynamoTriggerStore } from '#adapters/dynamo/trigger-store.ts';
import { deploymentOf } from '#config/market-config.ts';
import { tenantTableName } from '#adapters/dynamo/table-design.ts';
import { contentHash } from '#domain/starter.ts';
import { apiClient, expectAnswer, fetchTransport } from '../scripts/lib/api/api-client.ts';
import { startRuntime, type Runtime } from '../scripts/local/runtime.ts';
import { seedCatalog } from '../scripts/local/seed-catalog.ts';

let rt: Runtime;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cvm-seed-'));
  rt = await startRuntime({ dir, port: 0, fresh: true, inMemory: true, reportsIntervalMs: 3_600_000 });
});
afterAll(async () => {
  await rt?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('npm start', () => {
  it("has the market's starter catalog and triggers in every tenant, written by the seeding use case", async () => {
    const { starter } = rt.market;
    const tableOf = (tenant: string) => tenantTableName(deploymentOf(rt.market), tenant);
    const db = documentClient({ endpoint: rt.dynamo.endpoint });
    for (const tenant of rt.market.tenants.map((t) => t.id)) {
      const api = apiClient(fetchTransport(rt.baseUrl), { key: rt.tenants[tenant]!.apiKey });
      expect(
        expectAnswer(await api.get('/v1/actions'), 200)
          .json.items.map((a) => a.actionId)
          .sort(),
      ).toEqual(starter.actions.map((a) => a.actionId).sort());
      expect(
        expectAnswer(await api.get('/v1/triggers'), 200)
          .json.items.map((t) => t.triggerId)
          .sort(),
      ).toEqual(starter.triggers.map((t) => t.triggerId).sort());
      // the seed mark is what only the seeding use case writes
      const [action] = starter.actions;
      expect((await new DynamoActionCatalog(db, tableOf).readSeeded(tenant, action!.actionId))?.seed).toEqual({
        managedBy: 'seed',
        seedHash: contentHash(action),
      });
      const [trigger] = starter.triggers;
      expect((await new DynamoTriggerStore(db, tableOf).readSeeded(tenant, trigger!.triggerId))?.seed?.managedBy).toBe(
        'seed',
      );
    }
    // a restart seeds again and writes nothing
    const tables = Object.fromEntries(rt.market.tenants.map((t) => [t.id, tableOf(t.id)]));
    const again = await seedCatalog(rt.market, rt.dynamo.endpoint, tables);
    for (const report of Object.values(again)) {
      expect(report.actions).toMatchObject({ created: 0, updated: 0, unchanged: starter.actions.length });
      expect(report.triggers).toMatchObject({ created: 0, updated: 0, unchanged: starter.triggers.length });
    }
  });
});
