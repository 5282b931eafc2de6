import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { batchWriteAll } from '#adapters/dynamo/batch-write.ts';
import { documentClient } from '#adapters/dynamo/client.ts';
import { tenantTableName } from '#adapters/dynamo/table-design.ts';
import { deploymentOf } from '#config/market-config.ts';
import { loadMarket } from '#config/markets/index.ts';
import { freePort } from '../../lambdas/test-support/dynamo-local.ts';
import { bundleEmpty, bundleHandler, deployedEnvironments, importMs } from './bundles.ts';
import { median, type BenchFigure } from './figure.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const DATA = resolve(ROOT, 'data', 'ibm-telco-churn.train.csv');
const TABLE = tenantTableName(deploymentOf(loadMarket('demo')), 'consumer');

/** The customers handler bundled exactly as the stack bundles it, and an empty bundle beside it. */
async function bundles(dir: string) {
  const out: Record<string, string> = {};
  for (const name of ['serve-customers', 'authorize-request', 'serve-meta']) {
    out[name] = join(dir, `${name}.mjs`);
    await bundleHandler(`${name}.ts`, out[name]);
  }
  out['empty'] = join(dir, 'empty.mjs');
  await bundleEmpty(dir, out['empty']);
  return out;
}

async function startRuntimeProcess(dir: string) {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/local/start.ts')], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), CVM_FRESH: '1', CVM_LOCAL_DIR: dir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  for (let i = 0; i < 600 && !out.includes('Press Ctrl-C'); i++) await new Promise((r) => setTimeout(r, 100));
  const info = JSON.parse(readFileSync(join(dir, 'runtime.json'), 'utf8')) as {
    baseUrl: string;
    dynamoEndpoint: string;
    tenants: Record<string, { apiKey: string }>;
  };
  return {
    info,
    stop: () =>
      new Promise<void>((r) => {
        child.once('exit', () => r());
        child.kill('SIGINT');
      }),
  };
}

async function cannon(opts: autocannon.Options) {
  const result = await autocannon({ duration: 5, connections: 8, ...opts });
  return { p50: result.latency.p50, p99: result.latency.p99, rps: result.requests.average, non2xx: result.non2xx };
}

