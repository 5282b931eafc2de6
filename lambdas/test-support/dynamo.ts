import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import {
  DECISION_TABLE,
  decisionTableBeside,
  IDEMPOTENCY_TABLE,
  KEYS_TABLE,
  TENANT_TABLE,
} from '#adapters/dynamo/table-design.ts';
import { documentClient } from '#adapters/dynamo/client.ts';
import { hashApiKey, type KeyScope } from '#domain/api-key.ts';
import { DynamoKeyStore } from '#adapters/dynamo/key-store.ts';
import { ensureTable } from './ensure-table.ts';

export interface TestTables {
  endpoint: string;
  market: string;
  tenantTables: Record<string, string>;
  /** tenant -> its decision log table. */
  decisionTables: Record<string, string>;
  keysTable: string;
  /** Environment for handlers, as the stack would set it. */
  env: Record<string, string>;
  keys: Record<string, Record<KeyScope, string>>;
}

/** Fresh, uniquely named tables for one test file on the shared DynamoDB Local. */
export async function testTables(tenants = ['acme', 'globex']): Promise<TestTables> {
  const endpoint = inject('dynamoEndpoint');
  const market = `t${randomUUID().slice(0, 8)}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const tenantTables = Object.fromEntries(tenants.map((t) => [t, `cvm-${market}-${t}`]));
  const decisionTables = Object.fromEntries(tenants.map((t) => [t, decisionTableBeside(tenantTables[t]!)]));
  const keysTable = `cvm-${market}-keys`;
  await Promise.all([
    ...Object.values(tenantTables).map((name) => ensureTable(client, name, TENANT_TABLE)),
    ...Object.values(decisionTables).map((name) => ensureTable(client, name, DECISION_TABLE)),
    ensureTable(client, keysTable, KEYS_TABLE),
    ensureTable(client, `cvm-${market}-idempotency`, IDEMPOTENCY_TABLE),
  ]);
  const store = new DynamoKeyStore(documentClient({ endpoint }), keysTable);
  const keys: TestTables['keys'] = {};
  for (const tenant of tenants) {
    keys[tenant] = { admin: `key-${tenant}-admin-${randomUUID()}`, channel: `key-${tenant}-channel-${randomUUID()}` };
    for (const scope of ['admin', 'channel'] as const) {
      await store.save(hashApiKey(keys[tenant]![scope]), {
        keyId: `${tenant}-${scope}`,
        tenant,
        scope,
        status: 'active',
      });
    }
  }
  client.destroy();
  return {
    endpoint,
    market,
    tenantTables,
    decisionTables,
    keysTable,
    keys,
    env: {
      MARKET: market,
      TENANT_TABLES: JSON.stringify(tenantTables),
      DECISION_TABLES: JSON.stringify(decisionTables),
      KEYS_TABLE: keysTable,
      IDEMPOTENCY_TABLE: `cvm-${market}-idempotency`,
      DYNAMODB_ENDPOINT: endpoint,
      AWS_REGION: 'local',
      // the meters append to a file of the test's own, as the local runtime's do: EMF on stdout
      // was hundreds of lines of test output; a test of the EMF lines asks for them (EMF_METER_ENV)
      CVM_METER: 'local',
      CVM_METER_DIR: mkdtempSync(join(tmpdir(), 'cvm-meter-')),
    },
  };
}
