import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context, SQSBatchResponse } from 'aws-lambda';
import { documentClient } from '#adapters/dynamo/client.ts';
import { DynamoTriggerStore } from '#adapters/dynamo/trigger-store.ts';
import { DEMO_TRIGGERS } from '#config/markets/demo-triggers.ts';
import { invoker, type Invoke } from './api-event.ts';
import type { TestTables } from './dynamo.ts';
import type { sqsEvent } from './sqs-event.ts';

export interface ProcessorHarness {
  /** Where the local outbound hand-off files go (`outbound/<channel>.jsonl`). */
  dir: string;
  processEvents: (e: ReturnType<typeof sqsEvent>) => Promise<SQSBatchResponse>;
  customers: Invoke;
}

/**
 * The event processor handler and the customers API on the test's tables, as the stack wires
 * them: the demo market's rules and triggers (for tenant acme), no trigger cache, outbound files
 * in a fresh folder. `env` adds to or overrides the environment (e.g. CVM_NOW, DECISIONING).
 */
export async function processorHarness(t: TestTables, env: Record<string, string> = {}): Promise<ProcessorHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'cvm-processor-'));
  Object.assign(process.env, t.env, {
    CVM_LOCAL_DIR: dir,
    MARKET_RULES: JSON.stringify({
      timezone: 'Africa/Johannesburg',
      quietHours: { start: '20:00', end: '08:00' },
      defaultLanguage: 'en',
    }),
    TRIGGER_CACHE_SECONDS: '0',
    ...env,
  });
  const store = new DynamoTriggerStore(documentClient({ endpoint: t.endpoint }), (tenant) => t.tenantTables[tenant]!);
  for (const trigger of DEMO_TRIGGERS) await store.put('acme', trigger);
  const { handler } = await import('#handlers/process-events.ts');
  return {
    dir,
    processEvents: (e) => handler(e, { awsRequestId: 'x' } as Context),
    customers: invoker((await import('#handlers/serve-customers.ts')).handler as never),
  };
}
