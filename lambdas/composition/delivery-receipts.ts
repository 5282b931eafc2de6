import { sqsClient } from '#adapters/sqs/client.ts';
import { SqsEventQueue } from '#adapters/sqs/event-queue.ts';
import { forwardReceipts } from '#app/delivery-receipts.ts';
import { platformEnv } from './platform-env.ts';

/** The receipts function's use case: each tenant's event queue, where its receipts go as events. */
export function receiptForwarderFor(source: NodeJS.ProcessEnv = process.env) {
  const env = platformEnv(source);
  return forwardReceipts({
    events: new SqsEventQueue(sqsClient(env.AWS_REGION), env.EVENT_QUEUES),
    tenants: new Set(Object.keys(env.TENANT_TABLES)),
  });
}
