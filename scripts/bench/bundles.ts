import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BuildOptions, build } from 'esbuild';
import {
  ESM_REQUIRE_BANNER,
  externalModulesOf,
  LAMBDA_ALIASES,
  LOCAL_ONLY_MODULES,
} from '../../lib/constructs/cvm-function.ts';
import { type BenchFigure, median } from './figure.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');

/**
 * esbuild as CvmFunction's NodejsFunction runs it (lib/constructs/cvm-function.ts): the bench
 * measures what is deployed; infra-tests/bundle.test.ts holds the deployed bundles themselves to
 * the limit, so a drift between the two shows there.
 */
export const FUNCTION_BUILD: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  mainFields: ['module', 'main'],
  banner: { js: ESM_REQUIRE_BANNER },
  external: LOCAL_ONLY_MODULES,
  alias: LAMBDA_ALIASES,
  absWorkingDir: ROOT,
  logLevel: 'silent',
  tsconfig: join(ROOT, 'tsconfig.json'),
};

/** The handler files the stack deploys, read from the constructs (`handlerFile: '...'`). */
export function deployedHandlers(): string[] {
  const dir = join(ROOT, 'lib', 'constructs');
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  const names = files.flatMap((f) =>
    [...readFileSync(join(dir, f), 'utf8').matchAll(/handlerFile: '([\w-]+\.ts)'/g)].map((m) => m[1]!),
  );
  return [...new Set(names)].sort();
}

/** Bundles one handler of lambdas/handlers to `outfile` as the stack would. */
export async function bundleHandler(handlerFile: string, outfile: string): Promise<void> {
  await build({
    ...FUNCTION_BUILD,
    external: externalModulesOf(handlerFile),
    entryPoints: [join(ROOT, 'lambdas', 'handlers', handlerFile)],
    outfile,
  });
}

/** Bundles an empty handler to `outfile`: the floor a function's import time is compared with. */
export async function bundleEmpty(dir: string, outfile: string): Promise<void> {
  const entry = join(dir, 'empty.ts');
  writeFileSync(entry, 'export const handler = async () => ({ statusCode: 200, body: "" });\n');
  await build({ ...FUNCTION_BUILD, entryPoints: [entry], outfile });
}

/**
 * Bundles a handler that builds the one DynamoDB document client every function builds, and
 * nothing else, as a function's bundle would (the same aliases, event streams left out): the SDK's
 * share of an import, which no change of ours can lower while the SDK is bundled (DESIGN.md).
 */
export async function bundleSdkFloor(outfile: string): Promise<void> {
  const contents = [
    "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
    "import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';",
    'const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));',
    'export const handler = async () => ({ statusCode: 200, body: typeof db.send });',
  ].join('\n');
  await build({
    ...FUNCTION_BUILD,
    external: externalModulesOf('sdk-floor.ts'),
    stdin: { contents, resolveDir: ROOT, loader: 'ts', sourcefile: 'sdk-floor.ts' },
    outfile,
  });
}

/** The limit every function bundle keeps (infra-tests/bundle.test.ts holds the deployed ones to it). */
export const MAX_BUNDLE_KIB = 400;

/**
 * The functions still above MAX_BUNDLE_KIB, each held to the size it reached + ~3% (rounded), and
 * why. Under all of them: the SDK's core (~120 KiB with the DynamoDB client), zod (~95 KiB: the
 * schemas validate every request and environment) and the Powertools logger and metrics (~33 KiB).
 * A client's figure is what leaving it out would take from that bundle (esbuild's metafile).
 */
