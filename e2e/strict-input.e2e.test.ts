import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAnswer } from '../scripts/lib/api/api-client.ts';
import { startLocal, type StartedRuntime } from '../scripts/local/npm-start.ts';
import { send } from './support/http-fuzz.ts';
import { type TenantApi, tenantApi } from './support/tenant-api.ts';

/**
 * Issue 17 items 6 and 7 over HTTP against `npm start`: what a hostile or sloppy caller sends is
 * refused with a 4xx problem+json and stores nothing; concurrent and conditional PUTs answer as
 * RFC 9110 says.
 */
let rt: StartedRuntime;
let admin: string;
let consumer: TenantApi;

beforeAll(async () => {
  rt = await startLocal({ CVM_REPORTS_INTERVAL_S: '86400' });
  admin = rt.info.tenants['consumer']!.apiKey;
  consumer = tenantApi(rt, 'consumer');
});
afterAll(async () => {
  if (rt && rt.child.exitCode === null) await rt.interrupt();
});

const JSON_TYPE = { 'content-type': 'application/json' };
const profile = {
  segment: 'youth',
  tariff: 'smart-50',
  contract: 'prepaid' as const,
  attributes: { name: 'ab__cd' },
};

/** Raw, for what the typed client cannot or should not send: other media types, invalid bytes, forged paths. */
async function call(
  method: string,
  path: string,
  opts: { body?: string | Buffer | object; headers?: Record<string, string> } = {},
) {
  const body =
    opts.body === undefined || typeof opts.body === 'string' || Buffer.isBuffer(opts.body)
      ? opts.body
      : JSON.stringify(opts.body);
  const res = await send(rt.info.baseUrl, {
    method,
    path,
    headers: { 'x-api-key': admin, ...(opts.headers ?? JSON_TYPE) },
    ...(body === undefined ? {} : { body }),
  });
  const json = res.body ? JSON.parse(res.body) : undefined;
  return { status: res.status, type: String(res.headers['content-type'] ?? ''), json };
}
const fields = (res: { json?: { errors?: { field: string }[] } }) => (res.json?.errors ?? []).map((e) => e.field);
const stored = async (customerId: string) =>
  (await consumer.admin.get('/v1/customers/{customerId}', { path: { customerId } })).status;
/** PUT of `profile` through the typed client, conditional when `ifMatch` is given. */
const putProfile = (customerId: string, body: typeof profile = profile, ifMatch?: string) =>
  consumer.admin.put('/v1/customers/{customerId}', {
    path: { customerId },
    body,
    ...(ifMatch === undefined ? {} : { headers: { 'If-Match': ifMatch } }),
  });

