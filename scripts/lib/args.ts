import { accessSync, constants, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { MarketConfigError, type MarketConfig } from '#config/market-config.ts';
import { loadMarket, MARKETS } from '#config/markets/index.ts';
import { DEFAULT_STAGE } from '#config/stage.ts';

/**
 * The one command-line contract every script keeps (issue 14):
 * - `--help`/`-h` prints the usage (starting `usage:`) to stdout and exits 0;
 * - an unknown flag or a bad value prints one line saying what is wrong, then the usage, to
 *   stderr and exits 2, before any work starts;
 * - a missing or unreadable input file is one line and exit 1;
 * - any other failure is one line and exit 1 (the stack only with CVM_DEBUG=1).
 *
 *   const cli = defineCli({ name: 'import', summary: '...', options: { market: marketOption(), ... } });
 *   cli.run(async (args) => { ... });        // or, in a top-level script: const args = cli.parse();
 */

interface OptionCommon {
  /** One line for the usage text. */
  description: string;
  /** How the value is shown in the usage, e.g. `<csv>`; `<value>` when not given. */
  placeholder?: string;
  short?: string;
}

/** A string; `choices` narrows it (and its type), `validate` returns a problem or undefined. */
export interface StringOption extends OptionCommon {
  type: 'string';
  default?: string;
  required?: boolean;
  choices?: readonly string[];
  validate?: (value: string) => string | undefined;
}

/** A repeatable string (`--pin a=1 --pin b=2`), each value validated. */
export interface ListOption extends OptionCommon {
  type: 'string';
  multiple: true;
  validate?: (value: string) => string | undefined;
}

/** A number, rejected unless it parses completely (so `--segments four` is a usage error). */
export interface NumberOption extends OptionCommon {
  type: 'number';
  default?: number;
  required?: boolean;
  integer?: boolean;
  min?: number;
  max?: number;
}

export interface BooleanOption extends Omit<OptionCommon, 'placeholder'> {
  type: 'boolean';
  default?: boolean;
}

/** A path the command reads: checked readable before the work starts (else one line, exit 1). */
export interface FileOption extends OptionCommon {
  type: 'file';
  default?: string;
  required?: boolean;
}

export type OptionSpec = StringOption | ListOption | NumberOption | BooleanOption | FileOption;

export interface PositionalSpec {
  /** How they are shown in the usage, e.g. `create|list` or `[suite...]`. */
  placeholder: string;
  description?: string;
  min?: number;
  max?: number;
  choices?: readonly string[];
  validate?: (value: string) => string | undefined;
}

type ValueOf<O> = O extends { type: 'boolean' }
  ? boolean
  : O extends { type: 'number' }
    ? number
    : O extends { multiple: true }
      ? string[]
      : O extends { choices: readonly (infer C extends string)[] }
        ? C
        : string;
type AlwaysSet<O> = O extends { type: 'boolean' } | { multiple: true } | { default: unknown } | { required: true }
  ? true
  : false;
/** The parsed values: an option with a default, `required` or boolean is never undefined. */
export type CliValues<T extends Record<string, OptionSpec>> = {
  -readonly [K in keyof T]: AlwaysSet<T[K]> extends true ? ValueOf<T[K]> : ValueOf<T[K]> | undefined;
};

/** A wrong flag or value: one line, the usage, exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** An input file that is not there or cannot be read: one line, exit 1. */
export class InputFileError extends Error {
  override name = 'InputFileError';
}

export interface CliDefinition<T extends Record<string, OptionSpec>> {
  /** The npm script's name (`npm run <name>`); prefixes every error line. */
  name: string;
  /** What the command does, a sentence or two for the help. */
  summary?: string;
  /** The synopsis after `usage: `; built from the options when not given. */
  usage?: string;
  options: T;
  /** Positional arguments; none are accepted without this. */
  positionals?: PositionalSpec;
  /** Extra lines after the options (examples, environment variables). */
  notes?: string[];
}

/** The parsed values of a defined CLI, for a `main(args)` declared apart from its `run`. */
export type ArgsOf<C> = C extends Cli<infer T> ? CliValues<T> : never;

export type Parsed<T extends Record<string, OptionSpec>> =
  | { help: true }
  | { help: false; values: CliValues<T>; positionals: string[] };

/** Where a run writes and how it ends; the process by default, fakes in tests. */
export interface CliIo {
  argv: string[];
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  exit: (code: number) => void;
  env: NodeJS.ProcessEnv;
}

const processIo = (): CliIo => ({
  argv: process.argv.slice(2),
  stdout: process.stdout,
  stderr: process.stderr,
  exit: (code) => process.exit(code),
  env: process.env,
});

export interface Cli<T extends Record<string, OptionSpec>> {
  /** The full help text, starting `usage:`. */
  readonly help: string;
  /** Parses without side effects: throws UsageError or InputFileError (for tests and callers). */
  tryParse(argv: string[]): Parsed<T>;
  /**
   * For top-level scripts: parses the process's arguments, answering `--help` and argument
   * errors itself (and exiting), and turns any later uncaught error into one line and exit 1.
   */
  parse(io?: Partial<CliIo>): CliValues<T> & { _: string[] };
  /**
   * Parses, runs `main`, and maps what it throws to the contract's lines and exit codes; a number
   * `main` returns (or resolves to) other than 0 is the exit code.
   */
  run(main: (args: CliValues<T>, positionals: string[]) => unknown, io?: Partial<CliIo>): Promise<void>;
}

export function defineCli<const T extends Record<string, OptionSpec>>(def: CliDefinition<T>): Cli<T> {
  const help = helpText(def);
  const tryParse = (argv: string[]): Parsed<T> => parseCommandLine(def, argv);
  const fail = (io: CliIo, err: unknown) => io.exit(reportError(def.name, help, err, io));
  return {
    help,
    tryParse,
    parse(partial = {}) {
      const io = { ...processIo(), ...partial };
      if (!partial.exit) installLastResort(def.name, help, io);
      let parsed: Parsed<T>;
      try {
        parsed = tryParse(io.argv);
      } catch (err) {
        fail(io, err);
        throw err; // unreachable with the process's exit; a fake exit stops here too
      }
      if (parsed.help) {
        io.stdout.write(help);
        io.exit(0);
        throw new Error('exit'); // unreachable with the process's exit
      }
      return Object.assign(parsed.values, { _: parsed.positionals });
    },
    async run(main, partial = {}) {
      const io = { ...processIo(), ...partial };
      if (!partial.exit) installLastResort(def.name, help, io);
      try {
        const parsed = tryParse(io.argv);
        if (parsed.help) {
          io.stdout.write(help);
          return io.exit(0);
        }
        const code = await main(parsed.values, parsed.positionals);
        if (typeof code === 'number' && code !== 0) io.exit(code);
      } catch (err) {
        fail(io, err);
      }
    },
  };
}

/** `--market <code>`: one of the configured markets (default demo, or CVM_MARKET when set). */
export function marketOption(description = 'the market'): StringOption & { default: string } {
  return {
    type: 'string',
    placeholder: '<code>',
    description: `${description}: ${Object.keys(MARKETS).join(', ')}`,
    choices: Object.keys(MARKETS),
    default: process.env['CVM_MARKET'] ?? 'demo',
  };
}

/** `--stage`: which deployment of the market a command addresses (names are `cvm-<market>-<stage>-...`). */
export function stageOption(): StringOption & { default: string } {
  return {
    type: 'string',
    placeholder: '<name>',
    description: "the market's stage (deployment) to address, e.g. dev, staging, prod",
    default: process.env['CVM_STAGE'] ?? DEFAULT_STAGE,
  };
}

/** The market at the stage a command was given; an unknown stage is a usage error naming the known ones. */
export function marketAt(market: string, stage: string): MarketConfig {
  try {
    return loadMarket(market, stage);
  } catch (err) {
    if (err instanceof MarketConfigError) throw new UsageError(err.issues.join('; '));
    throw err;
  }
}

/** The tenant a command works on, checked against the market's (a usage error otherwise). */
export function tenantOf(market: { code: string; tenants: { id: string }[] }, tenant: string | undefined): string {
  const ids = market.tenants.map((t) => t.id);
  if (!tenant) throw new UsageError(`--tenant is required: one of ${ids.join(', ')} (market ${market.code})`);
  if (!ids.includes(tenant))
    throw new UsageError(`--tenant must be one of ${ids.join(', ')} (market ${market.code}), not '${tenant}'`);
  return tenant;
}

/** A readable regular file, or an InputFileError naming it (for paths that are not options). */
export function assertReadableFile(path: string, what = 'input file'): void {
  try {
    accessSync(path, constants.R_OK);
    if (statSync(path).isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
  } catch (err) {
    throw new InputFileError(`cannot read ${path} (${what}): ${fileProblem(err)}`);
  }
}

/** One line for an error, or its stack when CVM_DEBUG=1 (for scripts that report failures themselves). */
export function describeError(err: unknown, env: NodeJS.ProcessEnv = process.env): string {
  if (env['CVM_DEBUG'] === '1' && err instanceof Error && err.stack) return err.stack;
  return oneLine(err instanceof Error ? err.message : String(err));
}

// --- parsing --------------------------------------------------------------------------------------

function parseCommandLine<T extends Record<string, OptionSpec>>(def: CliDefinition<T>, argv: string[]): Parsed<T> {
  const beforeDashes = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv;
  if (beforeDashes.some((a) => a === '--help' || a === '-h')) return { help: true };

  const nodeOptions: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {};
  for (const [key, o] of Object.entries(def.options)) {
    nodeOptions[key] = {
      type: o.type === 'boolean' ? 'boolean' : 'string',
      ...('multiple' in o && o.multiple ? { multiple: true } : {}),
      ...(o.short ? { short: o.short } : {}),
    };
  }
  let raw: { values: Record<string, string | boolean | (string | boolean)[] | undefined>; positionals: string[] };
  try {
    raw = parseArgs({ args: argv, options: nodeOptions, strict: true, allowPositionals: !!def.positionals });
  } catch (err) {
    throw new UsageError(parseArgsProblem(err));
  }

  const values: Record<string, unknown> = {};
  const files: [string, string][] = [];
  for (const [key, o] of Object.entries(def.options)) {
    const flag = `--${key}`;
    const given = raw.values[key];
    if (o.type === 'boolean') {
      values[key] = given ?? o.default ?? false;
      continue;
    }
    if ('multiple' in o && o.multiple) {
      const list = (given as string[] | undefined) ?? [];
      for (const v of list) checkWith(flag, v, o.validate);
      values[key] = list;
      continue;
    }
    const one = o as StringOption | NumberOption | FileOption;
    const text = (given as string | undefined) ?? (one.default === undefined ? undefined : String(one.default));
    if (text === undefined) {
      if (one.required) throw new UsageError(`${flag} ${one.placeholder ?? '<value>'} is required`);
      values[key] = undefined;
      continue;
    }
    if (one.type === 'number') values[key] = numberValue(flag, text, one);
    else {
      if (one.type === 'string') {
        if (one.choices && !one.choices.includes(text))
          throw new UsageError(`${flag} must be one of ${one.choices.join(', ')}, not '${text}'`);
        checkWith(flag, text, one.validate);
      } else files.push([flag, text]);
      values[key] = text;
    }
  }

  const positionals = raw.positionals;
  const p = def.positionals;
  if (p) {
    if (positionals.length < (p.min ?? 0))
      throw new UsageError(`${p.placeholder} is required${p.choices ? `: one of ${p.choices.join(', ')}` : ''}`);
    if (p.max !== undefined && positionals.length > p.max)
      throw new UsageError(`unexpected argument '${positionals[p.max]}'`);
    for (const v of positionals) {
      if (p.choices && !p.choices.includes(v)) throw new UsageError(`'${v}' is not one of ${p.choices.join(', ')}`);
      const problem = p.validate?.(v);
      if (problem) throw new UsageError(problem);
    }
  }

  // Files last: a wrong flag is a usage error (2) even when a file is missing too.
  for (const [flag, path] of files) assertReadableFile(path, flag);
  return { help: false, values: values as CliValues<T>, positionals };
}

function checkWith(flag: string, value: string, validate: ((v: string) => string | undefined) | undefined) {
  const problem = validate?.(value);
  if (problem) throw new UsageError(`${flag} ${value}: ${problem}`);
}

function numberValue(flag: string, text: string, o: NumberOption): number {
  const n = text.trim() === '' ? Number.NaN : Number(text);
  const kind = o.integer ? 'a whole number' : 'a number';
  if (!Number.isFinite(n) || (o.integer && !Number.isInteger(n)))
    throw new UsageError(`${flag} must be ${kind}, not '${text}'`);
  if (o.min !== undefined && n < o.min) throw new UsageError(`${flag} must be at least ${o.min}, not ${text}`);
  if (o.max !== undefined && n > o.max) throw new UsageError(`${flag} must be at most ${o.max}, not ${text}`);
  return n;
}

/** node:util's parse errors, said in one short line. */
function parseArgsProblem(err: unknown): string {
  const e = err as { code?: string; message?: string };
  const message = e.message ?? String(err);
  const quoted = /'([^']+)'/.exec(message)?.[1] ?? '';
  const flag = quoted.split(' ')[0]!.replace(/,$/, '');
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option '${quoted}'`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument '${quoted}'`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/does not take an argument/.test(message)) return `${flag} takes no value`;
      if (/ambiguous/.test(message)) return `${flag} needs a value (write ${flag}=<value> for one starting with '-')`;
      return `${flag} needs a value`;
    default:
      return oneLine(message);
  }
}