export const ABOVE_LIMIT: Record<string, { kib: number; why: string }> = {
  'run-campaign-step': {
    kib: 590,
    why: 'the workflow steps: SQS (~25 KiB), Step Functions (~22 KiB), Scheduler (~15 KiB) and SageMaker runtime (~14 KiB) clients, ~76 KiB together, beside DynamoDB, decisioning and scoring',
  },
  'serve-campaigns': {
    kib: 705,
    why: 'idempotency (~42 KiB with its JMESPath), SQS (~25 KiB), Step Functions (~22 KiB), Scheduler (~16 KiB) and SageMaker runtime (~14 KiB) clients, beside decisioning, scoring and rules (a preview decides for its audience); the audience uploads and their S3 client left for serve-audiences',
  },
  'serve-audiences': {
    kib: 565,
    why: 'the S3 client and presigner for audience uploads, ~188 KiB with the share of the SDK core only S3 needs (checksums, XML, the event-stream serde its runtime config loads); without them ~360 KiB',
  },
  'serve-decisions': {
    kib: 550,
    why: 'idempotency (~42 KiB with its JMESPath), the SageMaker runtime client (~14 KiB), decisioning, scoring and rules',
  },
  'deliver-outbound': {
    kib: 575,
    why: 'every delivery connector: SES v2 (~64 KiB), KMS (~27 KiB), SQS (~25 KiB), SNS (~22 KiB) and Pinpoint SMS (~11 KiB) clients, ~149 KiB together',
  },
  'process-events': {
    kib: 456,
    why: 'the SQS client (~25 KiB) beside DynamoDB, and triggers, rules, contact policy and real-time re-scoring (~90 KiB of its own code)',
  },
};
/** The limit on a function's import time against an empty bundle's, measured below. */
export const MAX_IMPORT_RATIO = 2.5;

