import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CfnResource } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CvmFunction,
  ESM_REQUIRE_BANNER,
  HANDLERS_WITH_EVENT_STREAM_CLIENTS,
  LOCAL_ONLY_MODULES,
} from '../lib/constructs/cvm-function.ts';
import { ABOVE_LIMIT, deployedHandlers, MAX_BUNDLE_KIB } from '../scripts/bench/bundles.ts';
import { openApiDocument } from '../lambdas/http/openapi.ts';
import { synthMarket, type Synthesized } from './synth.ts';

/**
 * The one test that runs esbuild: a real synth of the demo market, then the bundles themselves
 * are loaded by Node 24 the way Lambda loads them (ESM, createRequire banner, SDK inside).
 */
// 2 MiB until issue 22: zod's namespace was kept whole by a re-export and zod-to-openapi (-350 KiB
// each), then 900/1100 KiB ratchets; the SDK's default credential chain (an env-only provider in its
// place) and the X-Ray SDK under the Powertools tracer (removed) then took ~260 KiB from each. The
// limit is 400 KiB (`npm run bench bundles` measures every function); each function still above it
// has its own limit, the size reached + ~3%, with the reason it is above (ABOVE_LIMIT)
const limitKib = (name: string) => ABOVE_LIMIT[name]?.kib ?? MAX_BUNDLE_KIB;
const outdir = mkdtempSync(path.join(tmpdir(), 'cvm-bundle-'));
let synth: Synthesized;
/** Every function's bundle, by its handler file without `.ts` (`serve-customers`). */
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
      // a function that reaches the aim leaves ABOVE_LIMIT, and is held there
      if (ABOVE_LIMIT[name]) expect(statSync(file).size / 1024).toBeGreaterThan(MAX_BUNDLE_KIB);
      const text = readFileSync(file, 'utf8');
      expect(text.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
      // the SDK is inside the bundle, not left to the runtime
      expect(text).not.toMatch(/from\s*"@aws-sdk\//);
    },
  );

  it.each(['serve-campaigns', 'run-campaign-step'])(
    'leaves the local-only packages out of %s but for a dynamic import',
    (name) => {
      const text = readFileSync(bundles[name]!, 'utf8');
      for (const mod of LOCAL_ONLY_MODULES) {
        expect(text).not.toMatch(new RegExp(`(from|import)\\s*"${mod}"`));
        // an error text of ajv, which came in with aws-local-stepfunctions (nothing else uses it)
        expect(text).not.toContain('schema with key or id');
      }
      expect(readFileSync(bundles['serve-campaigns']!, 'utf8')).toContain('import("aws-local-stepfunctions")');
    },
  );

  // the S3 client's service id: the audience uploads are the only S3 user, in their own function
  it('keeps the S3 client in serve-audiences and out of serve-campaigns', () => {
    expect(readFileSync(bundles['serve-audiences']!, 'utf8')).toContain('"AmazonS3"');
    expect(readFileSync(bundles['serve-campaigns']!, 'utf8')).not.toContain('"AmazonS3"');
  });

  // a static import of a package left out would fail to link from this temporary directory, where
  // no node_modules resolves it; the module body then stops at the environment it is not given
  it('links the serve-campaigns bundle in Node 24 without the local-only packages', () => {
    const run = inNode(
      `await import(${JSON.stringify(pathToFileURL(bundles['serve-campaigns']!).href)});`,
      platformEnv,
    );
    expect(run.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find (package|module)/);
    expect(run.stderr).toMatch(/invalid environment/);
  });

  // ESM links every static import before any module body runs: a package left out that a bundle
  // imports statically (an SDK client whose runtime config needs the event-stream serde, in a
  // handler missing from HANDLERS_WITH_EVENT_STREAM_CLIENTS) fails here, whatever the environment
  it.each(deployedHandlers())('links the %s bundle where no package resolves', (handlerFile) => {
    const name = handlerFile.replace(/\.ts$/, '');
    const run = inNode(`await import(${JSON.stringify(pathToFileURL(bundles[name]!).href)});`, platformEnv);
    expect(run.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find (package|module)/);
    const text = readFileSync(bundles[name]!, 'utf8');
    // the serde's own code (it names the ':event-type' header) is in a bundle only when a client needs it
    expect(text.includes(':event-type')).toBe(HANDLERS_WITH_EVENT_STREAM_CLIENTS.has(handlerFile));
  });

  it.each(['serve-customers', 'authorize-request'])('loads the %s bundle in Node 24 and exports a handler', (name) => {
    const run = inNode(
      `const m = await import(${JSON.stringify(pathToFileURL(bundles[name]!).href)}); console.log(typeof m.handler);`,
      platformEnv,
    );
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('function');
  });

  // the bundles take credentials from Lambda's environment only (lambdas/adapters/lambda-credentials.ts):
  // the authorizer's first key lookup signs a DynamoDB request, caught here before it leaves
  const signedLookup = `
    import https from 'node:https';
    https.request = (options) => {
      const auth = options.headers?.authorization ?? options.headers?.Authorization;
      console.log(JSON.stringify({ signedWith: auth?.split('Credential=')[1]?.split('/')[0], host: options.hostname ?? options.host }));
      process.exit(0);
    };
    const { handler } = await import(${JSON.stringify('BUNDLE')});
    try {
      await handler({ type: 'REQUEST', methodArn: 'arn:aws:execute-api:af-south-1:123456789012:api/live/GET/v1/customers/c1', headers: { 'x-api-key': 'cvm_consumer_admin_${'k'.repeat(32)}' } });
    } catch (err) {
      const chain = [];
      for (let e = err; e; e = e.cause) chain.push(e.message);
      console.log(JSON.stringify({ errors: chain }));
    }
  `;
  const lookup = (env: Record<string, string>) =>
    inNode(signedLookup.replace('"BUNDLE"', JSON.stringify(pathToFileURL(bundles['authorize-request']!).href)), {
      ...platformEnv,
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      ...env,
    });

  it("signs the bundle's AWS calls with the credentials Lambda puts in the environment", () => {
    const run = lookup({ AWS_ACCESS_KEY_ID: 'ASIAFROMLAMBDAENV', AWS_SECRET_ACCESS_KEY: 's', AWS_SESSION_TOKEN: 't' });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout.trim().split('\n').pop()!)).toEqual({
      signedWith: 'ASIAFROMLAMBDAENV',
      host: 'dynamodb.af-south-1.amazonaws.com',
    });
    // the rest of the SDK's default chain is not in any bundle
    for (const name of Object.keys(bundles))
      expect(readFileSync(bundles[name]!, 'utf8'), name).not.toContain('AWS_CONTAINER_CREDENTIALS_RELATIVE_URI');
  });

  it('names the credential variables that are missing, rather than looking elsewhere', () => {
    const run = lookup({ AWS_ACCESS_KEY_ID: 'ASIAFROMLAMBDAENV' });
    const out = JSON.parse(run.stdout.trim().split('\n').pop()!) as { errors: string[] };
    expect(out.errors.join(' | ')).toMatch(/no AWS credentials: AWS_SECRET_ACCESS_KEY not set/);
    expect(out.errors.join(' | ')).not.toMatch(/AWS_ACCESS_KEY_ID/);
  });

  it('answers health with 200 and an unknown route with 404 problem+json from the meta bundle', () => {
    const run = inNode(
      `
      const { handler } = await import(${JSON.stringify(pathToFileURL(bundles['serve-meta']!).href)});
      const call = (path) => handler({ httpMethod: 'GET', path, headers: {}, body: null, queryStringParameters: null, requestContext: { requestId: 'r' } }, { awsRequestId: 'a' });
      const [health, unknown, doc] = [await call('/v1/health'), await call('/v2/nothing'), await call('/v1/openapi.json')];
      console.log(JSON.stringify({ health: health.statusCode, unknown: unknown.statusCode, type: unknown.headers['content-type'], doc: doc.statusCode, body: doc.body }));
    `,
      { MARKET: 'demo', POWERTOOLS_LOG_LEVEL: 'SILENT', LOG_LEVEL: 'SILENT' },
    );
    expect(run.status, run.stderr).toBe(0);
    const { body, ...answers } = JSON.parse(run.stdout.trim().split('\n').pop()!) as { body: string };
    expect(answers).toEqual({ health: 200, unknown: 404, type: 'application/problem+json', doc: 200 });
    // the document's module loads on the first request for it (serve-meta.ts), the same document
    expect(body).toBe(JSON.stringify(openApiDocument()));
  });
});
