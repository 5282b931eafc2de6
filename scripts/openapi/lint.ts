/**
 * npm run lint:openapi: the served OpenAPI document through redocly (redocly.yaml) and spectral
 * (.spectral.yaml), offline: no telemetry, no update check, every ruleset local. Exit 1 when either
 * reports a problem, warnings included.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { withDocumentFile } from './document.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const bin = (name: string) => join(ROOT, 'node_modules', '.bin', name);

/** Switches off everything that would reach the network: telemetry, update notices. */
const OFFLINE_ENV = {
  ...process.env,
  REDOCLY_TELEMETRY: 'off',
  REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
  NO_UPDATE_NOTIFIER: '1',
  DO_NOT_TRACK: '1',
};

function run(name: string, args: string[]): boolean {
  const started = performance.now();
  const result = spawnSync(bin(name), args, { cwd: ROOT, env: OFFLINE_ENV, stdio: 'inherit' });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const ok = result.status === 0;
  console.log(`${name}: ${ok ? 'ok' : `failed (exit ${result.status ?? result.signal})`} in ${seconds} s`);
  return ok;
}

const ok = await withDocumentFile(async (file) => {
  // both run even when the first fails, so one run shows every problem
  const redocly = run('redocly', ['lint', file, '--config', join(ROOT, 'redocly.yaml'), '--format=stylish']);
  const spectral = run('spectral', [
    'lint',
    file,
    '--ruleset',
    join(ROOT, '.spectral.yaml'),
    '--fail-severity=warn',
    '--quiet',
  ]);
  return redocly && spectral;
});
process.exit(ok ? 0 : 1);
