import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { isRunning, startLocal, type StartedRuntime } from './local-runtime.ts';

let rt: StartedRuntime;
let base: string;
let consumer: { apiKey: string; channelKey: string };
let enterprise: { apiKey: string; channelKey: string };

beforeAll(async () => {
  rt = await startLocal();
  base = rt.info.baseUrl;
  consumer = rt.info.tenants['consumer']!;
  enterprise = rt.info.tenants['enterprise']!;
});

afterAll(async () => {
  if (rt && rt.child.exitCode === null) await rt.interrupt();
});

const req = async (
  method: string,
  path: string,
  key?: string,
  body?: unknown,
  headers: Record<string, string> = {},
) => {
  const res = await fetch(base + path, {
    method,
    headers: { ...(key ? { 'x-api-key': key } : {}), 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    etag: res.headers.get('etag'),
    json: text ? JSON.parse(text) : undefined,
  };
};

describe('the local runtime over HTTP', () => {
  it('answers health and serves the OpenAPI document without a key', async () => {
    expect((await req('GET', '/v1/health')).json).toEqual({ status: 'ok' });
    const doc = await req('GET', '/v1/openapi.json');
    expect(doc.json.openapi).toBe('3.1.0');
    expect(Object.keys(doc.json.paths)).toContain('/v1/customers/{customerId}');
  });

  it('stores a profile with the admin key and reads it with the channel key', async () => {
    const put = await req('PUT', '/v1/customers/27820000001', consumer.apiKey, {
      segment: 'youth',
      monthlyCharge: 45,
      consent: { sms: true },
    });
    expect(put.status).toBe(201);
    const got = await req('GET', '/v1/customers/27820000001', consumer.channelKey);
    expect(got.status).toBe(200);
    expect(got.etag).toBe('"1"');
    expect(got.json).toMatchObject({ customerId: '27820000001', segment: 'youth', valueTier: 'silver' });
  });

  it('answers every failure with problem+json: 401, 403, 404, 405, 400, 413', async () => {
    const cases = [
      [await req('GET', '/v1/customers/27820000001'), 401],
      [await req('GET', '/v1/customers/27820000001', 'not-a-key'), 403],
      [await req('PUT', '/v1/customers/27820000002', consumer.channelKey, { segment: 'x' }), 403],
      [await req('GET', '/v1/nowhere', consumer.apiKey), 404],
      [await req('PATCH', '/v1/customers/27820000001', consumer.apiKey, {}), 405],
      [await req('PUT', '/v1/customers/27820000002', consumer.apiKey, '{"segment":'), 400],
      [await req('PUT', '/v1/customers/27820000002', consumer.apiKey, { segment: 'x'.repeat(70_000) }), 413],
    ] as const;
    for (const [res, status] of cases) {
      expect(res.status).toBe(status);
      expect(res.type).toBe('application/problem+json');
      expect(res.json.status).toBe(status);
    }
    expect((await req('GET', '/v1/customers/27820000002', consumer.apiKey)).status).toBe(404);
  });

  it("never shows one tenant another tenant's customer", async () => {
    expect((await req('GET', '/v1/customers/27820000001', enterprise.apiKey)).status).toBe(404);
    expect((await req('DELETE', '/v1/customers/27820000001', enterprise.apiKey)).status).toBe(404);
    expect((await req('GET', '/v1/customers/27820000001', consumer.apiKey)).status).toBe(200);
  });

  it('stops cleanly on Ctrl-C and leaves no process behind', async () => {
    const { pid: nodePid, dynamoPid } = rt.info;
    expect(isRunning(dynamoPid)).toBe(true);
    await rt.interrupt();
    // npm itself dies of the SIGINT (as in a terminal); the runtime must have shut down in order.
    for (let i = 0; i < 50 && isRunning(nodePid); i++) await new Promise((r) => setTimeout(r, 100));
    expect(rt.output()).toContain('SIGINT: stopping');
    expect(isRunning(nodePid)).toBe(false);
    expect(isRunning(dynamoPid)).toBe(false);
    const leftovers = execFileSync('ps', ['-eo', 'args'])
      .toString()
      .split('\n')
      .filter((l) => l.includes(rt.dir));
    expect(leftovers).toEqual([]);
  });
});
