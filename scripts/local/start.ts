import { FolderInUseError } from './folder-lock.ts';
import { startRuntime } from './runtime.ts';

/** `npm start`: the whole platform on this machine, no AWS account needed. */
const env = process.env;
// everything the runtime writes (keys, customer data, queues, outbound files) is its owner's only
process.umask(0o077);
const runtime = await startRuntime({
  market: env['CVM_MARKET'] ?? 'demo',
  port: env['PORT'] ? Number(env['PORT']) : 3000,
  dir: env['CVM_LOCAL_DIR'] ?? '.local',
  fresh: env['CVM_FRESH'] === '1',
  ...(env['CVM_NOW'] ? { now: env['CVM_NOW'] } : {}),
  timeScale: env['CVM_TIME_SCALE'] ? Number(env['CVM_TIME_SCALE']) : 1,
  inMemory: env['CVM_DYNAMO_IN_MEMORY'] === '1',
}).catch((err: unknown) => {
  if (!(err instanceof FolderInUseError)) throw err;
  console.error(err.message);
  process.exit(1);
});

const { baseUrl, tenants } = runtime;
const first = Object.keys(tenants)[0]!;
const k = tenants[first]!;
console.log(
  `telco-cvm market '${runtime.market.code}' is running on ${baseUrl}  (DynamoDB Local ${runtime.dynamo.endpoint})`,
);
console.log('\nAPI keys (also in .local/runtime.json):');
for (const [tenant, keys] of Object.entries(tenants)) {
  console.log(`  ${tenant.padEnd(12)} admin   ${keys.apiKey}`);
  console.log(`  ${''.padEnd(12)} channel ${keys.channelKey}`);
}
console.log(`\nTry:
  curl -s ${baseUrl}/v1/health
  curl -s -X PUT ${baseUrl}/v1/customers/27820000001 -H 'x-api-key: ${k.apiKey}' -H 'content-type: application/json' \\
       -d '{"segment":"youth","tariff":"prepaid-plus","contract":"prepaid","monthlyCharge":45,"consent":{"sms":true},"language":"en"}'
  curl -s ${baseUrl}/v1/customers/27820000001 -H 'x-api-key: ${k.channelKey}'
  curl -s ${baseUrl}/v1/openapi.json | head -c 300
Press Ctrl-C to stop.`);

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping…`);
  await runtime.stop();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
