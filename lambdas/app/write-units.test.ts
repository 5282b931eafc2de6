import { describe, expect, it } from 'vitest';
import { documentClient } from '#adapters/dynamo/client.ts';
import { testTables } from '../test-support/dynamo.ts';
import { senderUnits } from '../../scripts/bench/write-units.ts';

/** Billed units per event at steady state on DynamoDB Local (scripts/bench/write-units.ts; docs/capacity.md). */
describe('write units per event (DynamoDB Local, ReturnConsumedCapacity)', () => {
  it("keeps a typical customer's ids in the state item, cheaper there than as id records", async () => {
    const t = await testTables(['wu', 'twin']);
    const db = documentClient({ endpoint: t.endpoint });
    const run = (customerId: string, maxSeenIds?: number) =>
      senderUnits(db, t.tenantTables['wu']!, t.tenantTables['twin']!, {
        customerId,
        perDay: 20,
        historyDays: 31,
        measured: 20,
        ...(maxSeenIds !== undefined ? { stateConfig: { maxSeenIds } } : {}),
      });
    const inItem = await run('typical');
    const asRecords = await run('typical-records', 0);
    expect(inItem.write).toBeLessThanOrEqual(3);
    expect(inItem.write).toBeLessThan(asRecords.write);
  });

  it("spills a heavy sender's ids to id records at a flat price, a fraction of keeping them in the item", async () => {
    const t = await testTables(['wu', 'twin']);
    const db = documentClient({ endpoint: t.endpoint });
    const run = (customerId: string, over: { maxSeenIds?: number; perWrite?: number } = {}) =>
      senderUnits(db, t.tenantTables['wu']!, t.tenantTables['twin']!, {
        customerId,
        perDay: 2000,
        historyDays: 2.5,
        measured: 30,
        ...(over.perWrite ? { perWrite: over.perWrite } : {}),
        ...(over.maxSeenIds !== undefined ? { stateConfig: { maxSeenIds: over.maxSeenIds } } : {}),
      });
    const spilled = await run('heavy');
    const batched = await run('heavy-10', { perWrite: 10 });
    const inItem = await run('heavy-in-item', { maxSeenIds: Number.POSITIVE_INFINITY });
    expect(spilled.write).toBeLessThanOrEqual(6);
    expect(spilled.read).toBeLessThanOrEqual(2);
    expect(batched.write).toBeLessThan(spilled.write);
    expect(spilled.write * 5).toBeLessThan(inItem.write);
  });
});
