/**
 * Fault injection against the in-process local runtime: a steady load of events (with
 * duplicates) while DynamoDB Local is SIGKILLed and comes back through the runtime's supervisor,
 * and readers that must get an answer (never a hang) — 503 problem+json with Retry-After while
 * the database is down. Shared by e2e/faults.long.test.ts and the quick e2e/faults.e2e.test.ts.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { send, type RawResponse } from './http-fuzz.ts';

export interface FaultLoadResult {
  requests: number;
  byStatus: Record<number, number>;
  /** 503s without Retry-After or without problem+json (must be 0). */
  bad503: number;
  /** 5xx other than 503 (must be 0). */
  other5xx: string[];
  slowestMs: number;
  eventsSent: number;
  duplicatesSent: number;
  /** customerId -> distinct event ids accepted with 202. */
  accepted: Map<string, Set<string>>;
  faults: number;
  /** Seconds from each kill until the supervisor had the database back. */
  downSeconds: number[];
}

export async function eventLoadWithFaults(opts: {
  baseUrl: string;
  channelKey: string;
  /** Keys first used while the database is down (the authorizer must answer 503, not 500). */
  coldKeys?: string[];
  customers: string[];
  /** How many times to kill the database; each kill waits until it is back up. */
  kills: number;
  /** Seconds of load before the first kill, between a recovery and the next kill, and after the last. */
  calmSeconds: number;
  kill: () => void;
  /** True once the database is answering again after `kills` kills. */
  recovered: (kills: number) => boolean;
  requestTimeoutMs?: number;
}): Promise<FaultLoadResult> {
  const r: FaultLoadResult = {
    requests: 0,
    byStatus: {},
    bad503: 0,
    other5xx: [],
    slowestMs: 0,
    eventsSent: 0,
    duplicatesSent: 0,
    accepted: new Map(),
    faults: 0,
    downSeconds: [],
  };
  const timeout = opts.requestTimeoutMs ?? 10_000;
  const note = (label: string, res: RawResponse) => {
    r.requests++;
    r.byStatus[res.status] = (r.byStatus[res.status] ?? 0) + 1;
    r.slowestMs = Math.max(r.slowestMs, res.ms);
    if (res.status === 503) {
      const problemJson = String(res.headers['content-type'] ?? '').startsWith('application/problem+json');
      const retryAfter = Number(res.headers['retry-after']);
      if (!problemJson || !(retryAfter > 0)) r.bad503++;
    } else if (res.status >= 500) r.other5xx.push(`${label}: ${res.status} ${res.body.slice(0, 200)}`);
  };
  const json = (key: string, method: string, path: string, body?: unknown) =>
    send(
      opts.baseUrl,
      {
        method,
        path,
        headers: { 'x-api-key': key, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      },
      timeout,
    );

  let done = false;
  const sentBatches: { customerId: string; eventId: string }[][] = [];
  let n = 0;
  const coldKeys = [...(opts.coldKeys ?? [])];
  let downSince = 0;

  const writer = async () => {
    while (!done) {
      let batch: { customerId: string; eventId: string }[];
      if (sentBatches.length > 3 && n % 5 === 0) {
        batch = sentBatches[n % sentBatches.length]!; // a duplicate delivery
        r.duplicatesSent += batch.length;
      } else {
        batch = Array.from({ length: 5 }, (_, i) => ({
          customerId: opts.customers[(n * 5 + i) % opts.customers.length]!,
          eventId: `fault-${n}-${i}`,
        }));
        sentBatches.push(batch);
      }
      n++;
      const occurredAt = new Date(Date.now() - 60_000).toISOString();
      r.eventsSent += batch.length;
      const res = await json(opts.channelKey, 'POST', '/v1/events', {
        events: batch.map((e) => ({ ...e, type: 'billing.topup', occurredAt, data: { amount: 1 } })),
      });
      note('POST /v1/events', res);
      if (res.status === 202) {
        const body = JSON.parse(res.body) as { rejected: unknown[] };
        if (body.rejected.length) throw new Error(`events rejected: ${res.body}`);
        for (const e of batch) {
          const set = r.accepted.get(e.customerId) ?? new Set<string>();
          set.add(e.eventId);
          r.accepted.set(e.customerId, set);
        }
      }
      await sleep(40);
    }
  };
  const reader = async () => {
    let i = 0;
    while (!done) {
      const customerId = opts.customers[i++ % opts.customers.length]!;
      note('GET customer', await json(opts.channelKey, 'GET', `/v1/customers/${customerId}`));
      note('POST decision', await json(opts.channelKey, 'POST', '/v1/decisions', { customerId, channel: 'app' }));
      if (downSince && Date.now() - downSince > 300 && coldKeys.length) {
        note('cold key', await json(coldKeys.shift()!, 'GET', `/v1/customers/${customerId}`));
      }
      await sleep(50);
    }
  };
  const killer = async () => {
    try {
      await sleep(opts.calmSeconds * 1000);
      for (let k = 1; k <= opts.kills; k++) {
        opts.kill();
        r.faults++;
        downSince = Date.now();
        const deadline = Date.now() + 60_000;
        while (!opts.recovered(k)) {
          if (Date.now() > deadline) throw new Error(`the database did not come back within 60 s of kill ${k}`);
          await sleep(50);
        }
        r.downSeconds.push((Date.now() - downSince) / 1000);
        await sleep(opts.calmSeconds * 1000);
      }
    } finally {
      done = true;
    }
  };
  await Promise.all([writer(), writer(), reader(), killer()]);
  return r;
}
