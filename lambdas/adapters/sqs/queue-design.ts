import { RETRY_POLICY } from '#domain/delivery/retry.ts';

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

/**
 * Each tenant's outbound queue (the sender reads it; the channel travels as the `channel` message
 * attribute), its DLQ, and its hand-off queue (what the sender hands `queue` connections to, for an
 * operator's own sender), described once for the construct and the local runtime. The hand-off
 * queue redrives into the same DLQ.
 */
export const OUTBOUND_QUEUE = {
  /** Messages per sender invocation: each is one webhook request at most, sent concurrently. */
  batchSize: 10,
  maxBatchingWindowSeconds: 1,
  /** The sender's timeout: the longest webhook time-out (10 s) plus the batch's reads and holds. */
  senderTimeoutSeconds: 30,
  /** Six times the sender's timeout, as AWS recommends for SQS event sources. */
  visibilityTimeoutSeconds: 180,
  /** Concurrent sender invocations per tenant queue (capacity is enforced by counters, not by this). */
  maxConcurrency: 10,
  /** Attempts of a message before its DLQ: the sender's retry policy counts with SQS's receives. */
  maxReceiveCount: RETRY_POLICY.attempts,
  /**
   * Longer than the longest hold: a held message hops every 15 minutes at most (each hop a new
   * message), and quiet hours or a capacity deferral hold one for under two days.
   */
  retentionDays: 4,
  /** An operator's sender may be down over a long weekend: the hand-off keeps the longest SQS allows. */
  handoffRetentionDays: 14,
  dlqRetentionDays: 14,
  /** The message attribute that names the channel. */
  channelAttribute: 'channel',
} as const;

export const outboundQueueName = (deployment: string, tenant: string) => `cvm-${deployment}-${tenant}-outbound`;
export const outboundDlqName = (deployment: string, tenant: string) => `cvm-${deployment}-${tenant}-outbound-dlq`;
export const handoffQueueName = (deployment: string, tenant: string) => `cvm-${deployment}-${tenant}-handoff`;
