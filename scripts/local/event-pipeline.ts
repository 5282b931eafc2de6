import { join } from 'node:path';
import { localQueues } from '#adapters/local/local-event-queue.ts';
import { EVENT_QUEUE, eventQueueName } from '#adapters/sqs/queue-design.ts';
import { marketRulesEnvOf } from '#config/decisioning-settings.ts';
import { deploymentOf, type MarketConfig } from '#config/market-config.ts';
import { LocalQueue, type SqsHandler } from './local-queue.ts';

/** The environment the events API and the processor read, from the market config. */
export function eventPipelineEnv(market: MarketConfig): Record<string, string> {
  return {
    ...marketRulesEnvOf(market),
    DEDUPE_WINDOW_HOURS: String(market.dedupeWindowHours),
    TRIGGER_CACHE_SECONDS: '2',
  };
}

export interface LocalEventPipeline {
  queues: Record<string, LocalQueue>;
  stop(): Promise<void>;
}

/**
 * One local queue per tenant feeding the same processor handler as in AWS, with the batch size,
 * visibility timeout (divided by CVM_TIME_SCALE) and redrive of EVENT_QUEUE. The triggers are
 * the market's starter set, seeded before (seed-catalog.ts).
 */
export async function startEventPipeline(opts: {
  market: MarketConfig;
  dir: string;
  timeScale?: number;
}): Promise<LocalEventPipeline> {
  const { market, dir } = opts;
  const { handler } = await import('#handlers/process-events.ts');
  const queues: Record<string, LocalQueue> = {};
  for (const tenant of market.tenants) {
    const name = eventQueueName(deploymentOf(market), tenant.id);
    const queue = new LocalQueue({
      name,
      handler: handler as SqsHandler,
      batchSize: EVENT_QUEUE.batchSize,
      visibilityTimeoutMs: (EVENT_QUEUE.visibilityTimeoutSeconds * 1000) / (opts.timeScale ?? 1),
      maxReceiveCount: EVENT_QUEUE.maxReceiveCount,
      dlqFile: join(dir, 'dlq', `${name}.jsonl`),
      stateFile: join(dir, 'queues', `${name}.json`),
      idlePollMs: 100,
    });
    localQueues.set(tenant.id, queue);
    queue.start();
    queues[tenant.id] = queue;
  }
  return {
    queues,
    async stop() {
      await Promise.all(Object.values(queues).map((q) => q.stop()));
      for (const tenant of Object.keys(queues)) localQueues.delete(tenant);
    },
  };
}
