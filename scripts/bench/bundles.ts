import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BuildOptions, build } from 'esbuild';
import { ESM_REQUIRE_BANNER, LOCAL_ONLY_MODULES } from '../../lib/constructs/cvm-function.ts';
import type { BenchFigure } from './figure.ts';

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
  await build({ ...FUNCTION_BUILD, entryPoints: [join(ROOT, 'lambdas', 'handlers', handlerFile)], outfile });
}

/** Bundles an empty handler to `outfile`: the floor a function's import time is compared with. */
export async function bundleEmpty(dir: string, outfile: string): Promise<void> {
  const entry = join(dir, 'empty.ts');
  writeFileSync(entry, 'export const handler = async () => ({ statusCode: 200, body: "" });\n');
  await build({ ...FUNCTION_BUILD, entryPoints: [entry], outfile });
}

/** The limit every function bundle keeps (infra-tests/bundle.test.ts holds the deployed ones to it). */
export const MAX_BUNDLE_KIB = 400;

/**
 * Each bundle before issue 22 left the local-only packages, the other functions' route tables and
 * the JMESPath interpreter out (2026-12-06): kept in each figure's note, beside today's size.
 */
const BEFORE_KIB: Record<string, number> = {
  'audit-api': 744,
  authorizer: 747,
  'build-reports': 755,
  'campaign-step': 1224,
  'campaigns-api': 1414,
  'channels-api': 786,
  'customers-api': 752,
  'decisions-api': 841,
  'deliver-outbound': 920,
  'delivery-receipts': 585,
  'events-api': 799,
  'meta-api': 247,
  'process-events': 825,
  'reports-api': 769,
  'score-report': 220,
  'score-segment': 726,
  'seed-market': 666,
};

/** Every deployed function's minified bundle size, against the limit. */
export async function runBundlesBench(): Promise<BenchFigure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'cvm-bundles-'));
  try {
    const figures: BenchFigure[] = [];
    for (const handler of deployedHandlers()) {
      const name = handler.replace(/\.ts$/, '');
      const file = join(dir, `${name}.mjs`);
      await bundleHandler(handler, file);
      const kib = Math.round(statSync(file).size / 1024);
      figures.push({
        name: `bundle: ${name}`,
        value: kib,
        unit: 'KiB',
        reference: { name: 'limit', value: MAX_BUNDLE_KIB, unit: 'KiB' },
        ratio: Number((kib / MAX_BUNDLE_KIB).toFixed(2)),
        ...(BEFORE_KIB[name] ? { note: `before: ${BEFORE_KIB[name]} KiB` } : {}),
      });
    }
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const f of await runBundlesBench()) console.log(`${f.name}: ${f.value} ${f.unit}`);
}
