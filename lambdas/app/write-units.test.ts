import { describe, expect, it } from 'vitest';
import { documentClient } from '#adapters/dynamo/client.ts';
import { testTables } from '../test-support/dynamo.ts';
import { chosenDesignUnits, demoMix, transactionalDesignUnits } from '../../scripts/bench/write-units.ts';

const NOW = new Date('2026-03-02T10:00:00Z');

describe('write units per event (DynamoDB Local, ReturnConsumedCapacity)', () => {
  it('costs fewer units with the ids in the state item than with a transactional id record', async () => {
    const t = await testTables(['wu']);
    const db = documentClient({ endpoint: t.endpoint });
    const table = t.tenantTables['wu']!;
    const mix = () => demoMix(8, 20, NOW);
    const chosenSingle = await chosenDesignUnits(db, table, mix(), 1, NOW);
    const chosenBatched = await chosenDesignUnits(db, table, mix(), 100, NOW);
    const txSingle = await transactionalDesignUnits(db, table, mix(), 1, NOW);
    const txBatched = await transactionalDesignUnits(db, table, mix(), 100, NOW);
    expect(chosenSingle).toBeGreaterThan(0);
    expect(chosenSingle).toBeLessThanOrEqual(4);
    expect(chosenSingle).toBeLessThan(txSingle);
    expect(chosenBatched).toBeLessThan(txBatched);
  });
});
