import { join } from 'node:path';
import { localOutboundQueues } from '#adapters/local/local-outbound-queue.ts';
import { OUTBOUND_QUEUE, outboundDlqName, outboundQueueName } from '#adapters/sqs/queue-design.ts';
import { deliveryEnvOf } from '#config/delivery-config.ts';
import { deploymentOf, type MarketConfig } from '#config/market-config.ts';
import { LocalQueue, type SqsHandler } from './local-queue.ts';

/** The environment the sender and the channels API read, from the market config (as the stack sets it). */
export function deliveryLocalEnv(market: MarketConfig): Record<string, string> {
  // a connection change reaches the local sender within a second (30 s in AWS)
  return { ...deliveryEnvOf(market), CHANNEL_CACHE_SECONDS: '1' };
}

export interface LocalSenders {
  queues: Record<string, LocalQueue>;
  stop(): Promise<void>;
}

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
  const { market, dir } = opts;
  const { handler } = await import('#handlers/deliver-outbound.ts');
  const queues: Record<string, LocalQueue> = {};
  for (const tenant of market.tenants) {
    const name = outboundQueueName(deploymentOf(market), tenant.id);
    const queue = new LocalQueue({
      name,
      handler: handler as SqsHandler,
      batchSize: OUTBOUND_QUEUE.batchSize,
      visibilityTimeoutMs: (OUTBOUND_QUEUE.visibilityTimeoutSeconds * 1000) / (opts.timeScale ?? 1),
      maxReceiveCount: OUTBOUND_QUEUE.maxReceiveCount,
      dlqFile: join(dir, 'dlq', `${outboundDlqName(deploymentOf(market), tenant.id)}.jsonl`),
      stateFile: join(dir, 'queues', `${name}.json`),
      idlePollMs: 100,
    });
    localOutboundQueues.set(tenant.id, queue);
    queue.start();
    queues[tenant.id] = queue;
  }
  return {
    queues,
    async stop() {
      await Promise.all(Object.values(queues).map((q) => q.stop()));
      for (const tenant of Object.keys(queues)) localOutboundQueues.delete(tenant);
    },
  };
}