// --- output ----------------------------------------------------------------------------------------

function helpText(def: CliDefinition<Record<string, OptionSpec>>): string {
  const shown = (key: string, o: OptionSpec) =>
    `${o.short ? `-${o.short}, ` : ''}--${key}${o.type === 'boolean' ? '' : ` ${o.placeholder ?? (o.type === 'number' ? '<n>' : o.type === 'file' ? '<file>' : '<value>')}`}`;
  const synopsis =
    def.usage ??
    [
      `npm run ${def.name} --`,
      ...(def.positionals ? [def.positionals.placeholder] : []),
      ...Object.entries(def.options)
        .filter(([, o]) => 'required' in o && o.required)
        .map(([k, o]) => shown(k, o)),
      '[options]',
    ].join(' ');
  const rows: [string, string][] = Object.entries(def.options).map(([key, o]) => {
    const extras = [
      'required' in o && o.required ? 'required' : '',
      'default' in o && o.default !== undefined && o.default !== false && o.default !== ''
        ? `default ${o.default}`
        : '',
      o.type === 'string' && 'choices' in o && o.choices && !o.description.includes(o.choices.join(', '))
        ? `one of ${o.choices.join(', ')}`
        : '',
    ].filter(Boolean);
    return [shown(key, o), `${o.description}${extras.length ? ` (${extras.join('; ')})` : ''}`];
  });
  if (def.positionals?.description) rows.unshift([def.positionals.placeholder, def.positionals.description]);
  rows.push(['-h, --help', 'print this help']);
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  return [
    `usage: ${synopsis}`,
    ...(def.summary ? ['', def.summary] : []),
    '',
    'options:',
    ...rows.map(([l, r]) => `  ${l.padEnd(width)}${r}`),
    ...(def.notes?.length ? ['', ...def.notes] : []),
    '',
  ].join('\n');
}

