import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CfnResource } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CvmFunction, ESM_REQUIRE_BANNER, LOCAL_ONLY_MODULES } from '../lib/constructs/cvm-function.ts';
import { deployedHandlers } from '../scripts/bench/bundles.ts';
import { synthMarket, type Synthesized } from './synth.ts';

/**
 * The one test that runs esbuild: a real synth of the demo market, then the bundles themselves
 * are loaded by Node 24 the way Lambda loads them (ESM, createRequire banner, SDK inside).
 */
// 2 MiB until issue 22: zod's namespace was kept whole by a re-export and zod-to-openapi (-350 KiB
// each), then 800 KiB. The aim is 400 KiB (`npm run bench bundles` measures every function): the
// functions that reach it are held there; the rest to what is reached with the SDK still inside (the
// pinned versions the tests run against), the largest (campaigns-api, 877 KiB) rounded up
const AIM_KIB = 400;
const AT_AIM = ['meta-api', 'score-report'];
const RATCHET_KIB = 900;
// campaigns-api signs and reads audience uploads: the S3 client and presigner add ~143 KiB (issue 19)
const ABOVE_RATCHET_KIB: Record<string, number> = { 'campaigns-api': 1100 };
const limitKib = (name: string) => (AT_AIM.includes(name) ? AIM_KIB : (ABOVE_RATCHET_KIB[name] ?? RATCHET_KIB));
const outdir = mkdtempSync(path.join(tmpdir(), 'cvm-bundle-'));
let synth: Synthesized;
/** Every function's bundle, by its handler file without `.ts` (`customers-api`). */
const bundles: Record<string, string> = {};

beforeAll(() => {
  synth = synthMarket(undefined, { bundle: true, outdir });
  synth.app.synth();
  const { stack } = synth;
  for (const fn of stack.node.findAll().filter((c): c is CvmFunction => c instanceof CvmFunction)) {
    const cfn = fn.node.defaultChild as CfnResource;
    const code = stack.resolve((cfn as unknown as { code: { s3Key: string } }).code) as { s3Key: string };
    const name = fn.handlerFile.replace(/\.ts$/, '');
    bundles[name] = path.join(outdir, `asset.${code.s3Key.replace(/\.zip$/, '')}`, 'index.mjs');
  }
});
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** Runs a snippet in a fresh Node with the env Lambda would give the function. */
function inNode(script: string, env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '', AWS_REGION: 'af-south-1', ...env },
  });
}

const platformEnv = {
  MARKET: 'demo',
  TENANT_TABLES: JSON.stringify({ consumer: 'cvm-demo-dev-consumer' }),
  KEYS_TABLE: 'cvm-demo-dev-keys',
  VALUE_TIERS: JSON.stringify({ platinum: 100, gold: 70, silver: 40 }),
  USAGE_KEY_SECRETS: '{}',
};

describe('Lambda bundles', () => {
  it('finds every function the stack deploys', () => {
    expect(Object.keys(bundles).sort()).toEqual(deployedHandlers().map((h) => h.replace(/\.ts$/, '')));
  });

  it.each(deployedHandlers().map((h) => h.replace(/\.ts$/, '')))(
    'bundles %s as one minified ESM file with a source map, under its limit',
    (name) => {
      const file = bundles[name]!;
      expect(existsSync(file), file).toBe(true);
      expect(existsSync(`${file}.map`)).toBe(true);
      expect(statSync(file).size / 1024).toBeLessThan(limitKib(name));
      const text = readFileSync(file, 'utf8');
      expect(text.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
      // the SDK is inside the bundle, not left to the runtime
      expect(text).not.toMatch(/from\s*"@aws-sdk\//);
    },
  );

  it.each(['campaigns-api', 'campaign-step'])(
    'leaves the local-only packages out of %s but for a dynamic import',
    (name) => {
      const text = readFileSync(bundles[name]!, 'utf8');
      for (const mod of LOCAL_ONLY_MODULES) {
        expect(text).not.toMatch(new RegExp(`(from|import)\\s*"${mod}"`));
        // an error text of ajv, which came in with aws-local-stepfunctions (nothing else uses it)
        expect(text).not.toContain('schema with key or id');
      }
      expect(readFileSync(bundles['campaigns-api']!, 'utf8')).toContain('import("aws-local-stepfunctions")');
    },
  );

  // a static import of a package left out would fail to link from this temporary directory, where
  // no node_modules resolves it; the module body then stops at the environment it is not given
  it('links the campaigns-api bundle in Node 24 without the local-only packages', () => {
    const run = inNode(`await import(${JSON.stringify(pathToFileURL(bundles['campaigns-api']!).href)});`, platformEnv);
    expect(run.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find (package|module)/);
    expect(run.stderr).toMatch(/invalid environment/);
  });

  it.each(['customers-api', 'authorizer'])('loads the %s bundle in Node 24 and exports a handler', (name) => {
    const run = inNode(
      `const m = await import(${JSON.stringify(pathToFileURL(bundles[name]!).href)}); console.log(typeof m.handler);`,
      platformEnv,
    );
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('function');
  });

  it('answers health with 200 and an unknown route with 404 problem+json from the meta bundle', () => {
    const run = inNode(
      `
      const { handler } = await import(${JSON.stringify(pathToFileURL(bundles['meta-api']!).href)});
      const call = (path) => handler({ httpMethod: 'GET', path, headers: {}, body: null, queryStringParameters: null, requestContext: { requestId: 'r' } }, { awsRequestId: 'a' });
      const [health, unknown] = [await call('/v1/health'), await call('/v2/nothing')];
      console.log(JSON.stringify({ health: health.statusCode, unknown: unknown.statusCode, type: unknown.headers['content-type'] }));
    `,
      { MARKET: 'demo', POWERTOOLS_LOG_LEVEL: 'SILENT', LOG_LEVEL: 'SILENT' },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout.trim().split('\n').pop()!)).toEqual({
      health: 200,
      unknown: 404,
      type: 'application/problem+json',
    });
  });
});
