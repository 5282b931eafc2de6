import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import {
  DECISION_TABLE,
  decisionTableName,
  KEYS_TABLE,
  keysTableName,
  TENANT_TABLE,
  tenantTableName,
} from '#adapters/dynamo/table-design.ts';
import { deploymentOf, type MarketConfig } from '#config/market-config.ts';
import { startDynamoLocal } from '../../lambdas/test-support/dynamo-local.ts';
import { ensureTable } from '../../lambdas/test-support/ensure-table.ts';

/**
 * The DynamoDB a script should use locally: the running `npm start`'s, or, when none is running,
 * its own DynamoDB Local on the same data folder for the length of the script.
 */
export async function localDynamo(market: MarketConfig, dir = process.env['CVM_LOCAL_DIR'] ?? '.local') {
  const runtimeFile = join(resolve(dir), 'runtime.json');
  if (existsSync(runtimeFile)) {
    const endpoint = (JSON.parse(readFileSync(runtimeFile, 'utf8')) as { dynamoEndpoint?: string }).dynamoEndpoint;
    if (endpoint) {
      const probe = new DynamoDBClient({
        endpoint,
        region: 'local',
        credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
        maxAttempts: 1,
      });
      try {
        await probe.send(new ListTablesCommand({ Limit: 1 }));
        return { endpoint, stop: async () => {} };
      } catch {
        /* not running: start our own below */
      } finally {
        probe.destroy();
      }
    }
  }
  const own = await startDynamoLocal({ dir: join(resolve(dir), 'dynamodb') });
  const client = new DynamoDBClient({
    endpoint: own.endpoint,
    region: 'local',
    credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
  });
  for (const t of market.tenants) {
    await ensureTable(client, tenantTableName(deploymentOf(market), t.id), TENANT_TABLE);
    await ensureTable(client, decisionTableName(deploymentOf(market), t.id), DECISION_TABLE);
  }
  await ensureTable(client, keysTableName(deploymentOf(market)), KEYS_TABLE);
  client.destroy();
  return { endpoint: own.endpoint, stop: () => own.stop() };
}
