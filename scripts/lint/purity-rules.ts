import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * What the import rules cannot see: the domain and the use cases read no environment and no wall
 * clock (configuration is passed in, time comes from the Clock port). Which layer may import which
 * is Biome's `noRestrictedImports` (biome.json), a parser-based rule that sees every import form.
 */
export interface Violation {
  file: string;
  line: number;
  rule: string;
}

const PURE_LAYER = /^lambdas\/(domain|app)\//;

export function checkSource(file: string, source: string): Violation[] {
  const layer = PURE_LAYER.exec(file)?.[1];
  if (!layer || /\.test\.ts$/.test(file)) return [];
  const out: Violation[] = [];
  source.split('\n').forEach((text, i) => {
    const line = i + 1;
    if (/process\.env/.test(text))
      out.push({ file, line, rule: `${layer} must not read process.env: pass configuration in` });
    if (/Date\.now\(\)|new Date\(\)/.test(text))
      out.push({ file, line, rule: `${layer} must not read the wall clock: use the Clock port` });
  });
  return out;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : path.endsWith('.ts') ? [path] : [];
  });
}

export function checkTree(root: string): Violation[] {
  return walk(join(root, 'lambdas')).flatMap((abs) => {
    const file = relative(root, abs).replace(/\\/g, '/');
    return checkSource(file, readFileSync(abs, 'utf8'));
  });
}
