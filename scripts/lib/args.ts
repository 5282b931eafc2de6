import { parseArgs } from 'node:util';

/** `--name value` flags for the scripts; unknown flags are an error that names them. */
export function cliArgs<const T extends Record<string, { type: 'string' | 'boolean'; default?: string | boolean }>>(
  options: T,
) {
  const { values } = parseArgs({ options, strict: true, allowPositionals: false });
  return values;
}