/** What the figures below mean and what is left (written under the table in docs/benchmarks.md). */
export const ABOUT = `
The limits (issue 22, "lean functions"): every bundle at most ${MAX_BUNDLE_KIB} KiB, and its import at
most ${MAX_IMPORT_RATIO}x an empty bundle's. infra-tests/bundle.test.ts holds the deployed bundles to
the size limits: ${MAX_BUNDLE_KIB} KiB, or for a function in \`ABOVE_LIMIT\` the size it reached + ~3%.
The import ratio is measured here only: wall time on a shared 2-core machine moves with its load
(the empty bundle's own time varies 2-4x between runs), so the CPU time the child reports is in
each note beside it, the steadier of the two.

Since "before lean functions": the SDK's default credential chain gave way to a provider that
reads Lambda's environment (~137 KiB each, \`LAMBDA_ALIASES\` in lib/constructs/cvm-function.ts,
lambdas/adapters/lambda-credentials.ts); the Powertools tracer and the X-Ray SDK left (~124 KiB
each, docs/operations.md "Traces"); Powertools idempotency is in the two functions that take an
Idempotency-Key only (~23 KiB each of the others); the events function no longer builds the
documented \`Event\` union, and the meta function builds the OpenAPI document's schemas on the
first request for it rather than at each cold start.

Since "before event streams out": the SDK's event-stream serde (~21 KiB) is left out of every
bundle whose clients have no event-stream operation (\`SDK_EVENT_STREAMS\` in
lib/constructs/cvm-function.ts): the protocols load it only by a dynamic import for such an
operation. serve-channels (418 -> 397 KiB) and serve-events (417 -> 397) came under the limit.

Since "before own adapters": each function's composition builds only the stores its use cases
name, on \`platformBase\` (lambdas/composition/platform.ts: the one DynamoDB client, the table
lookups, the clock, the meter). One \`adaptersFor\` used to build every store, and its customer
repository alone reaches the contact ledger, triggers and the rule engine: the authorizer lost
52 KiB, serve-audit 27, build-reports 25, serve-reports 26. The events API and the event
processor, the channels API and the sender each have their own composition module now
(events-api.ts, channels.ts), so the events API carries no state, ledger or policy adapters
(-20 KiB) and the channels API no sender (-5 KiB); score-segment's composition no longer names
the SageMaker scoring port, which only decisions use (online-scoring.ts: -36 KiB with the client's
share of the SDK core); the rule checker and the logged decision's schema left the schema modules
every route reads (lambdas/http/schemas/rules.ts, decision-view.ts: -13 KiB for serve-customers).
score-report grew from 141 to 348 KiB in the same hours for its own reason: the nightly run's
report now reads its segments' outcomes from DynamoDB.

Above ${MAX_BUNDLE_KIB} KiB: ${Object.keys(ABOVE_LIMIT).join(', ')} (each one's reason is in its note,
with what each SDK client adds to that bundle, measured from esbuild's metafile).
Under every function: the SDK's core and the DynamoDB client (~183 KiB with signing, retries and
the HTTP handler, the event-stream serde left out), zod (~96 KiB: every request and environment is
validated, by the schemas that also make the OpenAPI document) and the Powertools logger and
metrics (~34 KiB); serve-audit, 344 KiB with ~25 KiB of its own, is about the smallest an HTTP
function on DynamoDB gets. serve-customers came under the limit (405 -> 397 KiB) when a
customer's side of the campaigns and of the uploaded audiences, which erasure and export read,
left the stores that write them (lambdas/adapters/dynamo/campaign-memberships.ts,
audience-memberships.ts: -6 KiB), and the outbox's pending contacts, which every reader of the
contact ledger counts, left the trigger evaluation (lambdas/domain/pending-contacts.ts: the rule
engine and message content went with it, -2 KiB).
The audience uploads left serve-campaigns (846 -> 686 KiB) for serve-audiences, a function of
their own in the audience uploads' nested stack, so the market stack, at 499 of 500 CloudFormation
resources at 12 tenants, keeps its count; serve-audiences is ~360 KiB without the S3 client and
presigner it is there for. serve-campaigns would still need ~280 KiB less: without the SQS, Step
Functions, Scheduler and SageMaker runtime clients (~76 KiB) and idempotency (~42 KiB) it would be
~560 KiB, with decisioning and scoring for the preview, so reaching ${MAX_BUNDLE_KIB} KiB means
splitting it further (campaign runs; the preview).

Import time. Over ${MAX_IMPORT_RATIO}x by CPU time: every function that builds an AWS SDK client at
init (~3.8-9x; serve-meta, which builds none, is at ~2.8x). The floor is measured in every row
(\`bundleSdkFloor\`): a bundle that builds one DynamoDB document client and nothing else (~183 KiB)
takes ~2.8-3.5x the empty bundle's CPU to import, before a schema, a logger or a line of our code,
so ${MAX_IMPORT_RATIO}x is below what any function with an SDK client can reach while the SDK is
bundled; each row gives the function's own share as its ratio to that floor (1.3-1.6x for most,
~2-3x for the ones that load the market's models or several clients at init). Building clients
at the first request would move the same time into that request rather than save it. A CPU profile of
serve-customers's import (node --cpu-prof at 100 us, 9 imports with its deployed environment; the
profiler adds ~40%, so shares): V8 compiling the bundle ~18% (it grows with the size), zod
building the route and environment schemas ~17%, Node loading the built-ins the SDK, Powertools
and the bundle import (https with tls and net, crypto, fs, zlib) ~14%, the SDK's, Powertools's and
our modules' top-level code ~10% (ours ~1%), bundle code without a source mapping (esbuild's
module wrappers) ~10%, reading the source map ~7% (\`--enable-source-maps\` in NODE_OPTIONS:
Node reads the ~700 KiB map at load; ~11 ms CPU, measured with and without), GC ~6%, the rest
Node's own start and ESM loader (what the empty bundle costs). serve-decisions, run-campaign-step
and serve-campaigns also load the market's models at init.
`;

/**
 * Each bundle before issue 22 left the local-only packages, the other functions' route tables and
 * the JMESPath interpreter out (2026-12-06): kept in each figure's note, beside today's size.
 */
const BEFORE_KIB: Record<string, number> = {
  'serve-audit': 744,
  'authorize-request': 747,
  'build-reports': 755,
  'run-campaign-step': 1224,
  'serve-campaigns': 1414,
  'serve-channels': 786,
  'serve-customers': 752,
  'serve-decisions': 841,
  'deliver-outbound': 920,
  'record-delivery-receipts': 585,
  'serve-events': 799,
  'serve-meta': 247,
  'process-events': 825,
  'serve-reports': 769,
  'score-report': 220,
  'score-segment': 726,
  'seed-market': 666,
};

