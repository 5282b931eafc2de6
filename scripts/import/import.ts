import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { documentClient } from '#adapters/dynamo/client.ts';
import { DynamoCustomerRepo } from '#adapters/dynamo/customer-repo.ts';
import { tenantTableName } from '#adapters/dynamo/table-design.ts';
import { importProfiles } from '#app/import-profiles.ts';
import { systemClock } from '#adapters/clock.ts';
import { CHANNELS, type Channel } from '#domain/customer.ts';
import { datasetSchema } from '#domain/datasets/index.ts';
import type { ProfileWithId } from '#domain/datasets/dataset-schema.ts';
import { loadMarket } from '#config/markets/index.ts';
import { cliArgs } from '../lib/args.ts';
import { localDynamo } from '../lib/local-dynamo.ts';
import { progressBar } from '../lib/progress.ts';

/**
 * npm run import -- --market demo --tenant consumer --file data/ibm-telco-churn.train.csv
 *   [--consent sms,app]  grant marketing consent on these channels (the datasets record none)
 *   [--aws]              write to the deployed tables (credentials from the environment)
 */
const args = cliArgs({
  market: { type: 'string', default: 'demo' },
  tenant: { type: 'string' },
  file: { type: 'string' },
  consent: { type: 'string', default: '' },
  aws: { type: 'boolean', default: false },
  quiet: { type: 'boolean', default: false },
});

const market = loadMarket(args.market);
const tenant = args.tenant;
if (!tenant || !market.tenants.some((t) => t.id === tenant)) {
  console.error(`--tenant must be one of: ${market.tenants.map((t) => t.id).join(', ')}`);
  process.exit(2);
}
if (!args.file) {
  console.error('--file <csv> is required');
  process.exit(2);
}
const consentChannels = args.consent ? args.consent.split(',').map((c) => c.trim()) : [];
const badChannel = consentChannels.find((c) => !(CHANNELS as readonly string[]).includes(c));
if (badChannel) {
  console.error(`--consent: unknown channel '${badChannel}'; channels: ${CHANNELS.join(', ')}`);
  process.exit(2);
}
const consent = Object.fromEntries(consentChannels.map((c) => [c as Channel, true]));

const schema = datasetSchema(market.dataset);
const dynamo = args.aws ? { endpoint: undefined, stop: async () => {} } : await localDynamo(market);
const repo = new DynamoCustomerRepo(documentClient({ endpoint: dynamo.endpoint, region: market.aws.region }), (t) =>
  tenantTableName(market.code, t),
);
const run = importProfiles({ customers: repo, clock: systemClock });

const started = performance.now();
const rejected: { row: number; reasons: string[] }[] = [];
let rows = 0;
let written = 0;
let unchanged = 0;
let totalRows = 0;
{
  // A first pass counts rows for the progress bar (cheap next to the writes).
  const counter = createReadStream(args.file).pipe(parse({ columns: false, from_line: 2, skip_empty_lines: true }));
  for await (const _ of counter) totalRows++;
}
const bar = args.quiet ? { update: () => {}, done: () => {} } : progressBar('importing', totalRows);

const parser = createReadStream(args.file).pipe(
  parse({ columns: true, skip_empty_lines: true, relax_column_count: true }),
);
let batch: ProfileWithId[] = [];
let headerChecked = false;
const inFlight = new Set<Promise<void>>();
const flush = (profiles: ProfileWithId[]) => {
  const p = run(tenant, profiles).then((r) => {
    written += r.written;
    unchanged += r.unchanged;
    for (const x of r.rejected) rejected.push({ row: -1, reasons: [`${x.customerId}: ${x.reason}`] });
    bar.update(rows);
  });
  inFlight.add(p);
  void p.finally(() => inFlight.delete(p));
  return p;
};
for await (const row of parser as AsyncIterable<Record<string, string>>) {
  if (!headerChecked) {
    const missing = schema.columns.filter((c) => !(c in row));
    if (missing.length) {
      console.error(`the file is not in the ${schema.name} schema: missing columns ${missing.join(', ')}`);
      await dynamo.stop();
      process.exit(2);
    }
    headerChecked = true;
  }
  rows++;
  const mapped = schema.toProfile(row, rows);
  if (!mapped.ok) {
    rejected.push({ row: rows, reasons: mapped.reasons });
    continue;
  }
  batch.push(
    consentChannels.length ? { ...mapped.profile, consent: { ...mapped.profile.consent, ...consent } } : mapped.profile,
  );
  if (batch.length === 100) {
    void flush(batch);
    batch = [];
    // A few batches in flight keep DynamoDB busy without unbounded memory.
    while (inFlight.size >= 8) await Promise.race(inFlight);
  }
}
if (batch.length) void flush(batch);
await Promise.all(inFlight);
bar.done(rows);
await dynamo.stop();

const seconds = (performance.now() - started) / 1000;
const summary = {
  market: market.code,
  tenant,
  file: args.file,
  rows,
  loaded: written + unchanged,
  written,
  unchanged,
  rejected: rejected.length,
  seconds: Number(seconds.toFixed(2)),
  rowsPerSecond: Math.round(rows / seconds),
};
console.log(JSON.stringify(summary));
for (const r of rejected.slice(0, 20))
  console.error(`rejected${r.row > 0 ? ` row ${r.row}` : ''}: ${r.reasons.join('; ')}`);
if (rejected.length > 20) console.error(`… and ${rejected.length - 20} more rejected rows`);
