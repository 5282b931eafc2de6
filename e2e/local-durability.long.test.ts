import { execFile, spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../lambdas/test-support/dynamo-local.ts';
import { type ApiClient, apiClient, expectAnswer, fetchTransport } from '../scripts/lib/api/api-client.ts';
import { isRunning, startLocal, type StartedRuntime } from '../scripts/local/npm-start.ts';

/**
 * Issue 17, items 5 and 8, on `npm start` itself: the data folder is its owner's only and locked
 * while in use; `npm run keys -- revoke` reaches the running runtime, so the next request with the
 * key is refused; events answered 202 survive a `kill -9` of the runtime and are applied once
 * after the restart, which takes over the dead runtime's lock and its orphaned DynamoDB Local.
 */
const NOW = '2026-03-02T10:00:00Z';
const CUSTOMER = '27820000777';
const run = promisify(execFile);
const started: StartedRuntime[] = [];
afterAll(async () => {
  for (const rt of started) {
    await rt.interrupt();
    try {
      process.kill(-rt.info.dynamoPid, 'SIGKILL'); // a JVM a failed test left behind
    } catch {
      /* gone, as it should be */
    }
  }
});

const mode = (path: string) => statSync(path).mode & 0o777;

/** The typed client of `rt`: each request names its key. */
const api = (rt: StartedRuntime): ApiClient => apiClient(fetchTransport(rt.info.baseUrl));
const customer = { path: { customerId: CUSTOMER } };
/** The customer's state as the channel reads it. */
const stateOf = async (call: ApiClient, key: string) =>
  expectAnswer(await call.get('/v1/customers/{customerId}', { ...customer, key }), 200).json.state;

async function eventually<T>(check: () => Promise<T>, seconds = 15): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await check();
    } catch (err) {
      if (i > seconds * 10) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

const keysCli = (dir: string, ...args: string[]) =>
  run('node_modules/.bin/tsx', ['scripts/keys/keys.ts', ...args], { env: { ...process.env, CVM_LOCAL_DIR: dir } });

const dropped = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => ({
    eventId: `crash-${from + i}`,
    customerId: CUSTOMER,
    type: 'network.call_dropped' as const,
    occurredAt: new Date(Date.parse(NOW) - (from + i) * 60_000).toISOString(),
    data: { cellId: 'JHB-9' },
  }));

describe('the local runtime as a place to keep data', () => {
  it('keeps its folder private and locked, revokes at once, and loses no accepted event to kill -9', async () => {
    // a slow consumer: each batch waits 1.5 s before the processor, so a crash finds events queued
    const first = await startLocal({ CVM_NOW: NOW, CVM_QUEUE_HANDLER_DELAY_MS: '1500' });
    started.push(first);
    const { dir } = first;
    const keys = first.info.tenants['consumer']!;
    let call = api(first);

    // owner-only: the folder, the admin keys, the database
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(dir, 'runtime.json'))).toBe(0o600);
    expect(mode(join(dir, 'keys.json'))).toBe(0o600);
    expect(mode(join(dir, 'dynamodb'))).toBe(0o700);
    const dbFiles = readdirSync(join(dir, 'dynamodb'));
    expect(dbFiles.length).toBeGreaterThan(0);
    for (const f of dbFiles) expect([f, mode(join(dir, 'dynamodb', f))]).toEqual([f, 0o600]);

    expect(
      (await call.put('/v1/customers/{customerId}', { ...customer, key: keys.apiKey, body: { segment: 'youth' } }))
        .status,
    ).toBe(201);

    // a second start on the folder, even a fresh one, stops in one line and touches nothing
    const second = spawn('npm', ['start', '--silent'], {
      env: { ...process.env, PORT: String(await freePort()), CVM_LOCAL_DIR: dir, CVM_FRESH: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let said = '';
    second.stdout.on('data', (d) => (said += d));
    second.stderr.on('data', (d) => (said += d));
    const code = await new Promise<number | null>((r) => second.once('exit', r));
    expect(code).not.toBe(0);
    expect(said.trim()).toBe(
      `${dir} is in use by the local runtime with pid ${first.info.pid}: stop it first, or use another folder (CVM_LOCAL_DIR)`,
    );
    expect((await call.get('/v1/customers/{customerId}', { ...customer, key: keys.channelKey })).status).toBe(200);
    expect(
      (await call.put('/v1/customers/{customerId}', { ...customer, key: keys.apiKey, body: { segment: 'family' } }))
        .status,
    ).toBe(200);

    // a key revoked with the CLI is refused by the very next request, though the gateway cached it
    const created = await keysCli(dir, 'create', '--tenant', 'consumer', '--scope', 'channel');
    const newKey = /^ {2}(cvm_\S+)$/m.exec(created.stdout)![1]!;
    const keyId = /created channel key (\S+)/.exec(created.stdout)![1]!;
    expect((await call.get('/v1/customers/{customerId}', { ...customer, key: newKey })).status).toBe(200);
    const revoked = await keysCli(dir, 'revoke', '--tenant', 'consumer', '--key-id', keyId);
    expect(revoked.stdout).toContain(`revoked ${keyId} of tenant consumer: it is refused from the next request on`);
    expect((await call.get('/v1/customers/{customerId}', { ...customer, key: newKey })).status).toBe(403);

    // events answered 202, then kill -9 while the last batch waits for the consumer
    expect((await call.post('/v1/events', { key: keys.channelKey, body: { events: dropped(1, 2) } })).status).toBe(202);
    await eventually(async () => expect((await stateOf(call, keys.channelKey))?.droppedCalls24h).toBe(2));
    expect((await call.post('/v1/events', { key: keys.channelKey, body: { events: dropped(3, 5) } })).status).toBe(202);
    await first.kill();
    expect(isRunning(first.info.dynamoPid)).toBe(true); // its own process group: left running on the folder

    // started again on the same folder: the stale lock is taken over, the orphaned JVM stopped
    const again = await startLocal({ CVM_NOW: NOW }, { dir });
    started.push(again);
    expect(isRunning(first.info.dynamoPid)).toBe(false);
    call = api(again);
    await eventually(async () => expect((await stateOf(call, keys.channelKey))?.droppedCalls24h).toBe(5));
    await new Promise((r) => setTimeout(r, 500));
    // each event once: none lost, none counted twice
    const state = await stateOf(call, keys.channelKey);
    expect([state?.droppedCalls24h, state?.droppedCalls7d]).toEqual([5, 5]);
  });
});
