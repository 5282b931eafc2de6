import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliIo, defineCli, describeError, InputFileError, marketOption, tenantOf, UsageError } from './args.ts';

const dir = mkdtempSync(join(tmpdir(), 'cli-args-'));
const csv = join(dir, 'in.csv');
writeFileSync(csv, 'a,b\n1,2\n');

const cli = defineCli({
  name: 'tool',
  summary: 'Does one thing.',
  options: {
    market: marketOption(),
    input: { type: 'file', placeholder: '<csv>', description: 'what it reads' },
    out: { type: 'string', required: true, placeholder: '<csv>', description: 'where it writes' },
    format: { type: 'string', default: 'md', choices: ['md', 'csv'], description: 'output format' },
    month: {
      type: 'string',
      description: 'a month',
      validate: (v) => (/^\d{4}-\d{2}$/.test(v) ? undefined : 'expected yyyy-mm'),
    },
    segments: { type: 'number', integer: true, min: 1, max: 64, default: 4, description: 'scan segments' },
    pin: { type: 'string', multiple: true, description: 'repeatable' },
    aws: { type: 'boolean', description: 'the deployed tables' },
  },
});

/** A run with its output captured and its exit recorded instead of taken. */
async function runWith(argv: string[], main: () => unknown = () => {}, env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  let code: number | undefined;
  const io: Partial<CliIo> = {
    argv,
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
    exit: (c) => {
      code ??= c;
    },
    env,
  };
  await cli.run(async () => {
    await main();
  }, io);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

const values = (argv: string[]) => {
  const parsed = cli.tryParse(argv);
  if (parsed.help) throw new Error('help');
  return parsed.values;
};
const usageProblem = (argv: string[]) => {
  try {
    cli.tryParse(argv);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('no usage error');
};

describe('defineCli parsing', () => {
  it('fills defaults, converts numbers and leaves unset options undefined', () => {
    expect(values(['--out', 'x.csv'])).toEqual({
      market: 'demo',
      input: undefined,
      out: 'x.csv',
      format: 'md',
      month: undefined,
      segments: 4,
      pin: [],
      aws: false,
    });
    expect(
      values(['--out=x', '--segments', '16', '--pin', 'a=1', '--pin', 'b=2', '--aws', '--input', csv]),
    ).toMatchObject({ out: 'x', segments: 16, pin: ['a=1', 'b=2'], aws: true, input: csv });
  });

  it('answers --help and -h anywhere before --, even beside wrong flags', () => {
    expect(cli.tryParse(['--help'])).toEqual({ help: true });
    expect(cli.tryParse(['--nope', '-h'])).toEqual({ help: true });
    expect(() => cli.tryParse(['--out', 'x', '--', '--help'])).toThrow(UsageError);
  });

  it('says in a short line what is wrong with a flag', () => {
    expect(usageProblem(['--out', 'x', '--bogus'])).toBe("unknown option '--bogus'");
    expect(usageProblem(['--out'])).toBe('--out needs a value');
    expect(usageProblem(['--out', '--aws'])).toMatch(/^--out needs a value/);
    expect(usageProblem(['--out', 'x', '--aws=yes'])).toBe('--aws takes no value');
    expect(usageProblem(['--out', 'x', 'stray'])).toBe("unexpected argument 'stray'");
    expect(usageProblem([])).toBe('--out <csv> is required');
  });

  it('rejects values outside their choices, numbers that are not numbers, and what validate refuses', () => {
    expect(usageProblem(['--out', 'x', '--market', 'atlantis'])).toBe(
      "--market must be one of demo, ir, not 'atlantis'",
    );
    expect(usageProblem(['--out', 'x', '--format', 'pdf'])).toBe("--format must be one of md, csv, not 'pdf'");
    expect(usageProblem(['--out', 'x', '--segments', 'four'])).toBe("--segments must be a whole number, not 'four'");
    expect(usageProblem(['--out', 'x', '--segments', '2.5'])).toBe("--segments must be a whole number, not '2.5'");
    expect(usageProblem(['--out', 'x', '--segments', ''])).toBe("--segments must be a whole number, not ''");
    expect(usageProblem(['--out', 'x', '--segments', '0'])).toBe('--segments must be at least 1, not 0');
    expect(usageProblem(['--out', 'x', '--segments', '65'])).toBe('--segments must be at most 64, not 65');
    expect(usageProblem(['--out', 'x', '--month', 'May'])).toBe('--month May: expected yyyy-mm');
  });

  it('checks an input file is readable after the flags, so a wrong flag still wins', () => {
    expect(() => cli.tryParse(['--out', 'x', '--input', join(dir, 'missing.csv')])).toThrow(InputFileError);
    expect(() => cli.tryParse(['--out', 'x', '--input', dir])).toThrow(/is a directory/);
    expect(() => cli.tryParse(['--input', join(dir, 'missing.csv')])).toThrow(UsageError);
  });

  it('takes positionals only when declared, within their count and choices', () => {
    const keys = defineCli({
      name: 'keys',
      positionals: { placeholder: 'create|list', min: 1, max: 1, choices: ['create', 'list'] },
      options: {},
    });
    expect(keys.tryParse(['list'])).toEqual({ help: false, values: {}, positionals: ['list'] });
    expect(() => keys.tryParse([])).toThrow('create|list is required: one of create, list');
    expect(() => keys.tryParse(['drop'])).toThrow("'drop' is not one of create, list");
    expect(() => keys.tryParse(['list', 'create'])).toThrow("unexpected argument 'create'");
  });
});

describe('defineCli help', () => {
  it('starts with usage:, shows required flags in the synopsis and lists every option with its default', () => {
    const lines = cli.help.split('\n');
    expect(lines[0]).toBe('usage: npm run tool -- --out <csv> [options]');
    expect(cli.help).toContain('Does one thing.');
    expect(cli.help).toMatch(/--market <code> +the market: demo, ir \(default demo\)/);
    expect(cli.help).toMatch(/--format <value> +output format \(default md; one of md, csv\)/);
    expect(cli.help).toMatch(/--segments <n> +scan segments \(default 4\)/);
    expect(cli.help).toMatch(/--out <csv> +where it writes \(required\)/);
    expect(cli.help).toMatch(/-h, --help +print this help/);
  });
});

describe('defineCli run', () => {
  it('prints the help to stdout and exits 0 without running the command', async () => {
    let ran = false;
    const r = await runWith(['--help'], () => {
      ran = true;
    });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout.startsWith('usage:')).toBe(true);
    expect(ran).toBe(false);
  });

  it('answers a wrong flag with one line and the usage on stderr, exit 2, before the command runs', async () => {
    let ran = false;
    const r = await runWith(['--out', 'x', '--segments', 'many'], () => {
      ran = true;
    });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const [first, second] = r.stderr.split('\n');
    expect(first).toBe("tool: --segments must be a whole number, not 'many'");
    expect(second).toMatch(/^usage: /);
    expect(ran).toBe(false);
  });

  it('treats a UsageError thrown by the command (a cross-field check) the same way', async () => {
    const r = await runWith(['--out', 'x'], () => {
      tenantOf({ code: 'demo', tenants: [{ id: 'consumer' }] }, 'nobody');
    });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe("tool: --tenant must be one of consumer (market demo), not 'nobody'");
  });

  it('answers a missing input file with one line and exit 1', async () => {
    const r = await runWith(['--out', 'x', '--input', join(dir, 'gone.csv')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`tool: cannot read ${join(dir, 'gone.csv')} (--input): no such file or directory\n`);
  });

  it('answers a file error met while working (unreadable, a directory) with one line naming the path, exit 1', async () => {
    const r = await runWith(['--out', 'x'], () => {
      throw Object.assign(new Error('EACCES: permission denied, open /secret.csv'), {
        code: 'EACCES',
        path: '/secret.csv',
      });
    });
    expect(r).toMatchObject({ code: 1, stderr: 'tool: /secret.csv: permission denied\n' });
  });

  it('answers any other failure with one line and exit 1, the stack only with CVM_DEBUG=1', async () => {
    const boom = () => {
      throw new Error("market 'demo' has an invalid config:\n  a: bad\n  b: worse");
    };
    const quiet = await runWith(['--out', 'x'], boom);
    expect(quiet).toMatchObject({ code: 1, stderr: "tool: market 'demo' has an invalid config: a: bad; b: worse\n" });
    const debug = await runWith(['--out', 'x'], boom, { CVM_DEBUG: '1' });
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/\n {4}at /);
  });

  it('exits with the code the command returns when it is not 0', async () => {
    const out: number[] = [];
    await cli.run(() => 3, { argv: ['--out', 'x'], exit: (c) => out.push(c) });
    await cli.run(() => 0, { argv: ['--out', 'x'], exit: (c) => out.push(c) });
    expect(out).toEqual([3]);
  });
});

describe('describeError', () => {
  it('is one line unless CVM_DEBUG=1 asks for the stack', () => {
    const err = new Error('first\nsecond');
    expect(describeError(err, {})).toBe('first; second');
    expect(describeError(err, { CVM_DEBUG: '1' })).toBe(err.stack);
    expect(describeError('plain', {})).toBe('plain');
  });
});
