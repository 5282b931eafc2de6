import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocal, type StartedRuntime } from '../scripts/local/npm-start.ts';
import { type TenantApi, tenantApi } from './support/tenant-api.ts';

let rt: StartedRuntime;
let base: string;
let adminKey: string;
let consumer: TenantApi;

beforeAll(async () => {
  rt = await startLocal();
  base = rt.info.baseUrl;
  consumer = tenantApi(rt, 'consumer');
  adminKey = consumer.keys.apiKey;
});

/** The status of the customer as the tenant's admin reads it. */
const customerStatus = async (customerId: string) =>
  (await consumer.admin.get('/v1/customers/{customerId}', { path: { customerId } })).status;

afterAll(async () => {
  if (rt && rt.child.exitCode === null) await rt.interrupt();
});

/** `npm run smoke -- <args>` as an operator runs it, to its exit. */
function smoke(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'smoke', '--', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const linesOf = (text: string) => text.split('\n').filter(Boolean);
const smokeCustomerOf = (stderr: string) => /smoke customer (smoke-[0-9a-f]+)/.exec(stderr)?.[1];

/** Every message handed to a channel in the runtime's outbound files. */
function outboundMessages(): { customerId?: string }[] {
  const dir = join(rt.dir, 'outbound');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) => linesOf(readFileSync(join(dir, f), 'utf8')).map((l) => JSON.parse(l) as { customerId?: string }));
}

/**
 * A proxy in front of the runtime that answers `POST /v1/decisions` with a 500 and passes every
 * other request through: a deployment that breaks in the middle of the round trip.
 */
async function brokenDecisionsProxy(): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method === 'POST' && req.url === '/v1/decisions') {
      res.writeHead(500, { 'content-type': 'application/problem+json' });
      res.end(JSON.stringify({ status: 500, detail: 'planted failure' }));
      return;
    }
    const headers: Record<string, string> = {};
    for (const name of ['x-api-key', 'content-type', 'accept']) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const upstream = await fetch(base + req.url, {
      method: req.method!,
      headers,
      ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
    });
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'text/plain' });
    res.end(Buffer.from(await upstream.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('npm run smoke against the local runtime', () => {
  it('passes every check, erases its customer and sends it nothing', async () => {
    const run = await smoke(['--url', base, '--key', adminKey]);
    expect(run.code, run.stdout + run.stderr).toBe(0);

    const lines = linesOf(run.stdout);
    const checks = lines.slice(0, -1);
    expect(
      checks.filter((l) => !l.startsWith('ok ')),
      run.stdout,
    ).toEqual([]);
    expect(lines.at(-1)).toBe(`${checks.length} passed, 0 failed`);
    expect(checks.map((l) => l.slice(3))).toEqual([
      'health',
      'openapi',
      'no key is 401',
      'wrong key is 403',
      'customer put',
      'customer get',
      'event accepted',
      'event applied',
      'decision',
      'customer export',
      'report read',
      'customer delete',
      'customer gone',
    ]);

    const customerId = smokeCustomerOf(run.stderr);
    expect(customerId, run.stderr).toBeDefined();
    expect(await customerStatus(customerId!)).toBe(404);
    // the event was applied before the erase, so any firing it caused is already in the outbound files
    expect(outboundMessages().filter((m) => m.customerId?.startsWith('smoke-'))).toEqual([]);
  });

  it('fails with FAIL lines and exit 1, not a crash, when the key is wrong', async () => {
    const run = await smoke(['--url', base, '--key', 'cvm_consumer_admin_not-a-real-key']);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    const lines = linesOf(run.stdout);
    expect(
      lines.slice(0, -1).every((l) => /^(ok|FAIL) [^:]+(: .+)?$/.test(l)),
      run.stdout,
    ).toBe(true);
    expect(lines.find((l) => l.startsWith('FAIL customer put:'))).toMatch(/^FAIL customer put: expected 201, got 403/);
    expect(lines.at(-1)).toMatch(/^\d+ passed, [1-9]\d* failed$/);
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });

  it('still erases its customer when a check fails midway', async () => {
    const proxy = await brokenDecisionsProxy();
    try {
      const run = await smoke(['--url', proxy.url, '--key', adminKey]);
      expect(run.code, run.stdout + run.stderr).toBe(1);
      const lines = linesOf(run.stdout);
      expect(lines).toContain('FAIL decision: expected 200, got 500 (planted failure)');
      expect(lines.filter((l) => l.startsWith('FAIL '))).toHaveLength(1);
      expect(lines).toContain('ok customer delete');
      expect(lines).toContain('ok customer gone');
      expect(lines.at(-1)).toBe('12 passed, 1 failed');
      const customerId = smokeCustomerOf(run.stderr);
      expect(customerId, run.stderr).toBeDefined();
      expect(await customerStatus(customerId!)).toBe(404);
    } finally {
      await proxy.close();
    }
  });

  it('fails every check on one line each when nothing answers at the URL', async () => {
    const gone = new URL(base);
    gone.port = '1'; // fetch refuses the port outright: a network error without waiting for a timeout
    const run = await smoke(['--url', gone.toString(), '--key', adminKey, '--timeout', '2']);
    expect(run.code).toBe(1);
    expect(linesOf(run.stdout)[0]).toMatch(/^FAIL health: network error: /);
    expect(linesOf(run.stdout).at(-1)).toBe('0 passed, 13 failed');
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });

  it('exits 2 with one line and the usage on a usage error', async () => {
    for (const args of [
      ['--url', base],
      ['--key', adminKey],
      ['--url', 'localhost', '--key', adminKey],
      ['--url', base, '--key', adminKey, '--verbose'],
      ['--url', base, '--key', adminKey, '--timeout', 'soon'],
    ]) {
      const run = await smoke(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stdout).toBe('');
      const [problem, usage] = linesOf(run.stderr);
      expect(problem).toMatch(/^smoke: /);
      expect(usage).toMatch(/^usage: /);
    }
  });

  it('answers --help with the usage on stdout and exit 0', async () => {
    const run = await smoke(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^usage: npm run smoke -- --url <baseUrl> --key <adminKey>/);
    expect(run.stderr).toBe('');
  });
});
