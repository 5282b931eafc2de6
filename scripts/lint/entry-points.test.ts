import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deployedHandlers } from '../bench/bundles.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const modulesIn = (dir: string) =>
  readdirSync(join(ROOT, dir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));

describe('the Lambda entry points', () => {
  it('are all lambdas/handlers holds besides tests: what they are built from lives in lambdas/composition', () => {
    expect(modulesIn('lambdas/handlers').sort()).toEqual(deployedHandlers());
  });
});
