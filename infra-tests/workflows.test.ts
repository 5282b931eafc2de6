import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../lib/constructs/cvm-function.ts';

type State = Record<string, any>;
interface Machine {
  StartAt: string;
  States: Record<string, State>;
}

const WORKFLOWS = path.join(REPO_ROOT, 'lib', 'workflows');
const files = readdirSync(WORKFLOWS).filter((f) => f.endsWith('.asl.json'));

/** Every state machine in a definition: the top level and each Map/Parallel body. */
function machines(m: Machine, where = 'top'): Array<[string, Machine]> {
  const out: Array<[string, Machine]> = [[where, m]];
  for (const [name, s] of Object.entries(m.States)) {
    const inner = s['ItemProcessor'] ?? s['Iterator'];
    if (inner) out.push(...machines(inner as Machine, `${where}/${name}`));
    for (const [i, b] of ((s['Branches'] as Machine[] | undefined) ?? []).entries())
      out.push(...machines(b, `${where}/${name}[${i}]`));
  }
  return out;
}

function nextsOf(s: State): string[] {
  return [
    s['Next'],
    s['Default'],
    ...((s['Choices'] as State[] | undefined) ?? []).map((c) => c['Next']),
    ...((s['Catch'] as State[] | undefined) ?? []).map((c) => c['Next']),
  ].filter((n): n is string => typeof n === 'string');
}

const LAMBDA_TRANSIENT = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

describe.each(files)('%s', (file) => {
  const text = readFileSync(path.join(WORKFLOWS, file), 'utf8');
  const def = JSON.parse(text) as Machine;

  it('is JSON whose only substitutions are ${Name} placeholders in Resource or FunctionName strings', () => {
    const placeholders = [...text.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]);
    expect(placeholders.length).toBeGreaterThan(0);
    for (const [, m] of machines(def)) {
      for (const s of Object.values(m.States)) {
        if (s['Type'] !== 'Task') continue;
        expect(String(s['Resource'] ?? s['Parameters']?.['FunctionName'])).toMatch(/^(\$\{\w+\}|arn:aws:states:::)/);
      }
    }
  });

  it.each(machines(def))('reaches every state of %s from StartAt, and every Next names a state', (_where, m) => {
    expect(m.States[m.StartAt], m.StartAt).toBeDefined();
    const seen = new Set<string>();
    const walk = (name: string) => {
      if (seen.has(name)) return;
      seen.add(name);
      const s = m.States[name];
      expect(s, `unknown state ${name}`).toBeDefined();
      for (const n of nextsOf(s!)) walk(n);
    };
    walk(m.StartAt);
    expect([...seen].sort()).toEqual(Object.keys(m.States).sort());
    for (const [name, s] of Object.entries(m.States)) {
      const ends = s['End'] === true || ['Succeed', 'Fail', 'Choice'].includes(s['Type']);
      expect(ends || typeof s['Next'] === 'string', `${name} neither ends nor goes on`).toBe(true);
    }
  });

  it('retries every Task on the transient Lambda errors by name, with backoff', () => {
    for (const [where, m] of machines(def)) {
      for (const [name, s] of Object.entries(m.States)) {
        if (s['Type'] !== 'Task') continue;
        const retries = (s['Retry'] as State[] | undefined) ?? [];
        const named = retries.flatMap((r) => r['ErrorEquals'] as string[]);
        expect(named, `${where}/${name}`).toEqual(expect.arrayContaining(LAMBDA_TRANSIENT));
        expect(named, `${where}/${name}: retry named errors, not States.ALL`).not.toContain('States.ALL');
        for (const r of retries) expect(r['BackoffRate'], `${where}/${name}`).toBeGreaterThanOrEqual(1);
        expect(s['TimeoutSeconds'], `${where}/${name}`).toBeGreaterThan(0);
      }
    }
  });

  it('catches a failed segment inside the Map so the report still runs', () => {
    const inner = machines(def).filter(([w]) => w !== 'top');
    for (const [where, m] of inner) {
      for (const [name, s] of Object.entries(m.States)) {
        if (s['Type'] !== 'Task') continue;
        expect(
          (s['Catch'] as State[] | undefined)?.some((c) => (c['ErrorEquals'] as string[]).includes('States.ALL')),
          `${where}/${name}`,
        ).toBe(true);
      }
    }
  });

  it('gives Map items a range of work (no ItemBatcher: the local runtime ignores it)', () => {
    for (const [, m] of machines(def)) {
      for (const s of Object.values(m.States)) {
        if (s['Type'] !== 'Map') continue;
        expect(s['ItemBatcher']).toBeUndefined();
        expect(s['ItemProcessor']?.['ProcessorConfig']?.['Mode']).toBe('DISTRIBUTED');
      }
    }
  });
});
