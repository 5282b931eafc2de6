/**
 * Model versions and the pins a market serves (`models/<market>/pins.json`):
 *
 *   npm run models -- list --market demo --model churn
 *   npm run models -- promote --market demo --model churn [--version 2]   # default: the newest
 *   npm run models -- rollback --market demo --model churn                # the pin before this one
 *
 * A pin change is a diff of pins.json to review and then a deploy (`npx cdk deploy -c market=...`).
 */
import { pathToFileURL } from 'node:url';
import { type ArgsOf, defineCli, marketOption, UsageError } from '../lib/args.ts';
import { describeVersion, promote, readPins, rollback, VersionError, versionsOf, writePins } from './model-versions.ts';
import { MODELS_DIR } from './paths.ts';

const cli = defineCli({
  name: 'models',
  summary: "Lists a model's versions and moves its pin (models/<market>/pins.json) forward or back.",
  positionals: {
    placeholder: 'list|promote|rollback',
    description: 'what to do',
    min: 1,
    max: 1,
    choices: ['list', 'promote', 'rollback'],
  },
  options: {
    market: marketOption(),
    model: { type: 'string', required: true, placeholder: '<name>', description: 'the model: churn, cross-sell, nps' },
    version: {
      type: 'string',
      placeholder: '<n>',
      description: 'promote: the version to pin (default: the newest)',
      validate: (v) => (/^[1-9]\d*$/.test(v) ? undefined : 'must be a whole number from 1'),
    },
  },
});

/** Runs one command on a models root and returns the lines to print. */
export function modelsCommand(
  root: string,
  command: string,
  args: { market: string; model: string; version?: string | undefined },
  at: string,
): string[] {
  const { market, model } = args;
  const pins = readPins(root, market);
  if (command === 'list') {
    const versions = versionsOf(root, market, model);
    if (!versions.length) throw new VersionError(`${market}/${model} has no versions`);
    return versions.map((v) => describeVersion(root, market, model, v, pins[model]?.version === v));
  }
  if (args.version !== undefined && command !== 'promote') throw new UsageError('--version is for promote only');
  const next =
    command === 'promote' ? promote(root, market, pins, model, args.version, at) : rollback(pins, market, model, at);
  writePins(root, market, next);
  const from = pins[model]?.version ?? '(none)';
  return [`${market}/${model}: pinned ${next[model]!.version} (was ${from}); review and deploy the pins.json change`];
}

async function main(values: ArgsOf<typeof cli>, [command]: string[]) {
  const lines = modelsCommand(MODELS_DIR, command!, values, new Date().toISOString());
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await cli.run(main);
