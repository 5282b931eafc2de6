/**
 * `npm run load`: decisions and events at rising fixed rates against a fresh local runtime
 * (`npm start` in a temp folder, loopback only), an open-loop fixed rate as the client. Bounded: every step
 * runs a fixed time at a fixed rate, 6 rates x 2 routes x 8 s by default (about two minutes
 * with warm-up). Prints a table and writes it into docs/benchmarks.md between the load markers,
 * leaving the rest of the file (written by `npm run bench`) as it is.
 *
 *   npm run load -- [--rates 10,25,50,100,200,400] [--seconds 8] [--no-write]
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { isRunning, startLocal } from '../local/npm-start.ts';
import { decideEachOnce, LOAD_CUSTOMERS, seedCustomers } from './customer-base.ts';
import { fixedRate, type FixedRateStep } from './fixed-rate.ts';
import { LOAD_END, LOAD_START, withLoadSection } from './load-section.ts';
import { defineCli } from '../lib/args.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
/** The knee: the first step whose p99 is above this, or that achieves under 95% of its rate. */
const P99_BUDGET_MS = 50;

const values = defineCli({
  name: 'load',
  summary:
    'Decisions and events at rising fixed rates against a fresh local runtime; prints a table and writes it into docs/benchmarks.md between the load markers.',
  options: {
    rates: {
      type: 'string',
      default: '10,25,50,100,200,400',
      placeholder: '<r,r,...>',
      description: 'the request rates to step through, per second',
      validate: (v) =>
        v.split(',').every((r) => Number(r) > 0) ? undefined : 'expected positive numbers separated by commas',
    },
    seconds: { type: 'number', default: 8, min: 1, max: 30, description: 'how long each step runs' },
    'no-write': { type: 'boolean', description: 'print the table only, leave docs/benchmarks.md alone' },
  },
}).parse();
const rates = values.rates.split(',').map(Number);
const seconds = values.seconds;

interface Step extends FixedRateStep {
  route: string;
}

const customerId = (i: number) => `load-${i % LOAD_CUSTOMERS}`;
const customerIds = Array.from({ length: LOAD_CUSTOMERS }, (_, i) => customerId(i));
let eventSeq = 0;

async function step(baseUrl: string, key: string, route: 'decisions' | 'events', rate: number): Promise<Step> {
  const result =
    route === 'decisions'
      ? await fixedRate(baseUrl, key, rate, seconds, {
          method: 'POST',
          path: '/v1/decisions',
          body: (n) => ({ customerId: customerId(n), channel: (['app', 'ussd', 'sms'] as const)[n % 3] }),
        })
      : await fixedRate(baseUrl, key, rate, seconds, {
          method: 'POST',
          path: '/v1/events',
          body: (n) => ({
            events: Array.from({ length: 10 }, (_, k) => ({
              eventId: `load-${eventSeq++}`,
              customerId: customerId(n * 10 + k),
              type: 'usage.voice',
              occurredAt: new Date().toISOString(),
              data: { seconds: 60 },
            })),
          }),
        });
  return { route: route === 'decisions' ? 'POST /v1/decisions' : 'POST /v1/events (10 events each)', ...result };
}

const isKnee = (s: Step) => s.p99 > P99_BUDGET_MS || s.achieved < 0.95 * s.rate || s.non2xx > 0 || s.errors > 0;

