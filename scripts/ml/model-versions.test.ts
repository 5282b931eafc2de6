import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadMarket } from '#config/markets/index.ts';
import { modelsCommand } from './models.ts';
import { assertNewVersion, nextVersion, type PinsFile, readPins } from './model-versions.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const PYTHON = '/usr/bin/python3';
const hasXgboost = spawnSync(PYTHON, ['-c', 'import xgboost, sklearn, pandas'], { stdio: 'ignore' }).status === 0;

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

/** A models root with versions 1..n of demo/churn (metrics only) and version 1 pinned. */
function modelsRoot(n: number): string {
  const root = mkdtempSync(join(tmpdir(), 'model-versions-'));
  dirs.push(root);
  for (let v = 1; v <= n; v++) {
    mkdirSync(join(root, 'demo/churn', String(v)), { recursive: true });
    writeFileSync(
      join(root, 'demo/churn', String(v), 'metrics.json'),
      JSON.stringify({ rocAuc: Number((0.8 + v / 100).toFixed(2)), trainedAt: `2026-01-0${v}T00:00:00Z` }),
    );
  }
  const pins: PinsFile = { churn: { version: '1', history: [{ version: '1', action: 'promote' }] } };
  writeFileSync(join(root, 'demo/pins.json'), JSON.stringify(pins));
  return root;
}
const run = (root: string, command: string, version?: string) =>
  modelsCommand(root, command, { market: 'demo', model: 'churn', version }, '2026-02-01T00:00:00Z');

describe('model versions', () => {
  it('trains into the version after the newest, never an existing one', () => {
    const root = modelsRoot(3);
    mkdirSync(join(root, 'demo/churn/notes'));
    expect(nextVersion(root, 'demo', 'churn')).toBe('4');
    expect(nextVersion(root, 'demo', 'nps')).toBe('1');
  });

  it('lists one line per version with its training time, metric and the pin', () => {
    expect(run(modelsRoot(2), 'list')).toEqual([
      '1 2026-01-01T00:00:00Z rocAuc=0.81 pinned',
      '2 2026-01-02T00:00:00Z rocAuc=0.82',
    ]);
  });

  it('promotes the newest by default, rolls back pin by pin, and keeps the history in pins.json', () => {
    const root = modelsRoot(3);
    run(root, 'promote', '2');
    run(root, 'promote');
    expect(readPins(root, 'demo')['churn']!.version).toBe('3');
    run(root, 'rollback');
    expect(readPins(root, 'demo')['churn']!.version).toBe('2');
    run(root, 'rollback');
    expect(readPins(root, 'demo')['churn']).toEqual({
      version: '1',
      history: [
        { version: '1', action: 'promote' },
        { version: '2', action: 'promote', at: '2026-02-01T00:00:00Z' },
        { version: '3', action: 'promote', at: '2026-02-01T00:00:00Z' },
        { version: '2', action: 'rollback', at: '2026-02-01T00:00:00Z' },
        { version: '1', action: 'rollback', at: '2026-02-01T00:00:00Z' },
      ],
    });
    expect(() => run(root, 'rollback')).toThrow(/no earlier pin/);
    expect(() => run(root, 'promote', '9')).toThrow(/demo\/churn\/9 does not exist/);
  });

  it('refuses to write a pinned or previously pinned version', () => {
    const root = modelsRoot(2);
    run(root, 'promote', '2');
    const pins = readPins(root, 'demo');
    expect(() => assertNewVersion(root, 'demo', 'churn', '2', pins)).toThrow(
      /churn\/2 exists \(pinned\).*train into 3/,
    );
    expect(() => assertNewVersion(root, 'demo', 'churn', '1', pins)).toThrow(/churn\/1 exists \(pinned before\)/);
    expect(() => assertNewVersion(root, 'demo', 'churn', '3', pins)).not.toThrow();
  });

  it.skipIf(!hasXgboost)('train.py refuses an existing version directory and leaves it untouched', () => {
    const root = modelsRoot(1);
    const work = mkdtempSync(join(tmpdir(), 'train-work-'));
    dirs.push(work);
    mkdirSync(join(work, 'demo/churn'), { recursive: true });
    const job = JSON.parse(readFileSync(join(ROOT, 'models/demo/churn/1/manifest.json'), 'utf8')) as object;
    writeFileSync(join(work, 'demo/churn/job.json'), JSON.stringify({ manifest: job, heads: [] }));
    const before = readFileSync(join(root, 'demo/churn/1/metrics.json'), 'utf8');
    const py = spawnSync(PYTHON, ['scripts/ml/train.py', '--market', 'demo', '--work', work, '--models', root], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(py.status).toBe(1);
    expect(py.stderr).toMatch(/churn\/1 exists: versions are immutable/);
    expect(readFileSync(join(root, 'demo/churn/1/metrics.json'), 'utf8')).toBe(before);
  });
  if (!hasXgboost) it.skip(`train.py immutability: skipped, ${PYTHON} has no xgboost/sklearn/pandas`, () => {});

  it('serves the pins of models/<market>/pins.json, and every pinned version exists', () => {
    for (const market of ['demo', 'ir']) {
      const pins = readPins(resolve(ROOT, 'models'), market);
      const served = loadMarket(market).scoring.models;
      expect(served).toEqual(Object.fromEntries(Object.entries(pins).map(([m, p]) => [m, { version: p.version }])));
      for (const [model, { version }] of Object.entries(served))
        expect(existsSync(resolve(ROOT, 'models', market, model, version, 'manifest.json'))).toBe(true);
    }
  });
});
