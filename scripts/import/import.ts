import { deploymentOf } from '#config/market-config.ts';
import { createReadStream, statSync } from 'node:fs';
import { parse } from 'csv-parse';
import { documentClient } from '#adapters/dynamo/client.ts';
import { DynamoCustomerRepo } from '#adapters/dynamo/customer-repo.ts';
import { DynamoStateRepo } from '#adapters/dynamo/state-repo.ts';
import { tenantTableName } from '#adapters/dynamo/table-design.ts';
import { importProfiles } from '#app/import-profiles.ts';
import { systemClock } from '#adapters/clock.ts';
import { CHANNELS, type Channel } from '#domain/customer.ts';
import { datasetSchema } from '#domain/datasets/index.ts';
import type { ProfileWithId } from '#domain/datasets/dataset-schema.ts';
import type { UsagePeriod } from '#domain/datasets/usage-state.ts';
import { defineCli, marketAt, marketOption, stageOption, tenantOf } from '../lib/args.ts';
import { localDynamo } from '../lib/local-dynamo.ts';
import { fileProgress } from '../lib/progress.ts';

const channelList = (text: string) => (text ? text.split(',').map((c) => c.trim()) : []);

const cli = defineCli({
  name: 'import',
  summary:
    "Loads customers from a CSV in the market's dataset schema into a tenant's table: the local runtime's DynamoDB, or the deployed table with --aws.",
  options: {
    market: marketOption(),
    stage: stageOption(),
    tenant: {
      type: 'string',
      required: true,
      placeholder: '<id>',
      description: 'the tenant that receives the customers',
    },
    file: {
      type: 'file',
      required: true,
      placeholder: '<csv>',
      description: "customers in the market's dataset schema",
    },
    consent: {
      type: 'string',
      default: '',
      placeholder: 'sms,app',
      description: 'grant marketing consent on these channels (the datasets record none)',
      validate: (v) => {
        const bad = channelList(v).find((c) => !(CHANNELS as readonly string[]).includes(c));
        return bad === undefined ? undefined : `unknown channel '${bad}'; channels: ${CHANNELS.join(', ')}`;
      },
    },
    aws: { type: 'boolean', description: 'write to the deployed tables (credentials from the environment)' },
    quiet: { type: 'boolean', description: 'no progress bar (there is none anyway when stderr is not a terminal)' },
  },
  notes: ['example: npm run import -- --market demo --tenant consumer --file data/ibm-telco-churn.train.csv'],
});
const args = cli.parse();

const market = marketAt(args.market, args.stage);
const tenant = tenantOf(market, args.tenant);
const consentChannels = channelList(args.consent);
const consent = Object.fromEntries(consentChannels.map((c) => [c as Channel, true]));

const schema = datasetSchema(market.dataset);
const dynamo = args.aws ? { endpoint: undefined, stop: async () => {} } : await localDynamo(market);
const db = documentClient({ endpoint: dynamo.endpoint, region: market.aws.region });
const tableOf = (t: string) => tenantTableName(deploymentOf(market), t);
const repo = new DynamoCustomerRepo(db, tableOf);
// a dataset with behavioural columns (ir) also gives each new customer its state (usage-state.ts)
const states = new DynamoStateRepo(db, tableOf);
const run = importProfiles({ customers: repo, clock: systemClock, states });

const started = performance.now();
const rejected: { row: number; reasons: string[] }[] = [];
let rows = 0;
let written = 0;
let unchanged = 0;
// Progress by bytes read: a 9M-row file needs no counting pass first.
const source = createReadStream(args.file);
const bar = args.quiet ? { update: () => {}, done: () => {} } : fileProgress('importing', statSync(args.file).size);

const parser = source.pipe(parse({ columns: true, skip_empty_lines: true, relax_column_count: true }));
let batch: ProfileWithId[] = [];
let usage = new Map<string, UsagePeriod>();
let headerChecked = false;
const inFlight = new Set<Promise<void>>();
let statesCreated = 0;
const flush = (profiles: ProfileWithId[], periods: ReadonlyMap<string, UsagePeriod>) => {
  const p = run(tenant, profiles, periods.size ? periods : undefined).then((r) => {
    written += r.written;
    statesCreated += r.states ?? 0;
    unchanged += r.unchanged;
    for (const x of r.rejected) rejected.push({ row: -1, reasons: [`${x.customerId}: ${x.reason}`] });
    bar.update(source.bytesRead, rows);
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
  if (mapped.usage) usage.set(mapped.profile.customerId, mapped.usage);
  if (batch.length === 100) {
    void flush(batch, usage);
    batch = [];
    usage = new Map();
    // A few batches in flight keep DynamoDB busy without unbounded memory.
    while (inFlight.size >= 8) await Promise.race(inFlight);
  }
}
if (batch.length) void flush(batch, usage);
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
  states: statesCreated,
  rejected: rejected.length,
  seconds: Number(seconds.toFixed(2)),
  rowsPerSecond: Math.round(rows / seconds),
};
console.log(JSON.stringify(summary));
for (const r of rejected.slice(0, 20))
  console.error(`rejected${r.row > 0 ? ` row ${r.row}` : ''}: ${r.reasons.join('; ')}`);
if (rejected.length > 20) console.error(`… and ${rejected.length - 20} more rejected rows`);
