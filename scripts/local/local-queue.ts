import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { randomUUID, createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LocalQueueSink } from '#adapters/local/local-event-queue.ts';
import type { LocalOutboundSink } from '#adapters/local/local-outbound-queue.ts';
import { QueueJournal, type JournalMessage } from './queue-journal.ts';

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

export interface LocalQueueOptions {
  name: string;
  handler: SqsHandler;
  batchSize: number;
  visibilityTimeoutMs: number;
  maxReceiveCount: number;
  /** Messages that exhausted their receives, one JSON object per line. */
  dlqFile: string;
  /**
   * The queue's journal (queue-journal.ts): every message sent is on disk before the send
   * resolves, and is there again after a crash. Omitted: the queue lives in memory only.
   */
  journalFile?: string;
  /** A snapshot file of an earlier version of this queue (saved on a clean stop): loaded once, then removed. */
  legacyStateFile?: string;
  /** Waits this long before handing each batch to the handler (tests: a slow consumer). */
  handlerDelayMs?: number;
  /** How long an idle poller sleeps before looking again (a send wakes it at once). */
  idlePollMs?: number;
  now?: () => number;
}

type Message = JournalMessage;

const fakeContext = (name: string): Context =>
  ({
    awsRequestId: randomUUID(),
    functionName: `local-${name}`,
    getRemainingTimeInMillis: () => 30_000,
    callbackWaitsForEmptyEventLoop: false,
  }) as unknown as Context;

/**
 * An SQS queue with a Lambda event source, in process: batches of up to `batchSize` visible
 * messages go to the same handler; the items it reports as failed (or the whole batch, if it
 * throws) become visible again after the visibility timeout; a message received
 * `maxReceiveCount` times that is due again is moved to the DLQ instead, as SQS redrive does.
 */
export class LocalQueue implements LocalQueueSink, LocalOutboundSink {
  private readonly messages = new Map<string, Message>();
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private readonly now: () => number;
  private readonly journal: QueueJournal | undefined;
  readonly stats = { received: 0, deleted: 0, redriven: 0, invocations: 0 };

  constructor(private readonly opts: LocalQueueOptions) {
    this.now = opts.now ?? Date.now;
    if (opts.legacyStateFile && existsSync(opts.legacyStateFile)) {
      for (const m of JSON.parse(readFileSync(opts.legacyStateFile, 'utf8')) as (Message & { delayed?: boolean })[])
        this.messages.set(m.messageId, { ...m, receiveCount: m.delayed ? 0 : m.receiveCount });
    }
    if (opts.journalFile) {
      for (const m of QueueJournal.replay(opts.journalFile)) this.messages.set(m.messageId, m);
      this.journal = new QueueJournal(opts.journalFile);
    }
    // a delay or hold never received is kept (visibleAt is wall time); in-flight ones return now
    for (const m of this.messages.values()) if (m.receiveCount > 0) m.visibleAt = 0;
    this.journal?.compact(this.messages.values());
    if (opts.legacyStateFile) rmSync(opts.legacyStateFile, { force: true });
  }

  /** Resolves once the messages are durable (on disk, with a journal). */
  sendBatch(bodies: string[]): Promise<void> {
    return this.sendEntries(bodies.map((body) => ({ body })));
  }

  /**
   * SendMessageBatch with DelaySeconds (here in ms) and string message attributes. The messages
   * are queued at once; the promise resolves when they are durable.
   */
  sendEntries(entries: { body: string; delayMs?: number; attributes?: Record<string, string> }[]): Promise<void> {
    const at = this.now();
    for (const { body, delayMs, attributes } of entries) {
      const messageId = randomUUID();
      const m: Message = {
        messageId,
        body,
        sentAt: at,
        receiveCount: 0,
        visibleAt: at + Math.max(0, delayMs ?? 0),
        ...(attributes ? { attributes } : {}),
      };
      this.messages.set(messageId, m);
      this.journal?.sent(m);
    }
    this.wake?.();
    return this.journal ? this.journal.durable() : Promise.resolve();
  }

