import type { SNSEvent } from 'aws-lambda';
import { sqsClient } from '#adapters/sqs/client.ts';
import { SqsEventQueue } from '#adapters/sqs/event-queue.ts';
import { forwardReceipts } from '#app/delivery-receipts.ts';
import { logger } from '#edge/logger.ts';
import { platformEnv } from './env.ts';

const env = platformEnv();
const forward = forwardReceipts({
  events: new SqsEventQueue(sqsClient(env.AWS_REGION), env.EVENT_QUEUES),
  tenants: new Set(Object.keys(env.TENANT_TABLES)),
});

/**
 * The market's receipts topic (SMS and SES event destinations) -> each tenant's event queue. A
 * failure throws, so SNS retries the notification (its receipts' event ids make that harmless).
 * The log names tenants and counts, never a customer or a phone number.
 */
export const handler = async (event: SNSEvent): Promise<void> => {
  const outcome = await forward(event.Records.map((r) => r.Sns.Message));
  logger.info('delivery receipts', { queued: outcome.queued, ignored: outcome.ignored });
};