// the local build-reports timer shares the API's event loop (in AWS it is its own scheduled Lambda)
const rt = await startLocal({
  POWERTOOLS_LOG_LEVEL: 'ERROR',
  CVM_REPORTS_INTERVAL_S: '86400',
  CVM_DYNAMO_IN_MEMORY: '1',
});
const steps: Step[] = [];
try {
  const { baseUrl } = rt.info;
  const keys = rt.info.tenants['consumer']!;
  await seedCustomers(baseUrl, keys.apiKey, customerIds, (c) => ({
    segment: 'youth',
    tenureMonths: c % 60,
    monthlyCharge: 20 + (c % 80),
    contract: 'prepaid',
    consent: { app: true, sms: true, ussd: true },
    language: 'en',
  }));
  // warm-up: a first decision for every customer, then caches, JIT and connections at a low rate
  await decideEachOnce(baseUrl, keys.channelKey, customerIds);
  await step(baseUrl, keys.channelKey, 'decisions', 20);
  await step(baseUrl, keys.channelKey, 'events', 10);
  for (const route of ['decisions', 'events'] as const) {
    for (const rate of rates) {
      const s = await step(baseUrl, keys.channelKey, route, rate);
      steps.push(s);
      process.stderr.write(
        `load: ${s.route} @ ${rate}/s -> ${s.achieved.toFixed(1)}/s p50 ${s.p50} ms p99 ${s.p99} ms non-2xx ${s.non2xx}\n`,
      );
    }
  }
} finally {
  await rt.interrupt();
  // npm exits before the runtime has finished stopping (a deep queue drains its batch first):
  // wait for DynamoDB Local to go, so the next step of a script does not measure against it
  for (let i = 0; i < 300 && isRunning(rt.info.dynamoPid); i++) await new Promise((r) => setTimeout(r, 100));
  if (isRunning(rt.info.dynamoPid)) {
    process.stderr.write(`load: DynamoDB Local (pid ${rt.info.dynamoPid}) is still running after 30 s: stopping it\n`);
    try {
      process.kill(-rt.info.dynamoPid, 'SIGKILL');
    } catch {
      /* gone meanwhile */
    }
  }
}

const knees = Object.fromEntries(
  [...new Set(steps.map((s) => s.route))].map((route) => [route, steps.find((s) => s.route === route && isKnee(s))]),
);
const throughputKnees = Object.fromEntries(
  [...new Set(steps.map((s) => s.route))].map((route) => [
    route,
    steps.find((s) => s.route === route && s.achieved < 0.95 * s.rate),
  ]),
);
const cpu = cpus();
const section = `${LOAD_START}
## Load: fixed-rate steps on the local runtime

Written by \`npm run load\` (${new Date().toISOString()}): an open-loop fixed rate over loopback
(scripts/load/fixed-rate.ts: requests evenly spaced and sent when due whatever is still in flight;
latency from when each was due, so coordinated omission is corrected) against \`npm start\` (one
Node process serving every API function and the event processor, DynamoDB Local on Java, in
memory; the local build-reports timer off, as in AWS it is a Lambda of its own), ${seconds} s per
step, ${LOAD_CUSTOMERS.toLocaleString('en-US')} customers, each decided once before the first step (a first decision scores
the customer on the spot). The knee is the first step whose p99 exceeds
${P99_BUDGET_MS} ms, that achieves under 95% of its target rate, or that sees any non-2xx.
Machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown'}, load average before the run ${loadavg()[0]?.toFixed(2)}, shared
with other work, so read the shape more than the absolute numbers. In AWS every function scales
out on its own; this measures one local process.

| route | target req/s | achieved req/s | p50 ms | p99 ms | max ms | non-2xx | errors |
|---|---|---|---|---|---|---|---|
${steps.map((s) => `| ${s.route} | ${s.rate} | ${s.achieved.toFixed(1)} | ${s.p50} | ${s.p99} | ${s.max} | ${s.non2xx} | ${s.errors + s.timeouts} |`).join('\n')}

${Object.entries(knees)
  .map(
    ([route, k]) =>
      `- knee of ${route}: ${k ? `${k.rate} req/s (achieved ${k.achieved.toFixed(1)}, p99 ${k.p99} ms)` : `none up to ${rates.at(-1)} req/s`}`,
  )
  .join('\n')}
${Object.entries(throughputKnees)
  .map(
    ([route, k]) =>
      `- throughput knee of ${route} (first step under 95% of its rate): ${k ? `${k.rate} req/s (achieved ${k.achieved.toFixed(1)})` : `none up to ${rates.at(-1)} req/s`}`,
  )
  .join('\n')}
${LOAD_END}
`;
console.log(section);

if (!values['no-write']) {
  const file = join(ROOT, 'docs', 'benchmarks.md');
  const doc = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  writeFileSync(file, withLoadSection(doc, section));
  process.stderr.write('load: wrote the load section of docs/benchmarks.md\n');
}
