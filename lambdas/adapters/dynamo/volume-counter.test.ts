import fc from 'fast-check';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { testTables } from '../../test-support/dynamo.ts';
import { documentClient } from './client.ts';
import { DynamoVolumeCounter } from './volume-counter.ts';

let table: string;
const db = () => documentClient({ endpoint: process.env['DYNAMODB_ENDPOINT']! });
let day = 0;
/** A fresh day per case, so counters of earlier cases do not interfere. */
const nextDay = () => new Date(Date.UTC(2030, 0, 1) + day++ * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  const t = await testTables(['acme']);
  process.env['DYNAMODB_ENDPOINT'] = t.endpoint;
  table = t.tenantTables['acme']!;
});

async function stored(actionId: string, d: string, shards: number): Promise<number> {
  let sum = 0;
  for (let s = 0; s < shards; s++) {
    const out = await db().send(new GetCommand({ TableName: table, Key: { pk: `V#${actionId}#${d}#${s}`, sk: 'V' } }));
    sum += Number(out.Item?.['n'] ?? 0);
  }
  return sum;
}

describe('the daily volume counter', () => {
  it('hands out exactly the cap from one container, leasing blocks so a capped action costs a write per block', async () => {
    const d = nextDay();
    const counter = new DynamoVolumeCounter(db(), () => table, 4);
    let granted = 0;
    for (let i = 0; i < 1020; i++) if (await counter.reserve('acme', 'retention', d, 1000, `k${i}`)) granted++;
    expect(granted).toBe(1000);
    expect(await stored('retention', d, 4)).toBe(1000);
    // 250 per shard -> blocks of 5: 200 leases plus the probes that found a shard full
    expect(counter.writes).toBeLessThan(215);
  });

  it('never exceeds the cap across containers and interleavings, whatever the cap and block', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 220 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 12 }),
        async (perDay, containers, shards, maxBlock) => {
          const d = nextDay();
          const counters = Array.from(
            { length: containers },
            () => new DynamoVolumeCounter(db(), () => table, shards, 3, maxBlock),
          );
          const attempts = perDay + 20;
          const results = await Promise.all(
            Array.from({ length: attempts }, (_, i) =>
              counters[i % containers]!.reserve('acme', 'offer', d, perDay, `k${i}`),
            ),
          );
          const granted = results.filter(Boolean).length;
          expect(granted).toBeLessThanOrEqual(perDay);
          expect(await stored('offer', d, Math.min(shards, perDay))).toBeLessThanOrEqual(perDay);
          // what is lost is bounded: the units other containers leased and did not use
          expect(granted).toBeGreaterThanOrEqual(perDay - containers * Math.min(shards, perDay) * (maxBlock - 1));
        },
      ),
      { numRuns: 15 },
    );
  }, 120_000);
});