/**
 * Each bundle before issue 22's "lean functions" (2026-12-06, the same day): with the SDK's whole
 * default credential chain and the Powertools tracer (X-Ray SDK) inside.
 */
const BEFORE_LEAN_KIB: Record<string, number> = {
  'serve-audit': 674,
  'authorize-request': 672,
  'build-reports': 682,
  'run-campaign-step': 842,
  'serve-campaigns': 1074,
  'serve-channels': 728,
  'serve-customers': 702,
  'serve-decisions': 791,
  'deliver-outbound': 848,
  'record-delivery-receipts': 561,
  'serve-events': 744,
  'serve-meta': 232,
  'process-events': 765,
  'serve-reports': 698,
  'score-report': 141,
  'score-segment': 650,
  'seed-market': 643,
};

/**
 * Each bundle before its function got only the adapters it uses (the second pass of "lean
 * functions", the same day): every store built by one `adaptersFor`, one composition module for the
 * events API and the processor, one for the channels API and the sender.
 */
const BEFORE_OWN_ADAPTERS_KIB: Record<string, number> = {
  'serve-audit': 391,
  'authorize-request': 390,
  'build-reports': 400,
  'run-campaign-step': 577,
  'serve-campaigns': 844,
  'serve-channels': 444,
  'serve-customers': 418,
  'serve-decisions': 549,
  'deliver-outbound': 595,
  'record-delivery-receipts': 302,
  'serve-events': 461,
  'serve-meta': 238,
  'process-events': 485,
  'serve-reports': 415,
  'score-report': 141,
  'score-segment': 410,
  'seed-market': 384,
};

/**
 * Each bundle before the SDK's event-stream serde left the functions without an event-stream
 * client (2026-12-06, the figures of the bench before it).
 */
const BEFORE_EVENT_STREAMS_KIB: Record<string, number> = {
  'authorize-request': 338,
  'build-reports': 374,
  'deliver-outbound': 581,
  'process-events': 465,
  'record-delivery-receipts': 302,
  'run-campaign-step': 575,
  'score-report': 348,
  'score-segment': 373,
  'seed-market': 383,
  'serve-audit': 364,
  'serve-campaigns': 845,
  'serve-channels': 417,
  'serve-customers': 397,
  'serve-decisions': 537,
  'serve-events': 417,
  'serve-meta': 240,
  'serve-reports': 388,
};

/** Lambda's own variables, as a function sees them (the credentials are never used: nothing is called). */
const LAMBDA_RUNTIME_ENV = {
  AWS_REGION: 'af-south-1',
  AWS_DEFAULT_REGION: 'af-south-1',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
  AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
  AWS_ACCESS_KEY_ID: 'ASIABENCHBENCHBENCH0',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_SESSION_TOKEN: 'bench',
  LAMBDA_TASK_ROOT: '/var/task',
  TZ: ':UTC',
};

type Intrinsic = string | number | { [k: string]: unknown } | unknown[];
const SERVICE_OF: Record<string, string> = { Queue: 'sqs', Key: 'kms', Secret: 'secretsmanager' };

/**
 * A template value with its references filled in the way a deployed stack fills them, enough for
 * each handler's environment module to parse: a queue's Ref is its URL, an Arn is an ARN of the
 * resource's service, other references name the resource.
 */
