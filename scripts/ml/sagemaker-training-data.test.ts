import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { csvOf } from '#domain/csv.ts';
import { containerCsv, writeTrainingData } from './sagemaker-training-data.ts';

const tmp = mkdtempSync(join(tmpdir(), 'sagemaker-data-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// what features.ts writes: csvOf's CRLF lines, a missing value as an empty cell, ids as they come
const features = csvOf(
  ['id', 'tenure_months', 'monthly_charge', 'has_phone', 'label'],
  [
    ['7590-VHVEG', 1, 29.85, 0, 0],
    ['a,b "quoted"', 34, Number.NaN, 1, 1],
    ['5575-GNVDE', null, 56.95, 1, 0],
  ],
);

describe("the SageMaker container's training CSV", () => {
  it('puts the label first and drops the header and the id, missing values staying empty', () => {
    expect(containerCsv(features)).toBe('0,1,29.85,0\n1,34,,1\n0,,56.95,1\n');
  });

  it('refuses a file that is not a features.csv', () => {
    expect(() => containerCsv('customer,label\nx,1\n')).toThrow(/expected a header 'id,<features>,label'/);
  });

  it('writes each head of the model under its input prefix', () => {
    const work = join(tmp, 'work');
    for (const dir of ['multiple-lines', 'tech-support']) {
      mkdirSync(join(work, 'demo', 'cross-sell', dir), { recursive: true });
      writeFileSync(join(work, 'demo', 'cross-sell', dir, 'features.csv'), features);
    }
    writeFileSync(
      join(work, 'demo', 'cross-sell', 'job.json'),
      JSON.stringify({
        heads: [
          { name: 'multiple-lines', dir: 'multiple-lines' },
          { name: 'tech-support', dir: 'tech-support' },
        ],
      }),
    );
    const out = join(tmp, 'out');
    expect(writeTrainingData(work, out, 'demo', 'cross-sell')).toBe(join(out, 'models/demo/cross-sell/training/input'));
    for (const head of ['multiple-lines', 'tech-support'])
      expect(readFileSync(join(out, 'models/demo/cross-sell/training/input', head, 'train.csv'), 'utf8')).toBe(
        containerCsv(features),
      );
  });

  // xgboost's own CSV reader, the one the built-in container loads `?format=csv&label_column=0` with
  const python = '/usr/bin/python3';
  const hasXgboost = spawnSync(python, ['-c', 'import xgboost'], { stdio: 'ignore' }).status === 0;
  it.skipIf(!hasXgboost)('reads in xgboost as the labels, the features and the missing values', () => {
    const file = join(tmp, 'train.csv');
    writeFileSync(file, containerCsv(features));
    const read = spawnSync(
      python,
      [
        '-c',
        'import sys, json, xgboost as xgb; d = xgb.DMatrix(sys.argv[1] + "?format=csv&label_column=0"); print(json.dumps([d.get_label().tolist(), d.num_col(), d.num_row(), d.num_nonmissing()]))',
        file,
      ],
      { encoding: 'utf8' },
    );
    expect(read.status, read.stderr).toBe(0);
    expect(JSON.parse(read.stdout)).toEqual([[0, 1, 0], 3, 3, 7]);
  });
});
