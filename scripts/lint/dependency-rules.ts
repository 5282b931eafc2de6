import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The dependency direction of DESIGN.md: domain imports only domain; app imports domain (and
 * app); only adapters import @aws-sdk; the domain reads no environment and no wall clock.
 */
export interface Violation {
  file: string;
  line: number;
  rule: string;
}

const IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/;

function layerOf(file: string): string | undefined {
  const m = /^lambdas\/(domain|app|adapters|handlers|http)\//.exec(file);
  return m?.[1];
}

function targetLayer(spec: string, file: string): string | undefined {
  const hash = /^#(domain|app|adapters|handlers|http)\//.exec(spec);
  if (hash) return hash[1];
  if (spec.startsWith('.')) {
    const resolved = join(file, '..', spec).replace(/\\/g, '/');
    return layerOf(resolved) ?? (resolved.startsWith('lambdas/') ? 'lambdas' : 'outside');
  }
  return undefined;
}

const ALLOWED: Record<string, Set<string>> = {
  domain: new Set(['domain']),
  app: new Set(['domain', 'app']),
  http: new Set(['domain', 'http']),
  adapters: new Set(['domain', 'adapters']),
  handlers: new Set(['domain', 'app', 'adapters', 'http', 'handlers']),
};

export function checkSource(file: string, source: string): Violation[] {
  const layer = layerOf(file);
  if (!layer || /\.test\.ts$/.test(file)) return [];
  const out: Violation[] = [];
  source.split('\n').forEach((text, i) => {
    const line = i + 1;
    const m = IMPORT.exec(text);
    const spec = m?.[1] ?? m?.[2] ?? m?.[3];
    if (spec) {
      if (spec.startsWith('@aws-sdk/') && layer !== 'adapters') out.push({ file, line, rule: `${layer} must not import ${spec}: only adapters talk to AWS` });
      if (spec === 'aws-lambda' && (layer === 'domain' || layer === 'app')) out.push({ file, line, rule: `${layer} must not use aws-lambda types` });
      const target = targetLayer(spec, file);
      if (target && !ALLOWED[layer]!.has(target)) out.push({ file, line, rule: `${layer} must not import ${target} (${spec})` });
    }
    if (layer === 'domain' || layer === 'app') {
      if (/process\.env/.test(text)) out.push({ file, line, rule: `${layer} must not read process.env: pass configuration in` });
      if (/Date\.now\(\)|new Date\(\)/.test(text)) out.push({ file, line, rule: `${layer} must not read the wall clock: use the Clock port` });
    }
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
