import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { loadMarket } from '#config/markets/index.ts';
import { scoreFile } from './score.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const DATA = resolve(ROOT, 'data');
const tmp = mkdtempSync(join(tmpdir(), 'score-cli-'));

/** The header and first `n` data lines of a shared dataset file, as a temp CSV. */
function firstRows(file: string, n: number, edit?: (lines: string[]) => string[]): string {
  const lines = readFileSync(join(DATA, file), 'utf8')
    .split(/\r?\n/)
    .slice(0, n + 1);
  const path = join(tmp, `${file}.${n}.${Math.random().toString(36).slice(2)}.csv`);
  writeFileSync(path, `${(edit ? edit(lines) : lines).join('\n')}\n`);
  return path;
}
const readCsv = (p: string) => parse(readFileSync(p, 'utf8'), { columns: true }) as Record<string, string>[];

describe('score CLI', () => {
  it('scores the first IBM rows from the command line, one line per row, ids from customerID', () => {
    const input = firstRows('ibm-telco-churn.train.csv', 40);
    const output = join(tmp, 'demo.out.csv');
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'scripts/score/score.ts', '--market', 'demo', '--input', input, '--output', output],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(run.status, run.stderr).toBe(0);
    const out = readCsv(output);
    const ids = readCsv(input).map((r) => r['customerID']);
    expect(out.map((r) => r['id'])).toEqual(ids);
    expect(Object.keys(out[0]!)).toEqual(
      expect.arrayContaining([
        'id',
        'churn',
        'crossSell.online-security',
        'crossSell.tech-support',
        'crossSell.streaming-tv',
        'crossSell.device-protection',
        'nps.score',
        'nps.class',
      ]),
    );
    for (const r of out) {
      expect(Number(r['churn'])).toBeGreaterThanOrEqual(0);
      expect(['promoter', 'passive', 'detractor']).toContain(r['nps.class']);
    }
  });

  it('keeps an unmappable row with empty scores and gives the reason on stderr', async () => {
    // Row 3 gets a contract the schema does not know.
    const input = firstRows('ibm-telco-churn.train.csv', 5, (lines) =>
      lines.map((l, i) => (i === 3 ? l.replace(/,(Month-to-month|One year|Two year),/, ',Forever,') : l)),
    );
    const output = join(tmp, 'bad.out.csv');
    const warnings: string[] = [];
    const summary = await scoreFile({ market: 'demo', input, output, warn: (s) => warnings.push(s) });
    expect(summary).toMatchObject({ rows: 5, scored: 4, unmapped: 1 });
    const out = readCsv(output);
    expect(out).toHaveLength(5);
    expect(out[2]!['churn']).toBe('');
    expect(out[2]!['nps.class']).toBe('');
    expect(warnings.join('\n')).toMatch(/row 3 .*Contract: unknown value 'Forever'/);
  });

  it('numbers Iranian rows 1..n and scores churn only, as the ir market pins', async () => {
    const input = firstRows('iranian-churn.train.csv', 25);
    const output = join(tmp, 'ir.out.csv');
    const summary = await scoreFile({ market: 'ir', input, output, warn: () => {} });
    expect(summary.columns).toEqual(['id', 'churn']);
    expect(readCsv(output).map((r) => r['id'])).toEqual(Array.from({ length: 25 }, (_, i) => String(i + 1)));
  });

  it('scores the same as the evaluator on the training features (feature parity end to end)', async () => {
    const input = firstRows('iranian-churn.train.csv', 500);
    const output = join(tmp, 'ir500.out.csv');
    await scoreFile({ market: 'ir', input, output, warn: () => {} });
    const pinned = loadMarket('ir').scoring.models['churn']!.version;
    const parity = JSON.parse(readFileSync(join(ROOT, 'models/ir/churn', pinned, 'parity.json'), 'utf8')) as {
      predictions: number[];
    };
    readCsv(output).forEach((r, i) => expect(Number(r['churn'])).toBeCloseTo(parity.predictions[i]!, 5));
  });

  it('refuses a file of another schema and names the missing columns', async () => {
    const input = firstRows('iranian-churn.train.csv', 3);
    await expect(scoreFile({ market: 'demo', input, output: join(tmp, 'x.csv'), warn: () => {} })).rejects.toThrow(
      /missing column\(s\) 'customerID'/,
    );
  });
});
