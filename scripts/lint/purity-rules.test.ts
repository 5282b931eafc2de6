import { describe, expect, it } from 'vitest';
import { checkSource, checkTree } from './purity-rules.ts';

describe('domain purity', () => {
  it('holds for the whole lambdas tree', () => {
    expect(checkTree(process.cwd())).toEqual([]);
  });

  it('catches the domain reading the environment or the wall clock', () => {
    const src = ["const table = process.env['TABLE'];", 'const t = Date.now();', 'const d = new Date();'].join('\n');
    expect(checkSource('lambdas/domain/x.ts', src).map((v) => v.line)).toEqual([1, 2, 3]);
    expect(checkSource('lambdas/app/x.ts', src)).toHaveLength(3);
  });

  it('lets adapters and handlers read the environment', () => {
    expect(checkSource('lambdas/handlers/h.ts', "const t = process.env['TABLE'];")).toEqual([]);
    expect(checkSource('lambdas/adapters/a.ts', 'const t = Date.now();')).toEqual([]);
  });
});
