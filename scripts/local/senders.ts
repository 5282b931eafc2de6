import { localOutboundQueues } from '#adapters/local/local-outbound-queue.ts';
import { OUTBOUND_QUEUE, outboundDlqName, outboundQueueName } from '#adapters/sqs/queue-design.ts';
import { deliveryEnvOf } from '#config/delivery-config.ts';
import { deploymentOf, type MarketConfig } from '#config/market-config.ts';
import type { SqsHandler } from './local-queue.ts';
import { startTenantQueues, type TenantQueues } from './tenant-queues.ts';

/** The environment the sender and the channels API read, from the market config (as the stack sets it). */
export function deliveryLocalEnv(market: MarketConfig): Record<string, string> {
  // a connection change reaches the local sender within a second (30 s in AWS)
  return { ...deliveryEnvOf(market), CHANNEL_CACHE_SECONDS: '1' };
}

export type LocalSenders = TenantQueues;

/**
 * One local outbound queue per tenant feeding the same sender handler as in AWS, with the batch
 * size, visibility timeout (divided by CVM_TIME_SCALE) and redrive of OUTBOUND_QUEUE. Its DLQ is
 * `<dir>/dlq/cvm-<market>-<stage>-<tenant>-outbound-dlq.jsonl`; `queue` connections hand off to
 * `<dir>/outbound/<channel>.jsonl`.
 */
export async function startSenders(opts: {
  market: MarketConfig;
  dir: string;
  timeScale?: number;
}): Promise<LocalSenders> {
  const { handler } = await import('#handlers/deliver-outbound.ts');
  const deployment = deploymentOf(opts.market);
  return startTenantQueues({
    ...opts,
    handler: handler as SqsHandler,
    settings: OUTBOUND_QUEUE,
    nameOf: (tenant) => outboundQueueName(deployment, tenant),
    dlqNameOf: (tenant) => outboundDlqName(deployment, tenant),
    registry: localOutboundQueues,
  });
}
