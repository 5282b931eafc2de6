import { deploymentOf } from '#config/market-config.ts';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { documentClient } from '#adapters/dynamo/client.ts';
import { DynamoCustomerRepo } from '#adapters/dynamo/customer-repo.ts';
import { tenantTableName } from '#adapters/dynamo/table-design.ts';
import { importProfiles } from '#app/import-profiles.ts';
import { fixedClock } from '#domain/clock.ts';
import { datasetSchema } from '#domain/datasets/index.ts';
import type { ProfileWithId } from '#domain/datasets/dataset-schema.ts';
import { reportHtml } from '#domain/reports/render.ts';
import { REPORT_NAMES, type ReportSnapshot } from '#domain/reports/report.ts';
import { loadMarket } from '#config/markets/index.ts';
import { apiClient, expectAnswer, fetchTransport } from '../lib/api/api-client.ts';
import type { components } from '../lib/api/api-types.ts';
import { defineCli, describeError, tenantOf } from '../lib/args.ts';
import { progressBar } from '../lib/progress.ts';
import { syntheticDay, type DemoEvent } from './synthetic-day.ts';

/**
 * npm run demo [-- --quick] [--out report.html] [--file <csv>]
 * The whole platform in a few minutes: against a running `npm start` (found through
 * .local/runtime.json and /v1/health) or one it starts itself (fresh data, the clock at a weekday
 * midday in Johannesburg, workflow waits shortened). Imports the IBM training set, streams a day of
 * synthetic events, shows triggers firing, asks for decisions in three channels, runs a campaign
 * with pilot and control group (when the campaigns API is there), refreshes the reports and writes
 * the HTML report. --quick: a small subset (used by the test in npm test).
 */
const args = defineCli({
  name: 'demo',
  summary:
    'The whole platform in a few minutes, against a running `npm start` or one it starts itself: imports customers, streams a day of events, fires triggers, asks for decisions, runs a campaign and writes the HTML report.',
  options: {
    quick: { type: 'boolean', description: 'a small subset (what the test in npm test runs)' },
    out: {
      type: 'string',
      placeholder: '<html>',
      description: 'where the report goes (default .local/demo-report.html)',
    },
    file: {
      type: 'file',
      default: 'data/ibm-telco-churn.train.csv',
      placeholder: '<csv>',
      description: 'the customers to import (IBM Telco schema)',
    },
    tenant: { type: 'string', default: 'consumer', placeholder: '<id>', description: 'the demo market tenant' },
  },
}).parse();
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
const say = (s: string) => console.log(s);
const step = (n: number, s: string) => say(`\n[${n}/7] ${s}  (${elapsed()})`);
const market = loadMarket('demo');
tenantOf(market, args.tenant);
const dir = resolve(process.env['CVM_LOCAL_DIR'] ?? '.local');
const TIME_SCALE = 30;

interface RuntimeInfo {
  baseUrl: string;
  tenants: Record<string, { apiKey: string; channelKey: string }>;
  dynamoEndpoint: string;
  cvmNow?: string;
  startedAt?: string;
}

/** The next weekday (today if it is one) at 12:00 in Johannesburg (UTC+2, no DST). */
function weekdayMiddayJohannesburg(from = new Date()): string {
  const d = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate(), 10, 0, 0));
  while (d.getUTCDay() === 0 || d.getUTCDay() === 6) d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString();
}

