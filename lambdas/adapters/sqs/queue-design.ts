/**
 * The event queues, described once: the CDK construct and the local runtime's queue both build
 * from this, so batch size, visibility timeout and redrive are the same in both places.
 */
export const EVENT_QUEUE = {
  /** Records per processor invocation (more than 10 needs a batching window in AWS). */
  batchSize: 100,
  maxBatchingWindowSeconds: 1,
  processorTimeoutSeconds: 30,
  /** Six times the processor timeout, as AWS recommends for SQS event sources. */
  visibilityTimeoutSeconds: 180,
  /**
   * Concurrent processor invocations per tenant queue at most: after an outage the backlog drains
   * at this pace instead of scaling to 1,250 and taking the account's concurrency from decisions
   * (docs/capacity.md). 50 x 100 events per ~0.4 s is still ~12,000 events/s per tenant.
   */
  maxConcurrency: 50,
  /** Receives before a message goes to the tenant's DLQ. */
  maxReceiveCount: 5,
  retentionDays: 4,
  dlqRetentionDays: 14,
} as const;

/** Physical names carry the deployment, `<market>-<stage>` (lib/config/market-config.ts deploymentOf). */
export const eventQueueName = (deployment: string, tenant: string) => `cvm-${deployment}-${tenant}-events`;
export const eventDlqName = (deployment: string, tenant: string) => `cvm-${deployment}-${tenant}-events-dlq`;
export const outboundQueueName = (deployment: string, channel: string) => `cvm-${deployment}-outbound-${channel}`;