function filled(value: Intrinsic, resources: Record<string, { Type: string }>): string {
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  if (Array.isArray(value)) return value.map((v) => filled(v as Intrinsic, resources)).join(',');
  const [fn, arg] = Object.entries(value)[0] as [string, unknown];
  const typeOf = (id: string) => resources[id]?.Type ?? '';
  const arnOf = (id: string) => {
    const [, service = 'x', kind = 'x'] = typeOf(id).split('::');
    return `arn:aws:${SERVICE_OF[kind] ?? service.toLowerCase()}:af-south-1:123456789012:${kind.toLowerCase()}/${id}`;
  };
  if (fn === 'Ref') {
    const id = String(arg);
    if (id === 'AWS::StackId') return `arn:aws:cloudformation:af-south-1:123456789012:stack/bench/${'0'.repeat(8)}`;
    if (id.startsWith('AWS::'))
      return id === 'AWS::Region' ? 'af-south-1' : id === 'AWS::AccountId' ? '123456789012' : id;
    return typeOf(id) === 'AWS::SQS::Queue' ? `https://sqs.af-south-1.amazonaws.com/123456789012/${id}` : id;
  }
  if (fn === 'Fn::GetAtt') {
    const [id, attr] = arg as [string, string];
    return attr === 'Arn' ? arnOf(id) : `${id}-${attr}`;
  }
  if (fn === 'Fn::Join') {
    const [sep, parts] = arg as [string, Intrinsic[]];
    return parts.map((p) => filled(p, resources)).join(sep);
  }
  if (fn === 'Fn::Split') {
    const [sep, source] = arg as [string, Intrinsic];
    return JSON.stringify(filled(source, resources).split(sep));
  }
  if (fn === 'Fn::Select') {
    const [index, list] = arg as [number, Intrinsic];
    return (JSON.parse(filled(list, resources)) as string[])[index] ?? '';
  }
  throw new Error(`no stand-in for ${fn} in a function's environment`);
}

/**
 * The environment the demo market gives each function, by handler file without `.ts`: a synth
 * of the stack with bundling skipped, references filled in, Lambda's own variables added.
 */
export async function deployedEnvironments(): Promise<Record<string, Record<string, string>>> {
  const { synthMarket } = await import('../../infra-tests/synth.ts');
  const { CvmFunction } = await import('../../lib/constructs/cvm-function.ts');
  const { stack, template } = synthMarket();
  const resources = template.toJSON()['Resources'] as Record<string, { Type: string }>;
  const out: Record<string, Record<string, string>> = {};
  for (const fn of stack.node.findAll().filter((c) => c instanceof CvmFunction)) {
    const vars = (
      stack.resolve((fn.node.defaultChild as unknown as { environment: unknown }).environment) as {
        variables?: Record<string, Intrinsic>;
      }
    ).variables;
    out[fn.handlerFile.replace(/\.ts$/, '')] = {
      ...LAMBDA_RUNTIME_ENV,
      ...Object.fromEntries(
        Object.entries(vars ?? {}).map(([k, v]) => [
          k,
          // the model artifacts a function gets in its bundle (bundleDirs) are the repository's
          filled(v, resources).replace(/^\/var\/task\/models\b/, join(ROOT, 'models')),
        ]),
      ),
    };
  }
  return out;
}

/** Wall time of a fresh `node` importing `file` with `env` (and nothing else of this process's). */
export function importMs(file: string, env: Record<string, string>): number {
  return importCost(file, env).wallMs;
}

/**
 * A fresh `node` importing `file` with `env`: the wall time seen from here, and the CPU time
 * (user + system, all threads) the child reports, which a busy machine inflates far less.
 */
export function importCost(file: string, env: Record<string, string>): { wallMs: number; cpuMs: number } {
  const t0 = process.hrtime.bigint();
  const run = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `await import(${JSON.stringify(pathToFileURL(file).href)}); const u = process.cpuUsage(); console.log((u.user + u.system) / 1000);`,
    ],
    { env: { PATH: process.env['PATH'] ?? '', ...env }, encoding: 'utf8' },
  );
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if (run.status !== 0) throw new Error(`importing ${file} failed: ${run.stderr}`);
  return { wallMs, cpuMs: Number(run.stdout.trim().split('\n').pop()) };
}

const IMPORT_RUNS = 9;

/**
 * Every deployed function's minified bundle size, against the limit, and its import time in a
 * fresh Node with the function's environment against an empty bundle's, the two measured in turn
 * in the same loop (the median of IMPORT_RUNS each), so the machine's load falls on both alike.
 */