async function healthy(baseUrl: string) {
  try {
    return (await fetch(`${baseUrl}/v1/health`, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}

// --- 1. the runtime ------------------------------------------------------------------------------
step(1, 'platform');
let info: RuntimeInfo | undefined;
let ownRuntime: Awaited<ReturnType<typeof import('../local/runtime.ts').startRuntime>> | undefined;
const runtimeFile = join(dir, 'runtime.json');
if (existsSync(runtimeFile)) {
  const found = JSON.parse(readFileSync(runtimeFile, 'utf8')) as RuntimeInfo;
  if (await healthy(found.baseUrl)) {
    info = found;
    say(`  using the running npm start at ${found.baseUrl}`);
  }
}
if (!info) {
  const { startRuntime } = await import('../local/runtime.ts');
  const now = process.env['CVM_NOW'] ?? weekdayMiddayJohannesburg();
  process.env['LOG_LEVEL'] ??= 'WARN';
  ownRuntime = await startRuntime({
    market: 'demo',
    dir,
    fresh: true,
    port: Number(process.env['PORT'] ?? 3000),
    now,
    timeScale: TIME_SCALE,
    reportsIntervalMs: 3_600_000,
  });
  info = JSON.parse(readFileSync(runtimeFile, 'utf8')) as RuntimeInfo;
  say(`  started the local runtime at ${info.baseUrl} (fresh data, clock ${now}, waits ÷${TIME_SCALE})`);
}
const { baseUrl } = info;
const keys = info.tenants[args.tenant];
if (!keys) throw new Error(`tenant '${args.tenant}' is not in .local/runtime.json`);

/** The typed API client (scripts/lib/api), as the tenant's admin and as one of its channels. */
const admin = apiClient(fetchTransport(baseUrl), { key: keys.apiKey });
const channelApi = apiClient(fetchTransport(baseUrl), { key: keys.channelKey });
/** The runtime's platform clock (CVM_NOW and running on), from runtime.json. */
const platformNow = () =>
  info!.cvmNow && info!.startedAt
    ? new Date(Date.parse(info!.cvmNow) + Date.now() - Date.parse(info!.startedAt))
    : new Date();

const summary: string[] = [];
let exitCode = 0;
try {
  // --- 2. import -----------------------------------------------------------------------------------
  step(2, `importing ${args.file}`);
  const schema = datasetSchema(market.dataset);
  const rows = parse(readFileSync(args.file), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  const subset = args.quick ? rows.slice(0, 80) : rows;
  const profiles: ProfileWithId[] = [];
  const labels = new Map<string, boolean>();
  subset.forEach((row, i) => {
    const m = schema.toProfile(row, i + 1);
    if (!m.ok) return;
    profiles.push({ ...m.profile, consent: { sms: true, app: true, ussd: true } });
    labels.set(m.profile.customerId, m.label?.churned ?? false);
  });
  const repo = new DynamoCustomerRepo(
    documentClient({ endpoint: info.dynamoEndpoint, region: market.aws.region }),
    (t) => tenantTableName(deploymentOf(market), t),
  );
  const importer = importProfiles({ customers: repo, clock: fixedClock(platformNow()) });
  const bar = progressBar('  importing', profiles.length);
  let written = 0;
  let imported = 0;
  const batches = Array.from({ length: Math.ceil(profiles.length / 200) }, (_, b) =>
    profiles.slice(b * 200, b * 200 + 200),
  );
  // three batches in flight: DynamoDB Local keeps up, and the import takes a third of the time
  const importNext = async (): Promise<void> => {
    const batch = batches.shift();
    if (!batch) return;
    const result = await importer(args.tenant, batch);
    written += result.written;
    bar.update((imported += batch.length));
    return importNext();
  };
  await Promise.all([importNext(), importNext(), importNext()]);
  bar.done(profiles.length);
  summary.push(`imported ${profiles.length} customers (${written} written, the rest unchanged)`);

  // --- 3. a day of events --------------------------------------------------------------------------
  const end = platformNow();
  // a day's activity from an eighth of the base (all of it in --quick): enough for every report,
  // and the local processor (one process, DynamoDB Local) gets through it in about a minute
  const busy = profiles.filter((_, i) => args.quick || i % 8 === 0);
  const day = syntheticDay(
    busy.map((p) => ({ customerId: p.customerId, churnLabel: labels.get(p.customerId) ?? false })),
    new Date(end.getTime() - 60_000),
    9,
    args.quick ? 10 : 100,
  );
  step(3, `streaming a day of events: ${day.events.length} events, ${day.newCustomers.length} acquisitions`);
  written = (await importer(args.tenant, day.newCustomers)).written;
  const outboundBefore = countOutbound();
  const sendBar = progressBar('  POST /v1/events', day.events.length);
  let accepted = 0;
  const rejected: string[] = [];
  for (let i = 0; i < day.events.length; i += 500) {
    const batch = day.events.slice(i, i + 500);
    const res = expectAnswer(await channelApi.post('/v1/events', { body: { events: batch } }), 202);
    accepted += res.json.accepted;
    for (const r of res.json.rejected) rejected.push(`${r.eventId}: ${JSON.stringify(r.errors)}`);
    sendBar.update(i + batch.length);
  }
  sendBar.done(day.events.length);
  if (rejected.length) say(`  ${rejected.length} rejected, e.g. ${rejected[0]}`);
  const processed = await waitProcessed(day.events, 150_000);
  summary.push(
    `streamed ${day.events.length} events (${accepted} accepted): ${describeTypes(day.events)}; processed in ${processed}`,
  );

  // the nightly score-base workflow, in the background while decisions and the campaign run, so the
  // KPIs can set predicted NPS beside the surveys (skipped in --quick)
  const scoring = args.quick ? undefined : scoreBase();

  // --- 4. triggers ---------------------------------------------------------------------------------
  step(4, 'triggers fired (outbound hand-offs)');
  const outbound = await settledOutbound();
  const fired = Object.entries(outbound)
    .map(([ch, n]) => [ch, n - (outboundBefore[ch] ?? 0)] as const)
    .filter(([, n]) => n > 0);
  for (const [ch, n] of fired) say(`  ${ch.padEnd(12)} ${n} message(s) in ${join(dir, 'outbound', `${ch}.jsonl`)}`);
  const sample = lastLine(fired[0]?.[0]);
  if (sample) say(`  e.g. ${sample.slice(0, 220)}`);
  summary.push(
    `triggers handed off ${fired.reduce((s, [, n]) => s + n, 0)} message(s): ${fired.map(([c, n]) => `${c} ${n}`).join(', ') || 'none'}`,
  );

  // --- 5. decisions ----------------------------------------------------------------------------------
  const channels = ['app', 'ussd', 'call-centre'] as const;
  const perChannel = args.quick ? 4 : 40;
  step(5, `decisions in ${channels.join(', ')} (${perChannel} customers each) and their responses`);
  const churnedIds = new Set(day.events.filter((e) => e.type === 'customer.churned').map((e) => e.customerId));
  const active = busy.filter((p) => !churnedIds.has(p.customerId));
  const decided: Record<string, { decisions: number; offers: number; control: number; accepted: number }> = {};
  let k = 0;
  let firstShown = false;
  for (const channel of channels) {
    const d = (decided[channel] = { decisions: 0, offers: 0, control: 0, accepted: 0 });
    for (let i = 0; i < perChannel; i++) {
      const customer = active[(k++ * 7) % active.length]!;
      const res = expectAnswer(
        await channelApi.post('/v1/decisions', { body: { customerId: customer.customerId, channel } }),
        200,
      );
      d.decisions++;
      if (res.json.experiment?.group === 'control') d.control++;
      const first = res.json.actions?.[0];
      if (!first) continue;
      d.offers += res.json.actions.length;
      if (!firstShown) {
        say(
          `  e.g. ${channel} ${customer.customerId}: ${res.json.actions.map((a) => `${a.actionId} (${Number(a.score).toFixed(2)})`).join(', ')}`,
        );
        firstShown = true;
      }
      const response = i % 5 < 2 ? 'accepted' : i % 5 < 4 ? 'declined' : 'ignored';
      const r = await channelApi.post('/v1/decisions/{decisionId}/responses', {
        path: { decisionId: res.json.decisionId },
        body: { actionId: first.actionId, response },
      });
      if (r.status === 200 && response === 'accepted') d.accepted++;
    }
    say(
      `  ${channel.padEnd(12)} ${d.decisions} decisions, ${d.offers} actions offered, ${d.control} in the control group, ${d.accepted} accepted`,
    );
  }
  summary.push(
    `decisions: ${channels.map((c) => `${c} ${decided[c]!.decisions} (${decided[c]!.offers} actions, ${decided[c]!.accepted} accepted)`).join('; ')}`,
  );

  // --- 6. campaign ------------------------------------------------------------------------------------
  step(6, 'campaign with pilot and control group');
  summary.push(await runCampaign(active.slice(0, args.quick ? 30 : 600).map((p) => p.customerId)));

  // --- 7. reports ---------------------------------------------------------------------------------
  step(7, 'reports: score-base, build-reports job, GET /v1/reports/{name}, HTML');
  say(scoring ? `  ${await scoring}` : '  score-base skipped in --quick (predicted NPS stays empty)');
  if (ownRuntime) await ownRuntime.buildReports();
  else {
    const r = spawnSync('npx', ['tsx', 'scripts/reports/build-reports.ts', '--market', 'demo'], {
      stdio: 'inherit',
      env: { ...process.env, CVM_LOCAL_DIR: dir },
    });
    if (r.status !== 0) throw new Error('npm run build-reports failed');
  }
  const snapshots: ReportSnapshot[] = [];
  for (const name of REPORT_NAMES) {
    const res = expectAnswer(await admin.get('/v1/reports/{name}', { path: { name } }), 200);
    snapshots.push(...(res.json.periods as ReportSnapshot[]));
  }
  const out = resolve(args.out ?? join(dir, 'demo-report.html'));
  writeFileSync(
    out,
    reportHtml(`telco-cvm demo · ${args.tenant} · ${new Date(end).toISOString().slice(0, 10)}`, snapshots),
  );
  const kpis = snapshots.find((s) => s.name === 'kpis')?.summary ?? {};
  const aq = snapshots.find((s) => s.name === 'acquisition-quality');
  const flagged =
    aq?.rows
      .filter((r) => r['flagged'] === 1)
      .map(
        (r) =>
          `${r['dimension']} ${r['value']} (${Math.round(Number(r['churnShare30d']) * 100)}% gone within 30 days, z=${r['z']})`,
      ) ?? [];
  const exits = snapshots.find((s) => s.name === 'exit-reasons');
  say(
    `  kpis: active base ${kpis['activeBase']}, churn rate ${pct(kpis['churnRate'])}, ARPU ${kpis['arpu']} ${market.currency}, offer take-up ${pct(kpis['offerTakeUp'])}, predicted NPS ${kpis['predictedNps']} vs measured ${kpis['measuredNps']}, FCR ${pct(kpis['firstContactResolution'])}`,
  );
  say(
    `  exit reasons: ${exits?.rows
      .filter((r) => r['dimension'] === 'reason')
      .map((r) => `${r['value']} ${r['churned']}`)
      .join(', ')}`,
  );
  say(`  acquisition quality: ${flagged.length ? `flagged ${flagged.join('; ')}` : 'nothing flagged'}`);
  say(
    `  try: curl -s -H 'x-api-key: ${keys.apiKey}' '${baseUrl}/v1/reports/acquisition-quality?format=svg&groupBy=dealer' > chart.svg`,
  );
  summary.push(
    `reports: ${snapshots.length} snapshots; active base ${kpis['activeBase']}, churn ${pct(kpis['churnRate'])}, ARPU ${kpis['arpu']}; ${flagged.length} acquisition group(s) flagged`,
  );
  summary.push(`HTML report: ${out}`);
} catch (err) {
  exitCode = 1;
  console.error(`\ndemo failed: ${describeError(err)}`);
} finally {
  say(`\nSummary (${elapsed()}):`);
  for (const s of summary) say(`  - ${s}`);
  if (ownRuntime) await ownRuntime.stop();
}
process.exit(exitCode);

/** `npm run score-base` for the demo tenant, as a child process; resolves to a line for the log. */
function scoreBase(): Promise<string> {
  const t0 = performance.now();
  const child = spawn('npx', ['tsx', 'scripts/local/score-base.ts', '--market', 'demo', '--tenant', args.tenant], {
    env: { ...process.env, CVM_LOCAL_DIR: dir },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  return new Promise((resolve) =>
    child.once('exit', (code) =>
      resolve(
        code === 0
          ? `score-base: scored the base in ${((performance.now() - t0) / 1000).toFixed(1)} s (alongside steps 4-6)`
          : `score-base failed (predicted NPS stays empty): ${err.slice(-300)}`,
      ),
    ),
  );
}

function pct(v: unknown) {
  return typeof v === 'number' ? `${(v * 100).toFixed(1)}%` : '–';
}

function describeTypes(events: DemoEvent[]) {
  const by = new Map<string, number>();
  for (const e of events) by.set(e.type, (by.get(e.type) ?? 0) + 1);
  return [...by.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([t, n]) => `${n} ${t}`)
    .join(', ');
}

function countOutbound(): Record<string, number> {
  const folder = join(dir, 'outbound');
  if (!existsSync(folder)) return {};
  return Object.fromEntries(
    readdirSync(folder)
      .filter((f) => f.endsWith('.jsonl'))
      .map((f) => [f.slice(0, -6), readFileSync(join(folder, f), 'utf8').split('\n').filter(Boolean).length]),
  );
}

function lastLine(channel: string | undefined) {
  if (!channel) return undefined;
  return readFileSync(join(dir, 'outbound', `${channel}.jsonl`), 'utf8')
    .trim()
    .split('\n')
    .at(-1);
}

/** Waits until customers of the last events show every event sent to them in their state totals. */
/** The outbound files once the sender has caught up: their counts unchanged for half a second (5 s at most). */
async function settledOutbound(): Promise<Record<string, number>> {
  let last = countOutbound();
  for (let i = 0; i < 10; i++) {
    await new Promise((r) => setTimeout(r, 500));
    const now = countOutbound();
    if (JSON.stringify(now) === JSON.stringify(last)) return now;
    last = now;
  }
  return last;
}

async function waitProcessed(events: DemoEvent[], timeoutMs: number): Promise<string> {
  const t0 = performance.now();
  const expected = new Map<string, number>();
  for (const e of events) expected.set(e.customerId, (expected.get(e.customerId) ?? 0) + 1);
  const probes = [...new Set(events.slice(-400).map((e) => e.customerId))].filter((_, i) => i % 8 === 0).slice(0, 12);
  const bar = progressBar('  processing (sampled customers)', probes.length);
  const done = new Set<string>();
  while (done.size < probes.length) {
    for (const id of probes) {
      if (done.has(id)) continue;
      const res = await channelApi.get('/v1/customers/{customerId}', { path: { customerId: id } });
      const totals = (res.status === 200 ? (res.json.state['totals'] ?? {}) : {}) as Record<string, number>;
      if (Object.values(totals).reduce((s, n) => s + n, 0) >= (expected.get(id) ?? 0)) done.add(id);
    }
    bar.update(done.size);
    if (done.size < probes.length) {
      if (performance.now() - t0 > timeoutMs) throw new Error('events were not processed in time');
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  bar.done(done.size);
  return `${((performance.now() - t0) / 1000).toFixed(1)} s after the last POST`;
}

async function runCampaign(customerIds: string[]): Promise<string> {
  const started = await admin.post('/v1/campaigns', {
    body: {
      name: 'demo-bundle-upgrade',
      goal: 'take-up',
      audience: { customerIds },
      actionIds: ['bundle-upgrade-10gb'],
      channel: 'sms',
      controlGroupPercent: 10,
      pilot: { percent: 20, minUplift: 1 },
      responseWindow: 'PT5M',
    },
  });
  if (started.status !== 202) {
    const why = `POST /v1/campaigns answered ${started.status}: ${started.text.slice(0, 200)}`;
    say(`  skipped: ${why}`);
    return `campaign: skipped (${why})`;
  }
  const id = started.json.campaignId;
  say(
    `  started ${id}: ${customerIds.length} customers, 10% control, 20% pilot, response window PT5M (÷${TIME_SCALE})`,
  );
  const t0 = performance.now();
  let last: components['schemas']['Campaign'] | undefined;
  let phase = '';
  while (performance.now() - t0 < (args.quick ? 15_000 : 90_000)) {
    const got = await admin.get('/v1/campaigns/{campaignId}', { path: { campaignId: id } });
    if (got.status === 200) last = got.json;
    if (last && last.phase !== phase) {
      phase = last.phase;
      say(`  ${last.status} · ${phase}`);
    }
    if (last && ['succeeded', 'stopped', 'failed', 'cancelled'].includes(last.status)) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const report = last?.report ? JSON.stringify(last.report).slice(0, 400) : 'no report yet';
  say(`  report: ${report}`);
  return `campaign ${id}: ${last?.status ?? 'unknown'} (${phase}); ${report.slice(0, 160)}`;
}
