import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localQueues } from '#adapters/local/local-event-queue.ts';
import { eventQueueName } from '#adapters/sqs/queue-design.ts';
import { startRuntime, type Runtime } from '../scripts/local/runtime.ts';
import type { LocalQueue } from '../scripts/local/local-queue.ts';
import { eventLoadWithFaults } from './support/fault-load.ts';
import { send } from './support/http-fuzz.ts';

/**
 * Faults (issue 10), in process so the test can reach the queues: DynamoDB Local SIGKILLed twice
 * during a load of events and brought back by the runtime's supervisor on the same port and
 * data folder; a poison message. The scoring endpoint slow or failing is covered by
 * lambdas/adapters/sagemaker (timeouts and the in-process fallback), not here.
 */
let rt: Runtime;
let dir: string;
const customers = Array.from({ length: 20 }, (_, i) => `fault-cust-${i}`);
const get = (path: string, key: string) =>
  send(rt.baseUrl, { method: 'GET', path, headers: { 'x-api-key': key } }, 10_000);
const consumerQueue = () => localQueues.get('consumer') as LocalQueue;
const dlqLines = () => {
  const file = join(dir, 'dlq', `${eventQueueName('demo-dev', 'consumer')}.jsonl`);
  return existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { body: string })
    : [];
};
async function eventually<T>(check: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cvm-faults-'));
  process.env['CVM_DYNAMO_RESTART_MS'] = '1500';
  // time scale 10: the 180 s visibility timeout becomes 18 s, so five receives (90 s) outlast even a slow JVM restart on a busy machine, so redeliveries come quickly
  rt = await startRuntime({ dir, port: 0, fresh: true, timeScale: 10 });
  const admin = rt.tenants['consumer']!.apiKey;
  for (const id of customers) {
    const res = await send(rt.baseUrl, {
      method: 'PUT',
      path: `/v1/customers/${id}`,
      headers: { 'x-api-key': admin, 'content-type': 'application/json' },
      body: JSON.stringify({ consent: { app: true } }),
    });
    expect(res.status).toBe(201);
  }
});

afterAll(async () => {
  await rt?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('DynamoDB Local killed and restarted during a load of events', () => {
  it('answers 503 with Retry-After while it is down, never hangs, and loses or doubles nothing', async () => {
    const pids: number[] = [];
    const result = await eventLoadWithFaults({
      baseUrl: rt.baseUrl,
      channelKey: rt.tenants['consumer']!.channelKey,
      coldKeys: [rt.tenants['enterprise']!.channelKey, rt.tenants['enterprise']!.apiKey],
      customers,
      kills: 2,
      calmSeconds: 4,
      recovered: (k) => rt.dynamo.restarts >= k,
      kill: () => {
        pids.push(rt.dynamo.pid);
        process.kill(rt.dynamo.pid, 'SIGKILL');
      },
    });
    const summary = {
      ...result,
      accepted: [...result.accepted.values()].reduce((n, s) => n + s.size, 0),
      restarts: rt.dynamo.restarts,
    };
    console.log('faults:', JSON.stringify(summary));
    expect(result.faults).toBe(2);
    expect(result.other5xx).toEqual([]);
    expect(result.bad503).toBe(0);
    expect(result.byStatus[503] ?? 0).toBeGreaterThan(0);
    expect(result.slowestMs).toBeLessThan(10_000);
    expect(new Set(pids).size).toBe(2); // the second kill hit the restarted JVM

    // after recovery: every accepted event counted exactly once, nothing in the DLQ
    expect(rt.dynamo.restarts).toBe(2);
    await consumerQueue().drained(180_000);
    const channelKey = rt.tenants['consumer']!.channelKey;
    let counted = 0;
    for (const id of customers) {
      const res = await get(`/v1/customers/${id}`, channelKey);
      expect(res.status).toBe(200);
      const topups = (JSON.parse(res.body) as { state: { topups30d: { count: number; amount: number } } }).state
        .topups30d;
      const expected = result.accepted.get(id)?.size ?? 0;
      expect({ id, count: topups.count, amount: topups.amount }).toEqual({ id, count: expected, amount: expected });
      counted += topups.count;
    }
    console.log(
      `events: ${result.eventsSent} sent (${result.duplicatesSent} of them duplicates), ${summary.accepted} distinct accepted, ${counted} counted`,
    );
    expect(dlqLines()).toEqual([]);
  });

  it('moves a poison message to the DLQ while the events around it flow', async () => {
    const queue = consumerQueue();
    const before = dlqLines().length;
    await queue.sendBatch([
      JSON.stringify({
        tenant: 'consumer',
        event: {
          eventId: 'poison-1',
          customerId: customers[0],
          type: 'billing.topup',
          occurredAt: 'not a date',
          data: {},
        },
      }),
    ]);
    const channelKey = rt.tenants['consumer']!.channelKey;
    const baseline = JSON.parse((await get(`/v1/customers/${customers[1]}`, channelKey)).body).state.topups30d
      .count as number;
    const res = await send(rt.baseUrl, {
      method: 'POST',
      path: '/v1/events',
      headers: { 'x-api-key': channelKey, 'content-type': 'application/json' },
      body: JSON.stringify({
        events: [
          {
            eventId: 'after-poison',
            customerId: customers[1],
            type: 'billing.topup',
            occurredAt: new Date().toISOString(),
            data: { amount: 1 },
          },
        ],
      }),
    });
    expect(res.status).toBe(202);
    // the good event is counted while the poison is still being retried
    await eventually(
      async () =>
        expect(JSON.parse((await get(`/v1/customers/${customers[1]}`, channelKey)).body).state.topups30d.count).toBe(
          baseline + 1,
        ),
      10_000,
    );
    expect(dlqLines().length).toBe(before);
    // five receives, 18 s apart (the visibility timeout at time scale 10), then the DLQ
    await eventually(
      async () => expect(dlqLines().map((l) => JSON.parse(l.body).event.eventId)).toEqual(['poison-1']),
      150_000,
    );
    await queue.drained(5_000);
  });
});