export async function runFoundationBench(): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'cvm-bench-'));

  // Bundle sizes and cold-start import time.
  const files = await bundles(dir);
  for (const name of ['serve-customers', 'authorize-request', 'serve-meta']) {
    figures.push({ name: `bundle size: ${name}`, value: Math.round(statSync(files[name]!).size / 1024), unit: 'KiB' });
  }
  // with the environment the stack gives the function (as `npm run bench bundles` measures each one)
  const env = (await deployedEnvironments())['serve-customers']!;
  importMs(files['serve-customers']!, env);
  importMs(files['empty']!, env);
  const handlerTimes: number[] = [];
  const emptyTimes: number[] = [];
  for (let i = 0; i < 10; i++) {
    handlerTimes.push(importMs(files['serve-customers']!, env));
    emptyTimes.push(importMs(files['empty']!, env));
  }
  const h = median(handlerTimes);
  const e = median(emptyTimes);
  figures.push({
    name: 'cold start: node importing the customers bundle',
    value: Number(h.toFixed(1)),
    unit: 'ms',
    reference: { name: 'empty bundle', value: Number(e.toFixed(1)), unit: 'ms' },
    ratio: Number((h / e).toFixed(2)),
  });

  // Local HTTP latency of the customers API against DynamoDB Local.
  const rt = await startRuntimeProcess(join(dir, 'runtime'));
  try {
    const base = rt.info.baseUrl;
    const key = rt.info.tenants['consumer']!.apiKey;
    const headers = { 'x-api-key': key, 'content-type': 'application/json' };
    const body = JSON.stringify({
      segment: 'youth',
      tariff: 'smart-50',
      monthlyCharge: 80,
      consent: { sms: true },
      products: ['phone'],
    });
    await fetch(`${base}/v1/customers/bench-1`, { method: 'PUT', headers, body });
    await cannon({ url: `${base}/v1/health`, duration: 2 });
    const health = await cannon({ url: `${base}/v1/health` });
    const get = await cannon({ url: `${base}/v1/customers/bench-1`, headers });
    let n = 0;
    const put = await cannon({
      url: base,
      headers,
      requests: [
        { method: 'PUT', setupRequest: (req) => ({ ...req, path: `/v1/customers/bench-${n++ % 1000}`, body }) },
      ],
    });
    figures.push({
      name: 'local GET /v1/customers/{id} p50',
      value: get.p50,
      unit: 'ms',
      reference: { name: 'GET /v1/health p50', value: health.p50, unit: 'ms' },
      ratio: Number((get.p50 / Math.max(health.p50, 0.5)).toFixed(2)),
    });
    figures.push({
      name: 'local GET /v1/customers/{id} p99',
      value: get.p99,
      unit: 'ms',
      note: `${Math.round(get.rps)} req/s at 8 connections, non-2xx ${get.non2xx}`,
    });
    figures.push({ name: 'local PUT /v1/customers/{id} p50', value: put.p50, unit: 'ms' });
    figures.push({
      name: 'local PUT /v1/customers/{id} p99',
      value: put.p99,
      unit: 'ms',
      note: `${Math.round(put.rps)} req/s at 8 connections, non-2xx ${put.non2xx}`,
    });

    // Importer throughput against raw BatchWriteItem on the same DynamoDB Local.
    // the importer as a person runs it, on the same runtime folder both times
    const runImport = () =>
      spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          join(ROOT, 'scripts/import/import.ts'),
          '--market',
          'demo',
          '--tenant',
          'consumer',
          '--file',
          DATA,
          '--quiet',
        ],
        {
          cwd: ROOT,
          env: { ...process.env, CVM_LOCAL_DIR: join(dir, 'runtime') },
          encoding: 'utf8',
        },
      );
    const imp = runImport();
    if (imp.status !== 0) throw new Error(`import failed: ${imp.stderr}`);
    const summary = JSON.parse(imp.stdout.trim().split('\n').pop()!) as {
      rows: number;
      rowsPerSecond: number;
      seconds: number;
    };
    const reimport = runImport();
    const again = JSON.parse(reimport.stdout.trim().split('\n').pop()!) as { rowsPerSecond: number; written: number };
    const db = documentClient({ endpoint: rt.info.dynamoEndpoint });
    const items = Array.from({ length: summary.rows }, (_, i) => ({
      pk: `C#raw-${i}`,
      sk: 'P',
      kind: 'profile',
      segment: 'single',
      tariff: 'fiber',
      tenureMonths: i % 72,
      monthlyCharge: 70.35,
      contract: 'month-to-month',
      products: ['phone', 'internet-fiber'],
      attributes: { gender: 'Female', seniorCitizen: false, paymentMethod: 'Electronic check', totalCharges: 1234.5 },
    }));
    const r0 = performance.now();
    await batchWriteAll(
      db,
      TABLE,
      items.map((Item) => ({ PutRequest: { Item } })),
      { concurrency: 8 },
    );
    const raw = items.length / ((performance.now() - r0) / 1000);
    figures.push({
      name: 'importer rows/s (IBM file, first import)',
      value: summary.rowsPerSecond,
      unit: 'rows/s',
      reference: { name: 'raw BatchWriteItem, 8 in flight', value: Math.round(raw), unit: 'items/s' },
      ratio: Number((summary.rowsPerSecond / raw).toFixed(2)),
    });
    figures.push({
      name: 'importer rows/s (same file again: reads, no writes)',
      value: again.rowsPerSecond,
      unit: 'rows/s',
      note: `${again.written} rows written`,
    });
  } finally {
    await rt.stop();
  }
  return figures;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const f of await runFoundationBench()) console.log(JSON.stringify(f));
}
