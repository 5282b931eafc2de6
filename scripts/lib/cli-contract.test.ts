import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * Every npm script that takes arguments keeps one contract (issue 14): `--help` is the usage on
 * stdout and exit 0; an unknown flag or a bad value is one line plus the usage on stderr and
 * exit 2; a missing input file is one line and exit 1; never a stack trace. Each case runs the
 * script as npm would, in a child process, and must answer before any work starts (no DynamoDB
 * Local, no server, no AWS call), so the whole file takes seconds.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const tmp = mkdtempSync(join(tmpdir(), 'cli-contract-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const MISSING = join(tmp, 'no-such-file.csv');

interface CliCase {
  /** Arguments that are wrong in one value, with what the error line must say. */
  badValue: { args: string[]; says: RegExp };
  /** Arguments that are right except for an input file that is not there. */
  missingFile?: string[];
}

const CLIS: Record<string, CliCase> = {
  import: {
    badValue: { args: ['--tenant', 'consumer', '--file', MISSING, '--consent', 'fax'], says: /unknown channel 'fax'/ },
    missingFile: ['--tenant', 'consumer', '--file', MISSING],
  },
  score: {
    badValue: { args: ['--market', 'atlantis', '--input', MISSING, '--output', 'x'], says: /--market must be one of/ },
    missingFile: ['--input', MISSING, '--output', join(tmp, 'scores.csv')],
  },
  export: {
    badValue: { args: ['--tenant', 'consumer', '--out', 'x', '--segments', 'all'], says: /--segments must be/ },
  },
  keys: { badValue: { args: ['drop', '--tenant', 'consumer'], says: /'drop' is not one of create, list/ } },
  'migrate-audience-retention': {
    badValue: { args: ['--wait-minutes', 'soon'], says: /--wait-minutes must be a number/ },
  },
  'cost-model': { badValue: { args: ['--customers=0'], says: /--customers must be at least 1/ } },
  'cost-report': {
    badValue: { args: ['--month', '2026-13'], says: /--month 2026-13: expected yyyy-mm/ },
    missingFile: ['--month', '2026-10', '--estimate', '--usage', MISSING],
  },
  report: { badValue: { args: ['--granularity', 'week'], says: /--granularity must be one of day, month/ } },
  'build-reports': { badValue: { args: ['--tenant', 'nobody'], says: /--tenant must be one of/ } },
  'score-base': {
    badValue: { args: ['--tenant', 'consumer', '--segments', '0'], says: /--segments must be at least 1/ },
  },
  demo: {
    badValue: { args: ['--tenant', 'nobody'], says: /--tenant must be one of/ },
    missingFile: ['--quick', '--file', MISSING],
  },
  load: { badValue: { args: ['--seconds', 'soon'], says: /--seconds must be a number/ } },
  bench: { badValue: { args: ['nothing'], says: /unknown suite 'nothing'/ } },
  train: { badValue: { args: ['atlantis'], says: /unknown market 'atlantis'/ } },
  'sagemaker-training-data': {
    badValue: { args: ['--model', 'churn', '--market', 'atlantis'], says: /--market must be one of/ },
    missingFile: ['--model', 'churn', '--work', MISSING],
  },
  models: {
    badValue: {
      args: ['promote', '--model', 'churn', '--version', 'two'],
      says: /--version two: must be a whole number from 1/,
    },
  },
};

/** npm scripts that take no arguments, or are checked elsewhere, and why. */
const EXEMPT: Record<string, string> = {
  start: 'configured by environment variables, takes no arguments',
  smoke: 'its own tests (scripts/smoke/smoke.test.ts) check the contract',
  'lint:openapi': 'a lint step: takes no arguments, exits 1 on any finding (npm run lint runs it)',
  'gen:api-types': 'a build step: only --check (npm run lint runs it that way)',
};

const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
  .scripts;
/** The command line of an npm script that runs one file (`tsx <file>` or `sh <file>`). */
function commandOf(script: string): string[] {
  const [runner, file, ...rest] = scripts[script]!.split(' ');
  if (rest.length || !file) throw new Error(`npm run ${script} is not one file: ${scripts[script]}`);
  if (runner === 'tsx') return [process.execPath, '--import', 'tsx', file];
  if (runner === 'sh') return ['sh', file];
  throw new Error(`npm run ${script}: unknown runner ${runner}`);
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}
function run(script: string, args: string[]): Promise<Run> {
  const [cmd, ...pre] = commandOf(script);
  const env: NodeJS.ProcessEnv = { ...process.env, CVM_LOCAL_DIR: join(tmp, 'local') };
  delete env['CVM_MARKET'];
  delete env['CVM_DEBUG'];
  return new Promise((done, fail) => {
    const child = spawn(cmd!, [...pre, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    // argument errors come before any work: a run that is still going has started some
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('error', fail);
    child.once('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

const lines = (text: string) => text.split('\n').filter((l) => l.length > 0);
const stackLines = (text: string) => lines(text).filter((l) => /^\s+at /.test(l));

describe('every npm script that takes arguments', () => {
  it('is in this table, or exempt with a reason', () => {
    const runsOneFile = Object.keys(scripts).filter((s) => /^(tsx|sh) \S+$/.test(scripts[s]!));
    const missing = runsOneFile.filter((s) => !(s in CLIS) && !(s in EXEMPT));
    expect(missing, `add these to CLIS in ${import.meta.filename}`).toEqual([]);
    for (const s of Object.keys(CLIS)) expect(scripts[s], `npm run ${s}`).toBeDefined();
  });
});

describe.concurrent.each(Object.entries(CLIS))('npm run %s', (script, c) => {
  it('answers --help with the usage on stdout and exit 0', async () => {
    const r = await run(script, ['--help']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.startsWith('usage:'), r.stdout).toBe(true);
    expect(r.stderr).toBe('');
  });

  it('answers an unknown flag with one line and the usage on stderr, exit 2, no stack trace', async () => {
    const r = await run(script, ['--no-such-flag']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    const [what, usage] = lines(r.stderr);
    expect(what).toBe(`${script}: unknown option '--no-such-flag'`);
    expect(usage).toMatch(/^usage: /);
    expect(stackLines(r.stderr)).toEqual([]);
  });

  it('answers a bad value with one line saying what is wrong and the usage, exit 2', async () => {
    const r = await run(script, c.badValue.args);
    expect(r.code, r.stderr).toBe(2);
    const [what, usage] = lines(r.stderr);
    expect(what).toMatch(new RegExp(`^${script}: `));
    expect(what).toMatch(c.badValue.says);
    expect(usage).toMatch(/^usage: /);
    expect(stackLines(r.stderr)).toEqual([]);
  });

  it.runIf(!!c.missingFile)('answers a missing input file with one line and exit 1', async () => {
    const r = await run(script, c.missingFile!);
    expect(r.code, r.stderr).toBe(1);
    expect(lines(r.stderr)).toEqual([expect.stringContaining(MISSING)]);
    expect(lines(r.stderr)[0]).toMatch(new RegExp(`^${script}: .*no such file`));
  });
});

/** Scripts that address a deployment, with arguments that are right but for the stage. */
const DEPLOYMENT_CLIS: Record<string, string[]> = {
  import: ['--tenant', 'consumer', '--file', join(ROOT, 'data', 'ibm-telco-churn.train.csv')],
  export: ['--tenant', 'consumer', '--out', join(tmp, 'out.csv')],
  keys: ['list', '--tenant', 'consumer'],
  'migrate-audience-retention': ['--dry-run'],
  'cost-report': ['--month', '2026-10', '--estimate'],
  'score-base': ['--tenant', 'consumer'],
  'build-reports': [],
  report: [],
};

describe.concurrent.each(Object.entries(DEPLOYMENT_CLIS))(
  'npm run %s, which addresses a deployment',
  (script, args) => {
    it('takes --stage, and refuses a stage the market does not have with exit 2', async () => {
      expect((await run(script, ['--help'])).stdout).toContain('--stage');
      const r = await run(script, [...args, '--stage', 'nope']);
      expect(r.code, r.stderr).toBe(2);
      const [what, usage] = lines(r.stderr);
      expect(what).toBe(`${script}: stage: unknown stage 'nope'; stages of market demo: dev, test, staging, prod`);
      expect(usage).toMatch(/^usage: /);
    });
  },
);
