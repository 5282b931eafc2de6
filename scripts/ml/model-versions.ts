/**
 * Model versions and pins under a models root (`models/` in the repository):
 * - a version is a directory `<market>/<model>/<n>` (n = 1, 2, ...) that training creates once
 *   and nothing ever rewrites, so a pin always names the same artifact;
 * - `<market>/pins.json` says which version each model serves, with the history of pins
 *   (promote and rollback append to it), so a reviewer sees a pin change as a diff.
 * The market config reads pins.json (lib/config/model-pins.ts); `npm run models` edits it.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface PinEvent {
  version: string;
  action: 'promote' | 'rollback';
  /** When the pin changed (absent on pins made before the history was kept). */
  at?: string;
}

export interface ModelPinEntry {
  /** The version served. */
  version: string;
  /** Every pin change, oldest first; the last one pinned `version`. */
  history: PinEvent[];
}

export type PinsFile = Record<string, ModelPinEntry>;

export class VersionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VersionError';
  }
}

export const pinsPath = (root: string, market: string): string => join(root, market, 'pins.json');

export function readPins(root: string, market: string): PinsFile {
  const path = pinsPath(root, market);
  if (!existsSync(path)) throw new VersionError(`${path} not found`);
  return JSON.parse(readFileSync(path, 'utf8')) as PinsFile;
}

export function writePins(root: string, market: string, pins: PinsFile): void {
  writeFileSync(pinsPath(root, market), `${JSON.stringify(pins, null, 2)}\n`);
}

/** The version directories of a model, oldest first (integers only). */
export function versionsOf(root: string, market: string, model: string): string[] {
  const dir = join(root, market, model);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && /^[1-9]\d*$/.test(e.name))
    .map((e) => e.name)
    .sort((a, b) => Number(a) - Number(b));
}

/** The version training writes next: one after the newest directory, never an existing one. */
export function nextVersion(root: string, market: string, model: string): string {
  const versions = versionsOf(root, market, model);
  return String(versions.length ? Number(versions.at(-1)) + 1 : 1);
}

/**
 * The pins as a stack: promote pushes, rollback pops. Rolling back twice after promoting 1, 2
 * and 3 returns to 1, not back to 3.
 */
export function pinStack(entry: ModelPinEntry): string[] {
  const stack: string[] = [];
  for (const e of entry.history) {
    if (e.action === 'rollback') stack.pop();
    else stack.push(e.version);
  }
  return stack;
}

/** Versions that are or were pinned: the ones a deployment may have served. */
export function everPinned(pins: PinsFile, model: string): Set<string> {
  const entry = pins[model];
  return new Set(entry ? [entry.version, ...entry.history.map((e) => e.version)] : []);
}

/** Refuses a version directory that exists: training only ever creates new ones. */
export function assertNewVersion(root: string, market: string, model: string, version: string, pins: PinsFile): void {
  if (!existsSync(join(root, market, model, version))) return;
  const why =
    pins[model]?.version === version ? ' (pinned)' : everPinned(pins, model).has(version) ? ' (pinned before)' : '';
  throw new VersionError(
    `${market}/${model}/${version} exists${why}: versions are immutable, train into ${nextVersion(root, market, model)}`,
  );
}

/** Pins `version` of `model` (the newest version when not given). */
export function promote(
  root: string,
  market: string,
  pins: PinsFile,
  model: string,
  version: string | undefined,
  at: string,
): PinsFile {
  const versions = versionsOf(root, market, model);
  if (!versions.length) throw new VersionError(`${market}/${model} has no versions`);
  const v = version ?? versions.at(-1)!;
  if (!versions.includes(v))
    throw new VersionError(`${market}/${model}/${v} does not exist (versions: ${versions.join(', ')})`);
  const entry = pins[model] ?? { version: v, history: [] };
  if (pins[model]?.version === v) throw new VersionError(`${market}/${model}/${v} is already pinned`);
  return { ...pins, [model]: { version: v, history: [...entry.history, { version: v, action: 'promote', at }] } };
}

/** Pins again the version pinned before the current one. */
export function rollback(pins: PinsFile, market: string, model: string, at: string): PinsFile {
  const entry = pins[model];
  if (!entry) throw new VersionError(`${market}/${model} is not pinned`);
  const stack = pinStack(entry);
  const previous = stack.at(-2);
  if (previous === undefined) throw new VersionError(`${market}/${model}: no earlier pin to roll back to`);
  return {
    ...pins,
    [model]: { version: previous, history: [...entry.history, { version: previous, action: 'rollback', at }] },
  };
}

/** One line of `list`: `<version> <trainedAt> <metric>=<value>[ pinned]`. */
export function describeVersion(root: string, market: string, model: string, version: string, pinned: boolean): string {
  const path = join(root, market, model, version, 'metrics.json');
  const m = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>) : {};
  return `${version} ${typeof m['trainedAt'] === 'string' ? m['trainedAt'] : '-'} ${headlineMetric(m)}${pinned ? ' pinned' : ''}`;
}

/** The metric a model is judged by: ROC AUC (mean over heads for multi-head models), or RMSE. */
function headlineMetric(m: Record<string, unknown>): string {
  if (typeof m['rocAuc'] === 'number') return `rocAuc=${m['rocAuc']}`;
  if (typeof m['rmse'] === 'number') return `rmse=${m['rmse']}`;
  const heads = m['heads'] as Record<string, { rocAuc?: number }> | undefined;
  const aucs = Object.values(heads ?? {}).flatMap((h) => (typeof h.rocAuc === 'number' ? [h.rocAuc] : []));
  if (aucs.length) return `meanRocAuc=${(aucs.reduce((a, b) => a + b, 0) / aucs.length).toFixed(4)}`;
  return 'metric=-';
}
