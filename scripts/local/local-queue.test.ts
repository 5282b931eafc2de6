import { appendFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalQueue, type SqsHandler } from './local-queue.ts';

const queues: LocalQueue[] = [];
afterEach(async () => {
  await Promise.all(queues.splice(0).map((q) => q.stop()));
});

function queue(handler: SqsHandler, opts: Partial<ConstructorParameters<typeof LocalQueue>[0]> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'cvm-queue-'));
  const q = new LocalQueue({
    name: 'cvm-t-acme-events',
    handler,
    batchSize: 3,
    visibilityTimeoutMs: 50,
    maxReceiveCount: 2,
    dlqFile: join(dir, 'dlq.jsonl'),
    idlePollMs: 100,
    ...opts,
  });
  queues.push(q);
  q.start();
  return { q, dlq: join(dir, 'dlq.jsonl') };
}

describe('the local event queue', () => {
  it('hands messages to the handler in batches of at most batchSize, within a second when idle', async () => {
    const batches: string[][] = [];
    const { q } = queue(async (e: SQSEvent) => {
      batches.push(e.Records.map((r) => r.body));
      return { batchItemFailures: [] };
    });
    await new Promise((r) => setTimeout(r, 150));
    const t0 = Date.now();
    q.sendBatch(['a', 'b', 'c', 'd', 'e']);
    await q.drained(1000);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(batches.flat().sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(3);
  });

  it('redelivers failed items after the visibility timeout and moves them to the DLQ after maxReceiveCount', async () => {
    const seen: Record<string, number[]> = {};
    const { q, dlq } = queue(async (e: SQSEvent) => {
      for (const r of e.Records) (seen[r.body] ??= []).push(Number(r.attributes.ApproximateReceiveCount));
      return {
        batchItemFailures: e.Records.filter(
          (r) => r.body === 'poison' || (r.body === 'flaky' && r.attributes.ApproximateReceiveCount === '1'),
        ).map((r) => ({ itemIdentifier: r.messageId })),
      };
    });
    q.sendBatch(['ok', 'flaky', 'poison']);
    await q.drained(3000);
    expect(seen).toEqual({ ok: [1], flaky: [1, 2], poison: [1, 2] });
    const dead = readFileSync(dlq, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(dead).toEqual([expect.objectContaining({ body: 'poison', receiveCount: 2 })]);
    expect(q.stats).toMatchObject({ redriven: 1 });
  });

  it('treats a handler that throws as a failure of the whole batch', async () => {
    let calls = 0;
    const { q, dlq } = queue(async () => {
      calls++;
      if (calls === 1) throw new Error('crash');
      return { batchItemFailures: [] };
    });
    q.sendBatch(['x', 'y']);
    await q.drained(3000);
    expect(calls).toBe(2);
    expect(existsSync(dlq)).toBe(false);
  });
});

describe('the local outbound queue', () => {
  it('keeps a delayed message invisible for its delay, with its attributes as SQS message attributes', async () => {
    const got: { body: string; at: number; channel?: string }[] = [];
    const { q } = queue(async (e: SQSEvent) => {
      for (const r of e.Records)
        got.push({ body: r.body, at: Date.now(), channel: r.messageAttributes['channel']?.stringValue });
      return { batchItemFailures: [] };
    });
    const t0 = Date.now();
    q.sendEntries([
      { body: 'now', attributes: { channel: 'sms' } },
      { body: 'later', delayMs: 300 },
    ]);
    await q.drained(2000);
    expect(got.map((g) => [g.body, g.channel])).toEqual([
      ['now', 'sms'],
      ['later', undefined],
    ]);
    expect(got[1]!.at - t0).toBeGreaterThanOrEqual(290);
  });

  it('brings a failed message back after the visibility its handler set, and redrives it after the last receive', async () => {
    const seen: number[] = [];
    const { q, dlq } = queue(
      async (e: SQSEvent) => {
        for (const r of e.Records) {
          seen.push(Date.now());
          // the backoff: a second away, then at once for the last attempt
          q.changeVisibility(r.receiptHandle, r.attributes.ApproximateReceiveCount === '1' ? 250 : 0);
        }
        return { batchItemFailures: e.Records.map((r) => ({ itemIdentifier: r.messageId })) };
      },
      { visibilityTimeoutMs: 10_000 },
    );
    q.sendBatch(['failing']);
    await q.drained(3000);
    expect(seen).toHaveLength(2);
    expect(seen[1]! - seen[0]!).toBeGreaterThanOrEqual(240);
    expect(readFileSync(dlq, 'utf8')).toContain('"body":"failing"');
  });
});

describe('the journal of a local queue', () => {
  const journalled = (file: string, handler: SqsHandler, start = true) => {
    const q = new LocalQueue({
      name: 'cvm-t-acme-events',
      handler,
      batchSize: 10,
      visibilityTimeoutMs: 60_000,
      maxReceiveCount: 3,
      dlqFile: `${file}.dlq`,
      journalFile: file,
      idlePollMs: 20,
    });
    queues.push(q);
    if (start) q.start();
    return q;
  };

  it('gives a queue started after a crash every message not yet deleted, in flight ones at once, each once', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cvm-journal-')), 'q.jsonl');
    let hold: () => void = () => undefined;
    const handled: string[] = [];
    const first = journalled(file, async (e) => {
      handled.push(...e.Records.map((r) => r.body));
      if (handled.length > 1) await new Promise<void>((r) => (hold = r)); // stuck in flight at the "crash"
      return { batchItemFailures: [] };
    });
    await first.sendBatch(['done']);
    await first.drained(1000);
    await first.sendBatch(['in-flight']);
    await new Promise((r) => setTimeout(r, 100));
    // nothing stopped: what is on disk now is what a kill -9 leaves
    appendFileSync(file, '{"s":{"messageId":"torn'); // a line cut short by the crash
    const seen: string[] = [];
    const second = journalled(file, async (e) => {
      seen.push(...e.Records.map((r) => `${r.body}:${r.attributes.ApproximateReceiveCount}`));
      return { batchItemFailures: [] };
    });
    await second.drained(2000);
    expect(seen).toEqual(['in-flight:2']);
    hold();
  });

  it('keeps only live messages when compacting, and removes an empty journal on a clean stop', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cvm-journal-')), 'q.jsonl');
    const q = journalled(file, async () => ({ batchItemFailures: [] }));
    for (let i = 0; i < 150; i++) await q.sendBatch(Array.from({ length: 10 }, (_, j) => `m${i}-${j}`));
    await q.drained(5000);
    // 1,500 sends, receives and deletes: compacted down on the way
    expect(readFileSync(file, 'utf8').split('\n').length).toBeLessThan(3000);
    await q.stop();
    expect(existsSync(file)).toBe(false);
  });
});
