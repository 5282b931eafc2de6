import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelTarball, tarOf } from './model-tarball.ts';

describe('model tarball', () => {
  it('is a gzipped tar that the tar tool lists and extracts to the model JSON', () => {
    const json = readFileSync(path.resolve(import.meta.dirname, '../../models/demo/churn/1/model.json'));
    const file = modelTarball(json);
    expect(execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).trim()).toBe('xgboost-model.json');
    const out = mkdtempSync(path.join(tmpdir(), 'cvm-untar-'));
    execFileSync('tar', ['-xzf', file, '-C', out]);
    expect(readFileSync(path.join(out, 'xgboost-model.json')).equals(json)).toBe(true);
  });

  it('is reproducible: the same model gives the same bytes', () => {
    const a = tarOf([{ name: 'x.json', content: Buffer.from('{"a":1}') }]);
    const b = tarOf([{ name: 'x.json', content: Buffer.from('{"a":1}') }]);
    expect(a.equals(b)).toBe(true);
    expect(a.length % 512).toBe(0);
    expect(modelTarball(Buffer.from('{"a":1}'))).toBe(modelTarball(Buffer.from('{"a":1}')));
  });
});
