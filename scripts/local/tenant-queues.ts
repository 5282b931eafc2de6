import { join } from 'node:path';
import type { MarketConfig } from '#config/market-config.ts';
import { LocalQueue, type SqsHandler } from './local-queue.ts';

/** The SQS settings of a queue design that the local queue plays (batch, visibility, redrive). */
export interface QueueSettings {
  batchSize: number;
  visibilityTimeoutSeconds: number;
  maxReceiveCount: number;
}

export interface TenantQueues {
  queues: Record<string, LocalQueue>;
  stop(): Promise<void>;
}

/**
 * One local queue per tenant feeding one handler as SQS would in AWS: the design's batch size,
 * visibility timeout (divided by CVM_TIME_SCALE) and redrive to `<dir>/dlq/<dlq name>.jsonl`,
 * with messages journalled in `<dir>/queues/<name>.jsonl` (on disk before a send resolves, so they
 * survive a crash). Each queue is registered in `registry`, where the adapters that send to it
 * find it by tenant. CVM_QUEUE_HANDLER_DELAY_MS holds each batch that long before the handler
 * (tests: a slow consumer).
 */
export function startTenantQueues(opts: {
  market: MarketConfig;
  dir: string;
  timeScale?: number;
  handler: SqsHandler;
  settings: QueueSettings;
  nameOf: (tenant: string) => string;
  dlqNameOf: (tenant: string) => string;
  registry: Map<string, unknown>;
}): TenantQueues {
  const { dir, settings, registry } = opts;
  const handlerDelayMs = Number(process.env['CVM_QUEUE_HANDLER_DELAY_MS'] ?? 0);
  const queues: Record<string, LocalQueue> = {};
  for (const tenant of opts.market.tenants) {
    const name = opts.nameOf(tenant.id);
    const queue = new LocalQueue({
      name,
      handler: opts.handler,
      batchSize: settings.batchSize,
      visibilityTimeoutMs: (settings.visibilityTimeoutSeconds * 1000) / (opts.timeScale ?? 1),
      maxReceiveCount: settings.maxReceiveCount,
      dlqFile: join(dir, 'dlq', `${opts.dlqNameOf(tenant.id)}.jsonl`),
      journalFile: join(dir, 'queues', `${name}.jsonl`),
      legacyStateFile: join(dir, 'queues', `${name}.json`),
      idlePollMs: 100,
      // tests only: a slow consumer, so events are still queued when the runtime is killed
      ...(handlerDelayMs > 0 ? { handlerDelayMs } : {}),
    });
    registry.set(tenant.id, queue);
    queue.start();
    queues[tenant.id] = queue;
  }
  return {
    queues,
    async stop() {
      await Promise.all(Object.values(queues).map((q) => q.stop()));
      for (const tenant of Object.keys(queues)) registry.delete(tenant);
    },
  };
}
