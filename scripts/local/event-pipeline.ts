import { localQueues } from '#adapters/local/local-event-queue.ts';
import { EVENT_QUEUE, eventQueueName } from '#adapters/sqs/queue-design.ts';
import { marketRulesEnvOf } from '#config/decisioning-settings.ts';
import { deploymentOf, type MarketConfig } from '#config/market-config.ts';
import type { SqsHandler } from './local-queue.ts';
import { startTenantQueues, type TenantQueues } from './tenant-queues.ts';

/** The environment the events API and the processor read, from the market config. */
export function eventPipelineEnv(market: MarketConfig): Record<string, string> {
  return {
    ...marketRulesEnvOf(market),
    DEDUPE_WINDOW_HOURS: String(market.dedupeWindowHours),
    EVENTS_MIN_OCCURRED_AT: market.events.minOccurredAt,
    TRIGGER_CACHE_SECONDS: '2',
  };
}

export type LocalEventPipeline = TenantQueues;

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
  const { handler } = await import('#handlers/process-events.ts');
  const deployment = deploymentOf(opts.market);
  return startTenantQueues({
    ...opts,
    handler: handler as SqsHandler,
    settings: EVENT_QUEUE,
    nameOf: (tenant) => eventQueueName(deployment, tenant),
    dlqNameOf: (tenant) => eventQueueName(deployment, tenant),
    registry: localQueues,
  });
}
