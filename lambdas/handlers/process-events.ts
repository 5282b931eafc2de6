import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import type { ProcessOutcome } from '#app/process-events.ts';
import { eventQueueName } from '#adapters/sqs/queue-design.ts';
import { MISSING_PLACEHOLDER } from '#domain/delivery/message-content.ts';
import type { CvmEvent } from '#domain/events.ts';
import { RULE_OVER_BUDGET } from '#domain/rules.ts';
import { causeChain } from '#edge/cause-chain.ts';
import { customerRef, forMessage, logContext, logger } from '#edge/logger.ts';
import { validateEvents } from '#edge/events.ts';
import { eventProcessorFor } from '#composition/events.ts';
import { flushingMeter } from '#composition/container-meter.ts';

const { env, processBatch, recordTriggerFirings, recordRulesOverBudget, recordDelivery } = await eventProcessorFor();

/** Trigger firings a tenant's customer groups handed off in this batch; a group that failed counts none. */
async function firingsOf(outcomes: Promise<ProcessOutcome>[]): Promise<number> {
  const settled = await Promise.allSettled(outcomes);
  return settled.reduce((n, s) => n + (s.status === 'fulfilled' ? s.value.messages : 0), 0);
}

/** Trigger refusals of one code in this batch (rules out of evaluation steps, placeholders without a value). */
async function refusalsOf(outcomes: Promise<ProcessOutcome>[], code: string): Promise<number> {
  const settled = await Promise.allSettled(outcomes);
  return settled.reduce((n, s) => n + (s.status === 'fulfilled' ? (s.value.refusals[code] ?? 0) : 0), 0);
}

/** Why a message cannot be processed, as a code a log line may carry (never the message's text). */
class UnprocessableMessageError extends Error {
  override readonly name = 'UnprocessableMessageError';
  constructor(
    message: string,
    readonly code: 'foreign-message' | 'invalid-event',
  ) {
    super(message);
  }
}

/** What the events API queues: the tenant (a non-string one is nobody's) and one event, validated below. */
const QueuedEvent = z.object({ tenant: z.string().catch(''), event: z.unknown() });

/** The tenant a record belongs to: its queue decides (`cvm-<market>-<stage>-<tenant>-events`), and the body must agree. */
function parse(record: SQSRecord): { tenant: string; event: CvmEvent } {
  const body = QueuedEvent.safeParse(JSON.parse(record.body)).data;
  const queueName = record.eventSourceARN.split(':').pop() ?? '';
  const tenant = body?.tenant ?? '';
  if (!env.TENANT_TABLES[tenant] || queueName !== eventQueueName(env.DEPLOYMENT ?? env.MARKET, tenant)) {
    throw new UnprocessableMessageError('the message does not belong to the queue it came from', 'foreign-message');
  }
  const { valid } = validateEvents([body?.event]);
  if (!valid[0]) throw new UnprocessableMessageError('the message holds no valid event', 'invalid-event');
  return { tenant, event: valid[0].event };
}

/**
 * SQS -> state. Records of one customer fold into one write; a group's failure fails exactly its
 * records (Powertools partial batch response), so SQS redelivers them and, after maxReceiveCount,
 * moves them to the tenant's DLQ. Nothing is swallowed. The batch's meters (DynamoDB capacity)
 * leave as one EMF line per tenant when it ends.
 */
export const handler = middy(
  flushingMeter(async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const parsed = new Map<string, { tenant: string; event: CvmEvent } | Error>();
    const byTenant = new Map<string, CvmEvent[]>();
    for (const record of event.Records) {
      try {
        const p = parse(record);
        parsed.set(record.messageId, p);
        byTenant.set(p.tenant, [...(byTenant.get(p.tenant) ?? []), p.event]);
      } catch (err) {
        parsed.set(record.messageId, err instanceof Error ? err : new Error('unparsed record', { cause: err }));
      }
    }
    const outcomes = new Map<string, Promise<unknown>>();
    const byTenantOutcomes = new Map<string, Promise<ProcessOutcome>[]>();
    for (const [tenant, events] of byTenant) {
      const group: Promise<ProcessOutcome>[] = [];
      for (const [customerId, outcome] of processBatch(tenant, events)) {
        outcome.catch(() => undefined); // observed below, per record
        outcomes.set(`${tenant}\u0000${customerId}`, outcome);
        group.push(outcome);
      }
      byTenantOutcomes.set(tenant, group);
    }
    const recordHandler = async (record: SQSRecord) => {
      const p = parsed.get(record.messageId);
      if (p instanceof Error || !p) {
        // a parse error's text quotes the body (customer id included): its name and code only
        logger.error('unprocessable event message', {
          ...forMessage(record.messageId),
          errorName: p?.name,
          code: p && 'code' in p ? p.code : undefined,
        });
        throw p ?? new Error('unparsed record');
      }
      try {
        await outcomes.get(`${p.tenant}\u0000${p.event.customerId}`);
      } catch (err) {
        logger.warn('event processing failed; it will be redelivered', {
          ...forMessage(record.messageId),
          customer: customerRef(p.event.customerId),
          errorName: err instanceof Error ? err.name : undefined,
          causes: causeChain(err),
        });
        throw err;
      }
    };
    const response = await processPartialResponse(event, recordHandler, new BatchProcessor(EventType.SQS), {
      context,
      throwOnFullBatchFailure: false,
    });
    for (const [tenant, group] of byTenantOutcomes) {
      recordTriggerFirings(tenant, await firingsOf(group));
      recordRulesOverBudget(tenant, await refusalsOf(group, RULE_OVER_BUDGET));
      const missing = await refusalsOf(group, MISSING_PLACEHOLDER);
      if (missing) recordDelivery({ tenant, counts: { all: { skipped: { [MISSING_PLACEHOLDER]: missing } } } });
    }
    return response;
  }),
).use(logContext());