export async function runBundlesBench(): Promise<BenchFigure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'cvm-bundles-'));
  try {
    const envs = await deployedEnvironments();
    // beside each bundle as in its asset: the model artifacts (bundleDirs) a function loads at init
    symlinkSync(join(ROOT, 'models'), join(dir, 'models'));
    const empty = join(dir, 'empty.mjs');
    await bundleEmpty(dir, empty);
    const sdkFloor = join(dir, 'sdk-floor.mjs');
    await bundleSdkFloor(sdkFloor);
    const sizes: BenchFigure[] = [];
    const imports: BenchFigure[] = [];
    for (const handler of deployedHandlers()) {
      const name = handler.replace(/\.ts$/, '');
      const file = join(dir, `${name}.mjs`);
      await bundleHandler(handler, file);
      const kib = Math.round(statSync(file).size / 1024);
      const before = [
        BEFORE_KIB[name] && `before issue 22: ${BEFORE_KIB[name]} KiB`,
        BEFORE_LEAN_KIB[name] && `before lean functions: ${BEFORE_LEAN_KIB[name]} KiB`,
        BEFORE_OWN_ADAPTERS_KIB[name] && `before own adapters: ${BEFORE_OWN_ADAPTERS_KIB[name]} KiB`,
        BEFORE_EVENT_STREAMS_KIB[name] && `before event streams out: ${BEFORE_EVENT_STREAMS_KIB[name]} KiB`,
      ];
      sizes.push({
        name: `bundle: ${name}`,
        value: kib,
        unit: 'KiB',
        reference: { name: 'limit', value: MAX_BUNDLE_KIB, unit: 'KiB' },
        ratio: Number((kib / MAX_BUNDLE_KIB).toFixed(2)),
        note: [...before, ABOVE_LIMIT[name] && `above the limit: ${ABOVE_LIMIT[name].why}`].filter(Boolean).join('; '),
      });
      const env = envs[name] ?? LAMBDA_RUNTIME_ENV;
      importCost(file, env); // the first run warms the file cache for both
      importCost(empty, env);
      importCost(sdkFloor, env);
      const own: { wallMs: number; cpuMs: number }[] = [];
      const floor: { wallMs: number; cpuMs: number }[] = [];
      const sdk: { wallMs: number; cpuMs: number }[] = [];
      for (let i = 0; i < IMPORT_RUNS; i++) {
        own.push(importCost(file, env));
        floor.push(importCost(empty, env));
        sdk.push(importCost(sdkFloor, env));
      }
      const sdkCpu = median(sdk.map((r) => r.cpuMs));
      const [ms, emptyMs] = [median(own.map((r) => r.wallMs)), median(floor.map((r) => r.wallMs))];
      const [cpu, emptyCpu] = [median(own.map((r) => r.cpuMs)), median(floor.map((r) => r.cpuMs))];
      imports.push({
        name: `import: ${name}`,
        value: Number(ms.toFixed(1)),
        unit: 'ms',
        reference: { name: 'empty bundle', value: Number(emptyMs.toFixed(1)), unit: 'ms' },
        ratio: Number((ms / emptyMs).toFixed(2)),
        note: `CPU ${cpu.toFixed(0)} ms vs ${emptyCpu.toFixed(0)} ms (${(cpu / emptyCpu).toFixed(2)}); limit ${MAX_IMPORT_RATIO}x; the SDK floor (a DynamoDB client alone) ${sdkCpu.toFixed(0)} ms CPU (${(sdkCpu / emptyCpu).toFixed(2)}x the empty bundle; this function ${(cpu / sdkCpu).toFixed(2)}x the floor); medians of ${IMPORT_RUNS} fresh node processes each`,
      });
    }
    return [...sizes, ...imports];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const f of await runBundlesBench())
    console.log(`${f.name}: ${f.value} ${f.unit}${f.ratio === undefined ? '' : ` (ratio ${f.ratio})`}`);
}
