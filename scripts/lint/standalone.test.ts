import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
// Built from parts so that this file does not name the sibling folder itself.
const SIBLING = ['..', 'shared'].join('/');

function trackedFiles(): string[] {
  return execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
}

describe('the repository stands alone', () => {
  it('has no tracked file that refers to the sibling folder of the steering repo', () => {
    const offenders = trackedFiles().filter((file) => {
      try {
        return readFileSync(join(ROOT, file), 'utf8').includes(SIBLING);
      } catch {
        return false; // deleted in the work tree but not yet in the index
      }
    });
    expect(offenders, `these files refer to ${SIBLING}: ${offenders.join(', ')}`).toEqual([]);
  });

  it('ships its datasets, their provenance and the licence files', () => {
    const files = new Set(trackedFiles());
    for (const file of [
      'data/ibm-telco-churn.train.csv',
      'data/iranian-churn.train.csv',
      'data/README.md',
      'LICENSE',
      'NOTICE',
      '.nvmrc',
    ]) {
      expect(files.has(file), `${file} is tracked`).toBe(true);
    }
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toContain('Apache License');
    const notice = readFileSync(join(ROOT, 'NOTICE'), 'utf8');
    expect(notice).toContain('IBM');
    expect(notice).toContain('CC BY 4.0');
  });

  it('declares the Node it runs on without making npm ci on an older Node fail', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines?: { node?: string } };
    expect(pkg.engines?.node).toMatch(/24/);
    expect(readFileSync(join(ROOT, '.nvmrc'), 'utf8').trim()).toBe('24');
    const npmrc = (() => {
      try {
        return readFileSync(join(ROOT, '.npmrc'), 'utf8');
      } catch {
        return '';
      }
    })();
    expect(npmrc).not.toMatch(/engine-strict\s*=\s*true/);
  });
});
