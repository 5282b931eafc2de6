import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { eventQueueName } from '#adapters/sqs/queue-design.ts';
import type { CvmEvent } from '#domain/events.ts';

/** An SQS record as the tenant queue's event source delivers it. */
export function sqsRecord(market: string, tenant: string, event: CvmEvent | string, receiveCount = 1): SQSRecord {
  return {
    messageId: randomUUID(),
    receiptHandle: 'r',
    body: typeof event === 'string' ? event : JSON.stringify({ tenant, event }),
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: '0',
      SenderId: 's',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:af-south-1:000000000000:${eventQueueName(market, tenant)}`,
    awsRegion: 'af-south-1',
  };
}

export const sqsEvent = (records: SQSRecord[]): SQSEvent => ({ Records: records });
