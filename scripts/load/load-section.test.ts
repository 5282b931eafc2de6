import { describe, expect, it } from 'vitest';
import { LOAD_END, LOAD_START, loadSectionOf, withLoadSection } from './load-section.ts';

const load = (n: number) => `${LOAD_START}\n## Load\nrun ${n}\n${LOAD_END}\n`;

describe('the load section of docs/benchmarks.md', () => {
  it('is appended to a document without one, and replaced in place on the next run', () => {
    const first = withLoadSection('# Benchmarks\n\n## Decisions\n', load(1));
    expect(first).toBe(`# Benchmarks\n\n## Decisions\n\n${load(1)}`);
    const second = withLoadSection(`${first}\n## Later\n`, load(2));
    expect(second).toContain('run 2');
    expect(second).not.toContain('run 1');
    expect(second).toContain('## Later');
  });

  it('survives a bench run that rewrites the rest of the file', () => {
    const old = withLoadSection('# Benchmarks\nold figures\n', load(7));
    const rewritten = `# Benchmarks\nnew figures\n\n${loadSectionOf(old)}`;
    expect(rewritten).toContain('new figures');
    expect(loadSectionOf(rewritten)).toBe(load(7));
    expect(loadSectionOf('# nothing')).toBe('');
  });
});
