import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { deliveryRecorderFromEnv } from '#adapters/metrics/delivery-metrics.ts';
import { outboundQueueName } from '#adapters/sqs/queue-design.ts';
import { deliverOutbound, type DeliveryItem, type ItemVerdict } from '#app/deliver-outbound.ts';
import type { DeliverableMessage } from '#domain/delivery/hold.ts';
import { causeChain } from '#edge/cause-chain.ts';
import { forMessage, logContext, logger } from '#edge/logger.ts';
import { OutboundMessageSchema } from '#http/schemas/outbound.ts';
import { deliveryEnv } from '#composition/delivery-env.ts';
import { senderPortsFor } from '#composition/delivery.ts';
import { flushingMeter, meter } from '#composition/container-meter.ts';

const env = deliveryEnv();
const recordMetrics = deliveryRecorderFromEnv(process.env);
const deliver = deliverOutbound(
  senderPortsFor(
    env,
    (tally) => {
      recordMetrics(tally);
      // a line only for a batch where something was not sent as planned (the metrics count the rest):
      // counts by channel, outcome and reason, no customer, no message text
      const unusual = Object.values(tally.counts).some((outcomes) =>
        Object.keys(outcomes).some((o) => o !== 'sent' && o !== 'held'),
      );
      if (unusual) logger.info('outbound batch', { tenant: tally.tenant, counts: tally.counts });
    },
    meter,
  ),
);

/** Why a record cannot be delivered, as a code a log line may carry (never the message's text). */
class UnprocessableMessageError extends Error {
  override readonly name = 'UnprocessableMessageError';
  constructor(readonly code: 'foreign-message' | 'invalid-message') {
    super(code);
  }
}

/** A record left for its next attempt (its visibility was set to the backoff). */
class RetryLaterError extends Error {
  override readonly name = 'RetryLaterError';
}

/** The tenant is the queue's (`cvm-<market>-<stage>-<tenant>-outbound`), and the body must agree. */
function parse(record: SQSRecord): { tenant: string; item: DeliveryItem } {
  const queueName = record.eventSourceARN.split(':').pop() ?? '';
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    throw new UnprocessableMessageError('invalid-message');
  }
  const parsed = OutboundMessageSchema.safeParse(body);
  if (!parsed.success) throw new UnprocessableMessageError('invalid-message');
  const message: DeliverableMessage = parsed.data;
  const tenant = message.tenant;
  if (
    !env.platform.TENANT_TABLES[tenant] ||
    queueName !== outboundQueueName(env.platform.DEPLOYMENT ?? env.platform.MARKET, tenant)
  )
    throw new UnprocessableMessageError('foreign-message');
  return {
    tenant,
    item: {
      id: record.messageId,
      receipt: record.receiptHandle,
      receiveCount: Number(record.attributes.ApproximateReceiveCount) || 1,
      message,
    },
  };
}

/**
 * A tenant's outbound queue -> its channels' connections (deliver-outbound.ts): held, re-checked,
 * within capacity, sent. A record to retry or that failed to parse is a partial batch failure,
 * so SQS brings it back (after its backoff) and, after the last attempt, moves it to the DLQ.
 */
export const handler = middy(
  flushingMeter(async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const parsed = new Map<string, { tenant: string; item: DeliveryItem } | Error>();
    const byTenant = new Map<string, DeliveryItem[]>();
    for (const record of event.Records) {
      try {
        const p = parse(record);
        parsed.set(record.messageId, p);
        byTenant.set(p.tenant, [...(byTenant.get(p.tenant) ?? []), p.item]);
      } catch (err) {
        parsed.set(record.messageId, err instanceof Error ? err : new Error('unparsed record', { cause: err }));
      }
    }
    const outcomes = new Map<string, Promise<Map<string, ItemVerdict>>>();
    for (const [tenant, items] of byTenant) {
      const outcome = deliver(tenant, items);
      outcome.catch(() => undefined); // observed per record below
      outcomes.set(tenant, outcome);
    }
    const recordHandler = async (record: SQSRecord) => {
      const p = parsed.get(record.messageId);
      if (p instanceof Error || !p) {
        logger.error('undeliverable outbound message', {
          ...forMessage(record.messageId),
          errorName: p?.name,
          code: p && 'code' in p ? p.code : undefined,
        });
        throw p ?? new Error('unparsed record');
      }
      let verdicts: Map<string, ItemVerdict>;
      try {
        verdicts = await outcomes.get(p.tenant)!;
      } catch (err) {
        logger.warn('outbound batch failed; it will be redelivered', {
          ...forMessage(record.messageId),
          errorName: err instanceof Error ? err.name : undefined,
          causes: causeChain(err),
        });
        throw err;
      }
      if (verdicts.get(record.messageId) !== 'done') throw new RetryLaterError('retry later');
    };
    return processPartialResponse(event, recordHandler, new BatchProcessor(EventType.SQS), {
      context,
      throwOnFullBatchFailure: false,
    });
  }),
).use(logContext());
