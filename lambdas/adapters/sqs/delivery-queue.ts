import { ChangeMessageVisibilityCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DeliverableMessage } from '#domain/delivery/hold.ts';
import type { DeliveryQueue } from '#domain/delivery/ports.ts';
import type { TenantId } from '#domain/ids.ts';
import { SqsOutboundQueue } from './outbound-queue.ts';

/**
 * The sender's side of a tenant's outbound queue (OUTBOUND_QUEUES: tenant -> URL): a held
 * message goes back as a new message with DelaySeconds, a retry changes the received message's
 * visibility so its receive count (the attempt) carries on to the redrive.
 */
export class SqsDeliveryQueue implements DeliveryQueue {
  private readonly outbound: SqsOutboundQueue;

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrls: Record<string, string>,
  ) {
    this.outbound = new SqsOutboundQueue(sqs, queueUrls);
  }

  async hold(_tenant: TenantId, entries: { message: DeliverableMessage; delaySeconds: number }[]): Promise<void> {
    await this.outbound.sendDelayed(entries);
  }

  async retryAfter(tenant: TenantId, receipt: string, seconds: number): Promise<void> {
    const url = this.queueUrls[tenant];
    if (!url) throw new Error(`no outbound queue is configured for tenant ${tenant}`);
    await this.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: receipt,
        VisibilityTimeout: Math.min(43_200, Math.ceil(seconds)),
      }),
    );
  }
}
