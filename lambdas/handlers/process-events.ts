import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { processEventBatch } from '#app/process-events.ts';
import { eventQueueName } from '#adapters/sqs/queue-design.ts';
import type { CvmEvent } from '#domain/events.ts';
import { logger } from '#http/logger.ts';
import { validateEvents } from '#http/schemas/events.ts';
import { platformEnv } from './env.ts';
import { eventAdaptersFor } from './event-wiring.ts';

const env = platformEnv();
const ports = eventAdaptersFor(env);
const processBatch = processEventBatch(ports);

/** The tenant a record belongs to: its queue decides (`cvm-<market>-<tenant>-events`), and the body must agree. */
function parse(record: SQSRecord): { tenant: string; event: CvmEvent } {
  const body = JSON.parse(record.body) as { tenant?: unknown; event?: unknown };
  const queueName = record.eventSourceARN.split(':').pop() ?? '';
  const tenant = typeof body.tenant === 'string' ? body.tenant : '';
  if (!env.TENANT_TABLES[tenant] || queueName !== eventQueueName(env.MARKET, tenant)) {
    throw new Error('the message does not belong to the queue it came from');
  }
  const { valid } = validateEvents([body.event]);
  if (!valid[0]) throw new Error('the message holds no valid event');
  return { tenant, event: valid[0].event };
}

/**
 * SQS -> state. Records of one customer fold into one write; a group's failure fails exactly its
 * records (Powertools partial batch response), so SQS redelivers them and, after maxReceiveCount,
 * moves them to the tenant's DLQ. Nothing is swallowed.
 */
export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  const parsed = new Map<string, { tenant: string; event: CvmEvent } | Error>();
  const byTenant = new Map<string, CvmEvent[]>();
  for (const record of event.Records) {
    try {
      const p = parse(record);
      parsed.set(record.messageId, p);
      byTenant.set(p.tenant, [...(byTenant.get(p.tenant) ?? []), p.event]);
    } catch (err) {
      parsed.set(record.messageId, err as Error);
    }
  }
  const outcomes = new Map<string, Promise<unknown>>();
  for (const [tenant, events] of byTenant) {
    for (const [customerId, outcome] of processBatch(tenant, events)) {
      outcome.catch(() => undefined); // observed below, per record
      outcomes.set(`${tenant}\u0000${customerId}`, outcome);
    }
  }
  const recordHandler = async (record: SQSRecord) => {
    const p = parsed.get(record.messageId);
    if (p instanceof Error || !p) {
      logger.error('unprocessable event message', { messageId: record.messageId, reason: p?.message });
      throw p ?? new Error('unparsed record');
    }
    try {
      await outcomes.get(`${p.tenant}\u0000${p.event.customerId}`);
    } catch (err) {
      logger.warn('event processing failed; it will be redelivered', { messageId: record.messageId, errorName: (err as Error).name });
      throw err;
    }
  };
  return processPartialResponse(event, recordHandler, new BatchProcessor(EventType.SQS), { context, throwOnFullBatchFailure: false });
};