  /** ChangeMessageVisibility: a received message (its receipt handle) comes back after `delayMs`. */
  changeVisibility(receiptHandle: string, delayMs: number): void {
    const [messageId, count] = receiptHandle.split(':');
    const m = this.messages.get(messageId ?? '');
    if (!m || String(m.receiveCount) !== count) return; // a stale receipt, as SQS ignores it
    m.visibleAt = this.now() + Math.max(0, delayMs);
    this.journal?.updated(m);
    this.wake?.();
  }

  /** Messages not yet deleted (visible or in flight). */
  get depth(): number {
    return this.messages.size;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Finishes the batch in flight, then stops; pending messages stay in the journal. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.journal?.close(this.messages.values(), this.messages.size);
  }

  /** Resolves when every message has been deleted or redriven (tests, benchmarks). */
  async drained(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.size > 0) {
      if (Date.now() > deadline) throw new Error(`queue ${this.opts.name} still holds ${this.messages.size} messages`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  private receive(): Message[] {
    const at = this.now();
    const batch: Message[] = [];
    for (const m of this.messages.values()) {
      if (batch.length >= this.opts.batchSize) break;
      if (m.visibleAt > at) continue;
      if (m.receiveCount >= this.opts.maxReceiveCount) {
        this.redrive(m);
        continue;
      }
      m.receiveCount++;
      m.visibleAt = at + this.opts.visibilityTimeoutMs;
      this.journal?.updated(m);
      batch.push(m);
    }
    this.stats.received += batch.length;
    return batch;
  }

  private redrive(m: Message): void {
    mkdirSync(dirname(this.opts.dlqFile), { recursive: true });
    appendFileSync(
      this.opts.dlqFile,
      `${JSON.stringify({
        messageId: m.messageId,
        body: m.body,
        receiveCount: m.receiveCount,
        sentAt: new Date(m.sentAt).toISOString(),
      })}\n`,
    );
    this.messages.delete(m.messageId);
    this.journal?.deleted(m.messageId);
    this.stats.redriven++;
  }

  private record(m: Message): SQSRecord {
    return {
      messageId: m.messageId,
      receiptHandle: `${m.messageId}:${m.receiveCount}`,
      body: m.body,
      attributes: {
        ApproximateReceiveCount: String(m.receiveCount),
        SentTimestamp: String(m.sentAt),
        SenderId: 'local',
        ApproximateFirstReceiveTimestamp: String(this.now()),
      },
      messageAttributes: Object.fromEntries(
        Object.entries(m.attributes ?? {}).map(([k, v]) => [k, { stringValue: v, dataType: 'String' }]),
      ),
      md5OfBody: createHash('md5').update(m.body).digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:local:000000000000:${this.opts.name}`,
      awsRegion: 'local',
    };
  }

  private async run(): Promise<void> {
    while (this.running) {
      const batch = this.receive();
      if (batch.length === 0) {
        const nextVisible = Math.min(...[...this.messages.values()].map((m) => m.visibleAt));
        const wait = Math.max(
          1,
          Math.min(this.opts.idlePollMs ?? 100, Number.isFinite(nextVisible) ? nextVisible - this.now() : Infinity),
        );
        await new Promise<void>((r) => {
          const timer = setTimeout(r, wait);
          this.wake = () => {
            clearTimeout(timer);
            r();
          };
        });
        this.wake = undefined;
        continue;
      }
      this.stats.invocations++;
      if (this.opts.handlerDelayMs) await new Promise((r) => setTimeout(r, this.opts.handlerDelayMs));
      let failed: Set<string>;
      try {
        const res = await this.opts.handler({ Records: batch.map((m) => this.record(m)) }, fakeContext(this.opts.name));
        failed = new Set((res?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
      } catch {
        failed = new Set(batch.map((m) => m.messageId));
      }
      for (const m of batch) {
        if (failed.has(m.messageId)) continue;
        this.messages.delete(m.messageId);
        this.journal?.deleted(m.messageId);
        this.stats.deleted++;
      }
      this.journal?.compactIfLarge(this.messages.values(), this.messages.size);
    }
  }
}
