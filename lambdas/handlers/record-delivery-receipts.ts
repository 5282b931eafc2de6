import type { SNSEvent } from 'aws-lambda';
import { logger } from '#edge/logger.ts';
import { receiptForwarderFor } from '#composition/delivery-receipts.ts';

const forward = receiptForwarderFor();

/**
 * The market's receipts topic (SMS and SES event destinations) -> each tenant's event queue. A
 * failure throws, so SNS retries the notification (its receipts' event ids make that harmless).
 * The log names tenants and counts, never a customer or a phone number.
 */
export const handler = async (event: SNSEvent): Promise<void> => {
  const outcome = await forward(event.Records.map((r) => r.Sns.Message));
  logger.info('delivery receipts', { queued: outcome.queued, ignored: outcome.ignored });
};
