/**
 * Events: the state fold in-process on one core, ingestion end to end on the local runtime
 * (HTTP -> local queue -> processor -> DynamoDB Local), and billed write units per event at steady
 * state for a typical customer (ids in the state item) and a heavy one (ids spilled to id records),
 * each against the other path (scripts/bench/write-units.ts).
 *
 *   npx tsx scripts/bench/events.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { documentClient } from '#adapters/dynamo/client.ts';
import { TENANT_TABLE } from '#adapters/dynamo/table-design.ts';
import { localQueues } from '#adapters/local/local-event-queue.ts';
import { applyEvent, type CustomerState } from '#domain/customer-state.ts';
import { freePort } from '../../lambdas/test-support/dynamo-local.ts';
import type { LocalQueue } from '../local/local-queue.ts';
import { startRuntime } from '../local/runtime.ts';
import { ensureTable } from '../../lambdas/test-support/ensure-table.ts';
import type { BenchFigure } from './figure.ts';
import { demoMix, stateWriteUnits } from './write-units.ts';

const NOW = new Date('2026-03-02T10:00:00Z');

/** Events folded per second on this thread: 5,000 customers x 20 events (a customer-day) of the demo mix. */
function foldRate(): number {
  const events = demoMix(5000, 20, NOW);
  const config = { dedupeWindowHours: 48 };
  let best = 0;
  for (let run = 0; run < 3; run++) {
    const states = new Map<string, CustomerState | undefined>();
    const t0 = performance.now();
    for (const e of events) states.set(e.customerId, applyEvent(states.get(e.customerId), e, NOW, config));
    best = Math.max(best, events.length / ((performance.now() - t0) / 1000));
  }
  return best;
}

/** Events per second through the local runtime: POSTs of 500 until every queue is drained. */
async function endToEndRate(): Promise<{
  rate: number;
  writeUnits: Awaited<ReturnType<typeof stateWriteUnits>>;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'cvm-bench-events-'));
  const rt = await startRuntime({ dir, fresh: true, port: await freePort(), now: NOW.toISOString() });
  try {
    const key = rt.tenants['consumer']!.channelKey;
    const events = demoMix(2000, 10, NOW);
    const queue = localQueues.get('consumer') as LocalQueue;
    const t0 = performance.now();
    const posts: Promise<Response>[] = [];
    for (let i = 0; i < events.length; i += 500) {
      posts.push(
        fetch(`${rt.baseUrl}/v1/events`, {
          method: 'POST',
          headers: { 'x-api-key': key, 'content-type': 'application/json' },
          body: JSON.stringify({ events: events.slice(i, i + 500) }),
        }),
      );
    }
    for (const res of await Promise.all(posts))
      if (res.status !== 202) throw new Error(`POST /v1/events answered ${res.status}`);
    await queue.drained(300_000);
    const rate = events.length / ((performance.now() - t0) / 1000);

    // write units, on the same DynamoDB Local
    const client = new DynamoDBClient({
      endpoint: rt.dynamo.endpoint,
      region: 'local',
      credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
    });
    const table = 'cvm-bench-write-units';
    const twin = 'cvm-bench-write-units-twin';
    await ensureTable(client, table, TENANT_TABLE);
    await ensureTable(client, twin, TENANT_TABLE);
    client.destroy();
    const writeUnits = await stateWriteUnits(documentClient({ endpoint: rt.dynamo.endpoint }), table, twin, 100);
    return { rate, writeUnits };
  } finally {
    await rt.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runEventsBench(): Promise<BenchFigure[]> {
  const fold = foldRate();
  const { rate, writeUnits } = await endToEndRate();
  const r2 = (n: number) => Math.round(n * 100) / 100;
  return [
    {
      name: 'state fold, in process, one core (5,000 customers x 20 events)',
      value: Math.round(fold),
      unit: 'events/s',
      reference: 'aim 50,000',
      ratio: r2(fold / 50_000),
    },
    {
      name: 'end to end on the local runtime (HTTP -> queue -> processor -> DynamoDB Local)',
      value: Math.round(rate),
      unit: 'events/s',
      reference: 'aim 500',
      ratio: r2(rate / 500),
    },
    {
      name: 'write units per event, typical customer (20 a day, demo mix), one event per write: ids in the state item',
      value: r2(writeUnits.typical.write),
      unit: 'WCU/event',
      reference: { name: 'its ids as id records', value: r2(writeUnits.typicalAllRecords.write), unit: 'WCU/event' },
      ratio: r2(writeUnits.typical.write / writeUnits.typicalAllRecords.write),
    },
    {
      name: 'write units per event, heavy sender (2,000 a day), one event per write: ids spilled to id records',
      value: r2(writeUnits.heavy.write),
      unit: 'WCU/event',
      reference: { name: 'its ids in the state item', value: r2(writeUnits.heavyAllInItem.write), unit: 'WCU/event' },
      ratio: r2(writeUnits.heavy.write / writeUnits.heavyAllInItem.write),
    },
    {
      name: 'write units per event, heavy sender, 10 of its events per write',
      value: r2(writeUnits.heavyTenPerWrite.write),
      unit: 'WCU/event',
      reference: { name: 'one event per write', value: r2(writeUnits.heavy.write), unit: 'WCU/event' },
      ratio: r2(writeUnits.heavyTenPerWrite.write / writeUnits.heavy.write),
    },
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const f of await runEventsBench()) console.log(JSON.stringify(f));
  process.exit(0);
}
