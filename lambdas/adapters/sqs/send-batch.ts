import { setTimeout as sleep } from 'node:timers/promises';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { UnavailableError } from '#domain/errors.ts';

/** SQS: at most 10 entries and 1 MiB per SendMessageBatch. */
const MAX_ENTRIES = 10;
const MAX_BATCH_BYTES = 900 * 1024;

/**
 * Sends bodies in batches of up to 10 (and under the size limit), retrying entries SQS reports as
 * failed with backoff; a sender fault (bad entry) or exhausted retries throws.
 */
/** One message to send: its body, and optionally string attributes and a delay (0-900 s). */
export interface BatchEntry {
  id: string;
  body: string;
  attributes?: Record<string, string>;
  delaySeconds?: number;
}

export async function sendAll(sqs: SQSClient, queueUrl: string, bodies: BatchEntry[], maxAttempts = 6): Promise<void> {
  const batches: BatchEntry[][] = [];
  let current: BatchEntry[] = [];
  let bytes = 0;
  for (const b of bodies) {
    const size = Buffer.byteLength(b.body, 'utf8');
    if (current.length === MAX_ENTRIES || (current.length > 0 && bytes + size > MAX_BATCH_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(b);
    bytes += size;
  }
  if (current.length) batches.push(current);

  await Promise.all(
    batches.map(async (batch) => {
      let pending = batch.map((b, i) => ({
        Id: String(i),
        MessageBody: b.body,
        ...(b.attributes
          ? {
              MessageAttributes: Object.fromEntries(
                Object.entries(b.attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
              ),
            }
          : {}),
        ...(b.delaySeconds ? { DelaySeconds: Math.min(900, Math.ceil(b.delaySeconds)) } : {}),
      }));
      for (let attempt = 1; pending.length > 0; attempt++) {
        const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: pending }));
        const failed = out.Failed ?? [];
        if (failed.some((f) => f.SenderFault))
          throw new Error(`SQS refused a message: ${failed.find((f) => f.SenderFault)?.Code ?? 'unknown'}`);
        const again = new Set(failed.map((f) => f.Id));
        pending = pending.filter((e) => again.has(e.Id));
        if (pending.length === 0) break;
        if (attempt >= maxAttempts) throw new UnavailableError('the event queue is unavailable, retry shortly', 2);
        await sleep(Math.min(1000, 20 * 2 ** attempt));
      }
    }),
  );
}