describe('strict input over HTTP', () => {
  it('answers 415 problem+json to a body of another media type or none, and takes JSON in UTF-8 in any case', async () => {
    for (const headers of [
      { 'content-type': 'text/plain' } as Record<string, string>,
      { 'content-type': 'application/x-www-form-urlencoded' },
      { 'content-type': 'application/json; charset=latin1' },
      {},
    ]) {
      const res = await call('PUT', '/v1/customers/si-415', { body: profile, headers });
      expect([res.status, res.type, fields(res)], JSON.stringify(headers)).toEqual([
        415,
        'application/problem+json',
        ['Content-Type'],
      ]);
    }
    expect(await stored('si-415')).toBe(404);
    const ok = await call('PUT', '/v1/customers/si-415', {
      body: profile,
      headers: { 'content-type': 'Application/JSON; Charset=UTF-8' },
    });
    expect(ok.status).toBe(201);
  });

  it('refuses invalid UTF-8, lone surrogates raw and escaped, and prototype keys with 400, storing nothing', async () => {
    const text = JSON.stringify(profile);
    const invalid = Buffer.from(text);
    invalid.set([0xff, 0xfe], invalid.indexOf('__'));
    const rawSurrogate = Buffer.from(text);
    rawSurrogate.set([0xed, 0xa0, 0x80], rawSurrogate.indexOf('__'));
    const cases: [string | Buffer, string][] = [
      [invalid, '(body)'],
      [rawSurrogate, '(body)'],
      [`\uFEFF${text}`, '(body)'],
      [text.replace('__', '\\ud800'), 'attributes.name'],
      [text.replace('"name"', '"__proto__"').replace('"ab__cd"', '{"admin":true}'), 'attributes.__proto__'],
      [text.replace('"attributes"', '"constructor"'), 'constructor'],
    ];
    for (const [body, field] of cases) {
      const res = await call('PUT', '/v1/customers/si-bytes', { body });
      expect([res.status, res.type, fields(res)], field).toEqual([400, 'application/problem+json', [field]]);
    }
    expect(await stored('si-bytes')).toBe(404);
  });

  it('rejects events dated before events.minOccurredAt one by one, and events for a dot-only customer id', async () => {
    const event = (id: string, customerId: string, occurredAt: string) => ({
      eventId: id,
      customerId,
      type: 'usage.voice' as const,
      occurredAt,
      data: { seconds: 30 },
    });
    const res = await consumer.channel.post('/v1/events', {
      body: {
        events: [
          event('si-e1', 'si-ev', '0000-01-01T00:00:00Z'),
          event('si-e2', 'si-ev', '1900-01-01T00:00:00Z'),
          event('si-e3', '..', new Date().toISOString()),
          event('si-e4', 'si-ev', new Date().toISOString()),
        ],
      },
    });
    const { accepted, rejected } = expectAnswer(res, 202).json;
    expect(accepted).toBe(1);
    expect(rejected.map((r) => [r.index, r.errors[0]!.field])).toEqual([
      [0, 'occurredAt'],
      [1, 'occurredAt'],
      [2, 'customerId'],
    ]);
    expect(rejected[0]!.errors[0]!.message).toMatch(/before 2000-01-01T00:00:00.000Z/);
  });

  it('answers 400 naming the parameter to impossible report dates', async () => {
    for (const [query, field] of [
      ['from=2026-02-30', 'from'],
      ['to=2026-04-31', 'to'],
      ['from=2026-02-29', 'from'],
    ]) {
      const res = await call('GET', `/v1/reports/kpis?${query}`);
      expect([res.status, fields(res)], query).toEqual([400, [field]]);
    }
    const leapDay = await consumer.admin.get('/v1/reports/{name}', {
      path: { name: 'kpis' },
      query: { from: '2024-02-29' },
    });
    expect(leapDay.status).toBe(200);
  });

  it('answers 400 naming the parameter to a path id of dots or with an encoded slash, never a 404', async () => {
    for (const id of ['.', '..', '%2E%2E', 'a%2Fb', '%2F', '..%2F..']) {
      for (const path of [`/v1/customers/${id}`, `/v1/customers/${id}/export`]) {
        const res = await call('GET', path);
        expect([res.status, res.type, fields(res)], path).toEqual([400, 'application/problem+json', ['customerId']]);
      }
    }
    const put = await call('PUT', '/v1/customers/..', { body: profile });
    expect([put.status, fields(put)]).toEqual([400, ['customerId']]);
  });
});

describe('preconditions per RFC 9110 over HTTP', () => {
  it('lets 10 concurrent PUTs without If-Match on one customer all succeed, one after the other', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => putProfile('si-race', { ...profile, tariff: `t-${i}` })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(results.map((r) => r.headers.get('etag'))).size).toBe(10);
    const after = await consumer.admin.get('/v1/customers/{customerId}', { path: { customerId: 'si-race' } });
    expect(after.headers.get('etag')).toBe('"10"');
  });

  it('answers 412 to If-Match: * on a missing customer and to any tag that does not match strongly', async () => {
    const missing = await putProfile('si-pre', profile, '*');
    expect([missing.status, missing.headers.get('content-type')]).toEqual([412, 'application/problem+json']);
    expect(await stored('si-pre')).toBe(404);
    expect((await putProfile('si-pre')).status).toBe(201);
    for (const tag of ['"stale-version"', '"2"', 'W/"1"', '"0", W/"1"'])
      expect((await putProfile('si-pre', profile, tag)).status, tag).toBe(412);
    const bad = await call('PUT', '/v1/customers/si-pre', {
      body: profile,
      headers: { ...JSON_TYPE, 'if-match': 'v1' },
    });
    expect([bad.status, fields(bad)]).toEqual([400, ['If-Match']]);
    const listed = await putProfile('si-pre', profile, '"0", "1"');
    expect([listed.status, listed.headers.get('etag')]).toEqual([200, '"2"']);
    const any = await putProfile('si-pre', profile, '*');
    expect([any.status, any.headers.get('etag')]).toEqual([200, '"3"']);
  });
});
