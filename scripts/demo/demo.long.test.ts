import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../lambdas/test-support/dynamo-local.ts';
import { REPORT_NAMES } from '#domain/reports/report.ts';
import { xmlProblems } from '#domain/reports/well-formed-xml.ts';

const dir = mkdtempSync(join(tmpdir(), 'cvm-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run demo -- --quick', () => {
  it('tells the whole story on a small subset and writes the HTML report', async () => {
    const port = await freePort();
    const child = spawn('npx', ['tsx', 'scripts/demo/demo.ts', '--quick'], {
      env: { ...process.env, CVM_LOCAL_DIR: dir, PORT: String(port), CVM_NOW: '2026-11-24T10:00:00.000Z' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(out, out).not.toMatch(/demo failed/);
    expect(code, out).toBe(0);
    for (let i = 1; i <= 7; i++) expect(out).toContain(`[${i}/7]`);
    expect(out).toMatch(/imported 80 customers/);
    expect(out).toMatch(/triggers handed off [1-9]\d* message/);
    expect(out).toMatch(/decisions: app 4 .*ussd 4 .*call-centre 4 /);
    expect(out).toMatch(/campaign (cmp-\S+: \w+|: skipped \(.+\))/);
    expect(out).toMatch(new RegExp(`reports: ${REPORT_NAMES.length} snapshots; active base \\d+`));
    const html = readFileSync(join(dir, 'demo-report.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    const svgs = html.match(/<svg [\s\S]*?<\/svg>/g) ?? [];
    expect(svgs.length).toBeGreaterThan(4);
    for (const svg of svgs) expect(xmlProblems(svg)).toEqual([]);
    // the runtime it started is gone: nothing left listening on the port
    await expect(fetch(`http://localhost:${port}/v1/health`)).rejects.toThrow();
    expect(existsSync(join(dir, 'outbound', 'sms.jsonl'))).toBe(true);
  }, 90_000);
});