/** Writes the contract's line(s) for an error and returns the exit code. */
function reportError(name: string, help: string, err: unknown, io: Pick<CliIo, 'stderr' | 'env'>): number {
  if (err instanceof UsageError) {
    io.stderr.write(`${name}: ${oneLine(err.message)}\n${help}`);
    return 2;
  }
  if (err instanceof InputFileError) {
    io.stderr.write(`${name}: ${oneLine(err.message)}\n`);
    return 1;
  }
  const fsError = err as { code?: string; path?: string };
  if (fsError?.path && FILE_PROBLEMS[fsError.code ?? '']) {
    io.stderr.write(`${name}: ${fsError.path}: ${fileProblem(err)}\n`);
    if (io.env['CVM_DEBUG'] === '1') io.stderr.write(`${(err as Error).stack}\n`);
    return 1;
  }
  io.stderr.write(`${name}: ${describeError(err, io.env)}\n`);
  return 1;
}

/** Errors that escape (a top-level throw, a stream's unhandled 'error'): the same one line, never Node's stack trace. */
function installLastResort(name: string, help: string, io: CliIo) {
  const onError = (err: unknown) => io.exit(reportError(name, help, err, io));
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
}

const FILE_PROBLEMS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory, not a file',
  ENOTDIR: 'a part of the path is not a directory',
};
const fileProblem = (err: unknown) => {
  const e = err as { code?: string; message?: string };
  return FILE_PROBLEMS[e.code ?? ''] ?? oneLine(e.message ?? String(err));
};

/** Multi-line messages (a market config's issues) joined onto one line. */
function oneLine(message: string): string {
  return message
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .reduce((line, part) => (line ? `${line}${/[:;,]$/.test(line) ? ' ' : '; '}${part}` : part), '');
}
