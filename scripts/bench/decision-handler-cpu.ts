/**
 * `tsx scripts/bench/decision-handler-cpu.ts <dynamodb-endpoint>`: prints the figures as one JSON
 * line (the decisions bench runs it in a process of its own).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#adapters/dynamo/client.ts';
import { DECISION_TABLE, decisionTableBeside, KEYS_TABLE, TENANT_TABLE } from '#adapters/dynamo/table-design.ts';
import { decisioningSettingsOf } from '#config/decisioning-settings.ts';
import { loadMarket } from '#config/markets/index.ts';
import { invoker } from '../../lambdas/test-support/api-event.ts';
import { ensureTable } from '../../lambdas/test-support/ensure-table.ts';
import { fiftyActions, profile, stamp, storedScores } from './decisions.ts';
import type { BenchFigure } from './figure.ts';

/**
 * CPU time of the decisions Lambda handler per decision (middy, validation, use case, SDK
 * marshalling, EMF), measured in this process against DynamoDB Local, whose own CPU is not
 * counted: the input of the cost model's Lambda duration. Also the bytes it writes to stdout
 * per decision (the EMF meter line), which CloudWatch Logs bills.
 */
export async function handlerCpu(endpoint: string): Promise<BenchFigure[]> {
  const table = 'bench-handler-acme';
  const raw = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await ensureTable(raw, table, TENANT_TABLE);
  // every decision is logged in the tenant's decision table, named beside its tenant table
  await ensureTable(raw, decisionTableBeside(table), DECISION_TABLE);
  await ensureTable(raw, 'bench-handler-keys', KEYS_TABLE);
  raw.destroy();
  const config = loadMarket('demo');
  Object.assign(process.env, {
    MARKET: 'demo',
    TENANT_TABLES: JSON.stringify({ acme: table }),
    KEYS_TABLE: 'bench-handler-keys',
    DYNAMODB_ENDPOINT: endpoint,
    AWS_REGION: 'local',
    DECISIONING: JSON.stringify({
      ...decisioningSettingsOf(config),
      experiments: { ...decisioningSettingsOf(config).experiments, controlPercent: 0 },
    }),
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    CVM_NOW: '2025-03-12T10:00:00Z',
  });
  const call = invoker((await import('#handlers/serve-decisions.ts')).handler as never);
  const admin = { tenant: 'acme', scope: 'admin' as const, keyId: 'bench-admin' };
  const channel = { tenant: 'acme', scope: 'channel' as const, keyId: 'bench-channel' };
  for (const a of fiftyActions())
    await call({ method: 'PUT', path: `/v1/actions/${a.actionId}`, body: a, caller: admin });
  const db = documentClient({ endpoint });
  for (let i = 0; i < 100; i++) {
    await db.send(
      new PutCommand({
        TableName: table,
        Item: {
          pk: `C#h${i}`,
          sk: 'P',
          kind: 'profile',
          customerId: `h${i}`,
          version: 1,
          createdAt: stamp.at,
          updatedAt: stamp.at,
          ...profile,
          scores: storedScores,
        },
      }),
    );
  }
  db.destroy();
  const once = (i: number) =>
    call({
      method: 'POST',
      path: '/v1/decisions',
      body: { customerId: `h${i % 100}`, channel: 'app', limit: 1 },
      caller: channel,
    });
  for (let i = 0; i < 200; i++) await once(i); // JIT and caches
  let bytes = 0;
  const write = process.stdout.write.bind(process.stdout);
  (process.stdout as { write: unknown }).write = (chunk: string | Uint8Array) => {
    bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    return true;
  };
  const N = 500;
  const start = process.cpuUsage();
  try {
    for (let i = 0; i < N; i++) {
      const res = await once(i);
      if (res.status !== 200) throw new Error(`decision answered ${res.status}: ${res.raw}`);
    }
  } finally {
    (process.stdout as { write: unknown }).write = write;
  }
  const used = process.cpuUsage(start);
  const cpuMs = (used.user + used.system) / 1000 / N;
  return [
    {
      name: 'Decisions handler CPU per decision (one core; DynamoDB Local not counted)',
      value: Number(cpuMs.toFixed(2)),
      unit: 'ms',
      note: "the cost model's decisionCpuMs (at 1 vCPU = 1769 MB)",
    },
    {
      name: 'Decisions handler stdout per decision (EMF meter line)',
      value: Math.round(bytes / N),
      unit: 'bytes',
      note: "the cost model's emfBytes",
    },
  ];
}

const endpoint = process.argv[2];
if (!endpoint) throw new Error('usage: decision-handler-cpu.ts <dynamodb-endpoint>');
console.log(JSON.stringify(await handlerCpu(endpoint)));
