import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { BenchFigure } from './figure.ts';
import { loadSectionOf } from '../load/load-section.ts';
import { defineCli } from '../lib/args.ts';

/**
 * `npm run bench`: every benchmark in one run, each figure beside the reference it is compared
 * with, written to docs/benchmarks.md. Benchmarks are measurements, never pass/fail tests.
 */
const ROOT = resolve(import.meta.dirname, '..', '..');
const SUITES: { title: string; file: string; fn: string }[] = [
  {
    title: 'Foundation: bundles, cold start, customers API, importer',
    file: 'foundation.ts',
    fn: 'runFoundationBench',
  },
  { title: 'Bundles: every function, minified as deployed', file: 'bundles.ts', fn: 'runBundlesBench' },
  { title: 'Scoring: in-process XGBoost evaluator', file: 'scoring.ts', fn: 'runScoringBench' },
  { title: 'Events: state fold and ingestion', file: 'events.ts', fn: 'runEventsBench' },
  {
    title: 'Real-time re-scoring: added CPU per event in the processor',
    file: 'rescoring.ts',
    fn: 'runRescoringBench',
  },
  { title: 'Decisions: next-best-action', file: 'decisions.ts', fn: 'runDecisionsBench' },
  { title: 'Campaigns: audience selection, decisioning, cost of 1M', file: 'campaigns.ts', fn: 'runCampaignsBench' },
  {
    title: 'Scans: bytes read per customer after 180 days of decisions',
    file: 'scan-bytes.ts',
    fn: 'runScanBytesBench',
  },
  {
    title: 'Contact ledger: a decision flat in history, and what each contact writes',
    file: 'contact-ledger.ts',
    fn: 'runContactLedgerBench',
  },
];
const suiteNames = SUITES.map((s) => s.file.replace(/\.ts$/, ''));
const { _: only } = defineCli({
  name: 'bench',
  summary:
    'Every benchmark in one run, each figure beside the reference it is compared with, written to docs/benchmarks.md. Measurements, never pass/fail tests.',
  positionals: {
    placeholder: '[suite...]',
    description: `run only these suites (${suiteNames.join(', ')}; a prefix will do) and update their sections`,
    validate: (v) =>
      suiteNames.some((s) => s.startsWith(v)) ? undefined : `unknown suite '${v}': one of ${suiteNames.join(', ')}`,
  },
  options: {},
}).parse();

const fmt = (n: number) =>
  Number.isInteger(n) ? n.toLocaleString('en-US') : n.toLocaleString('en-US', { maximumFractionDigits: 3 });
function refText(ref: BenchFigure['reference']): string {
  if (ref === undefined) return '';
  if (typeof ref === 'object') return `${ref.name}: ${fmt(ref.value)} ${ref.unit}`;
  return typeof ref === 'number' ? fmt(ref) : ref;
}

const sections: string[] = [];
for (const suite of SUITES) {
  if (only.length && !only.some((o) => suite.file.startsWith(o))) continue;
  const path = join(ROOT, 'scripts', 'bench', suite.file);
  if (!existsSync(path)) continue;
  process.stderr.write(`bench: ${suite.title}…\n`);
  const mod = (await import(path)) as Record<string, () => Promise<BenchFigure[]>>;
  const run = mod[suite.fn];
  if (!run) continue;
  let figures: BenchFigure[];
  try {
    figures = await run();
  } catch (err) {
    sections.push(`## ${suite.title}\n\nnot measured: ${(err as Error).message}\n`);
    continue;
  }
  const rows = figures.map(
    (f) =>
      `| ${f.name} | ${fmt(f.value)} ${f.unit} | ${refText(f.reference)} | ${f.ratio === undefined ? '' : fmt(f.ratio)} | ${f.note ?? ''} |`,
  );
  // a suite may say what its figures mean and what is left (a markdown `ABOUT`), kept under its table
  const about = (mod as Record<string, unknown>)['ABOUT'];
  sections.push(
    `## ${suite.title}\n\n| figure | value | reference (same run) | ratio | note |\n|---|---|---|---|---|\n${rows.join('\n')}\n${typeof about === 'string' ? `\n${about.trim()}\n` : ''}`,
  );
  for (const f of figures)
    console.log(
      `${f.name}: ${fmt(f.value)} ${f.unit}${f.ratio === undefined ? '' : ` (ratio ${fmt(f.ratio)} vs ${refText(f.reference)})`}`,
    );
}

const cpu = cpus();
const java = spawnSync('java', ['-version'], { encoding: 'utf8' }).stderr?.split('\n')[0] ?? 'unknown';
const machine = [
  `- measured: ${new Date().toISOString()}`,
  `- CPU: ${cpu.length} × ${cpu[0]?.model ?? 'unknown'}`,
  `- memory: ${Math.round(totalmem() / 2 ** 30)} GiB`,
  `- Node ${process.version}; DynamoDB Local on Java (${java})`,
];
const doc = `# Benchmarks

Written by \`npm run bench\`. Each ratio compares a figure with a reference measured side by side
in the same run on the same machine, so the ratios travel better than the absolute numbers.
Shared CI machines are noisy: re-run before drawing conclusions from small differences.

${machine.join('\n')}

${sections.join('\n')}`;
if (!only.length) {
  mkdirSync(join(ROOT, 'docs'), { recursive: true });
  // the load section belongs to `npm run load`: keep it
  const file = join(ROOT, 'docs', 'benchmarks.md');
  const load = existsSync(file) ? loadSectionOf(readFileSync(file, 'utf8')) : '';
  writeFileSync(file, load ? `${doc.trimEnd()}\n\n${load}` : doc);
  process.stderr.write('bench: wrote docs/benchmarks.md\n');
} else {
  // a run of some suites replaces their sections in the written report and leaves the others
  const file = join(ROOT, 'docs', 'benchmarks.md');
  const written = existsSync(file) ? readFileSync(file, 'utf8') : '';
  let next = written;
  for (const section of sections) {
    const heading = section.split('\n')[0]!;
    const start = next.indexOf(`${heading}\n`);
    if (start < 0) continue;
    const after = next.slice(start + heading.length);
    const end =
      start +
      heading.length +
      Math.min(
        ...[after.indexOf('\n## '), after.indexOf('\n<!-- load:start')].filter((i) => i >= 0).concat(after.length),
      );
    next = `${next.slice(0, start)}${section.trimEnd()}\n${next.slice(end)}`;
  }
  if (next !== written) {
    writeFileSync(
      file,
      next.replace(
        /- measured: .*/,
        `- measured: ${new Date().toISOString()} (sections: ${only.join(', ')}; the others earlier)`,
      ),
    );
    process.stderr.write(`bench: updated ${only.join(', ')} in docs/benchmarks.md\n`);
  } else {
    console.log(doc);
  }
}
