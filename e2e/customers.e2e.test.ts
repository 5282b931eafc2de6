import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { type ApiClient, expectAnswer } from '../scripts/lib/api/api-client.ts';
import { isRunning, startLocal, type StartedRuntime } from '../scripts/local/npm-start.ts';
import { anonymousApi, type TenantApi, tenantApi } from './support/tenant-api.ts';

let rt: StartedRuntime;
let base: string;
let anonymous: ApiClient;
let consumer: TenantApi;
let enterprise: TenantApi;

beforeAll(async () => {
  rt = await startLocal();
  base = rt.info.baseUrl;
  anonymous = anonymousApi(rt);
  consumer = tenantApi(rt, 'consumer');
  enterprise = tenantApi(rt, 'enterprise');
});

afterAll(async () => {
  if (rt && rt.child.exitCode === null) await rt.interrupt();
});

/** Raw fetch, for what the typed client cannot send: malformed JSON, undocumented paths and methods. */
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
    expect(expectAnswer(await anonymous.get('/v1/health'), 200).json).toEqual({ status: 'ok' });
    const doc = expectAnswer(await anonymous.get('/v1/openapi.json'), 200);
    expect(doc.json.openapi).toBe('3.1.0');
    expect(Object.keys(doc.json.paths)).toContain('/v1/customers/{customerId}');
  });

  it('stores a profile with the admin key and reads it with the channel key', async () => {
    const put = await consumer.admin.put('/v1/customers/{customerId}', {
      path: { customerId: '27820000001' },
      body: { segment: 'youth', monthlyCharge: 45, consent: { sms: true } },
    });
    expect(put.status).toBe(201);
    const got = expectAnswer(
      await consumer.channel.get('/v1/customers/{customerId}', { path: { customerId: '27820000001' } }),
      200,
    );
    expect(got.headers.get('etag')).toBe('"1"');
    expect(got.json).toMatchObject({ customerId: '27820000001', segment: 'youth', valueTier: 'silver' });
  });

  it('answers every failure with problem+json: 401, 403, 404, 405, 400, 413', async () => {
    const customer = (customerId: string) => ({ path: { customerId } });
    const typed = (reply: { status: number; headers: Headers; json: unknown }) => ({
      status: reply.status,
      type: reply.headers.get('content-type') ?? '',
      json: reply.json as { status?: number },
    });
    const cases = [
      [typed(await anonymous.get('/v1/customers/{customerId}', customer('27820000001'))), 401],
      [
        typed(await consumer.admin.get('/v1/customers/{customerId}', { ...customer('27820000001'), key: 'not-a-key' })),
        403,
      ],
      [
        typed(
          await consumer.channel.put('/v1/customers/{customerId}', {
            ...customer('27820000002'),
            body: { segment: 'x' },
          }),
        ),
        403,
      ],
      // raw: a path and a method the document does not have, and JSON that does not parse
      [await req('GET', '/v1/nowhere', consumer.keys.apiKey), 404],
      [await req('POST', '/v1/customers/27820000001', consumer.keys.apiKey, {}), 405],
      [await req('PUT', '/v1/customers/27820000002', consumer.keys.apiKey, '{"segment":'), 400],
      [
        typed(
          await consumer.admin.put('/v1/customers/{customerId}', {
            ...customer('27820000002'),
            body: { segment: 'x'.repeat(70_000) },
          }),
        ),
        413,
      ],
    ] as const;
    for (const [res, status] of cases) {
      expect(res.status).toBe(status);
      expect(res.type).toBe('application/problem+json');
      expect(res.json.status).toBe(status);
    }
    expect((await consumer.admin.get('/v1/customers/{customerId}', customer('27820000002'))).status).toBe(404);
  });

  it("never shows one tenant another tenant's customer", async () => {
    const customer = { path: { customerId: '27820000001' } };
    expect((await enterprise.admin.get('/v1/customers/{customerId}', customer)).status).toBe(404);
    expect((await enterprise.admin.delete('/v1/customers/{customerId}', customer)).status).toBe(404);
    expect((await consumer.admin.get('/v1/customers/{customerId}', customer)).status).toBe(200);
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
