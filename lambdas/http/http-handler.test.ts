import { describe, expect, it } from 'vitest';
import { apiEvent, type EventSpec } from '../test-support/api-event.ts';
import { httpHandler, routeRequest, type HttpRequest } from './http-handler.ts';
import { resultForError } from './problem.ts';
import { ROUTES } from './routes.ts';
import { REPORT_ROUTES } from './routes/reports.ts';

/** The customers routes through the one pipeline, with a use case that only records what it got. */
const received: unknown[] = [];
const route = routeRequest(
  ROUTES.filter((r) => r.fn === 'customers' || r.id === 'pauseCampaign'),
  Object.fromEntries(
    ['putCustomer', 'getCustomer', 'pauseCampaign'].map((id) => [
      id,
      async (req: { body: unknown }) => {
        received.push(req.body);
        return { status: 200, body: { ok: true } };
      },
    ]),
  ),
);
const admin = { tenant: 't', scope: 'admin', keyId: 'k' } as const;
const profile = { segment: 'youth', tariff: 'x', contract: 'prepaid' };

async function answer(spec: Partial<EventSpec> & { base64?: Buffer }) {
  const event = apiEvent({ method: 'PUT', path: '/v1/customers/c1', caller: admin, ...spec });
  if (spec.base64) Object.assign(event, { body: spec.base64.toString('base64'), isBase64Encoded: true });
  try {
    const res = await route(event);
    return { status: res.statusCode, json: JSON.parse(res.body) };
  } catch (err) {
    const { result } = resultForError(err);
    return { status: result.statusCode, json: JSON.parse(result.body), type: result.headers['content-type'] };
  }
}
const fields = (res: { json: { errors?: { field: string }[] } }) => (res.json.errors ?? []).map((e) => e.field);

describe('the pipeline reads bodies strictly', () => {
  it('takes JSON named application/json, with or without charset=utf-8, in any case, as text or base64', async () => {
    for (const type of ['application/json', 'APPLICATION/Json; Charset="UTF-8"'])
      expect((await answer({ body: profile, headers: { 'content-type': type } })).status).toBe(200);
    const bytes = Buffer.from(JSON.stringify({ ...profile, attributes: { name: 'Zoë 😀' } }));
    expect((await answer({ base64: bytes })).status).toBe(200);
    expect(received.at(-1)).toMatchObject({ attributes: { name: 'Zoë 😀' } });
  });

  it('answers 415 problem+json to another media type or none, before reading the body', async () => {
    for (const headers of [
      { 'content-type': 'text/plain' },
      { 'content-type': 'application/x-www-form-urlencoded' },
      { 'content-type': 'application/json; charset=latin1' },
      { 'content-type': 'application/merge-patch+json' },
      { 'content-type': '' },
    ]) {
      const res = await answer({ body: profile, headers });
      expect(res.status, JSON.stringify(headers)).toBe(415);
      expect(res.type).toBe('application/problem+json');
      expect(fields(res)).toEqual(['Content-Type']);
    }
    const none = apiEvent({ method: 'PUT', path: '/v1/customers/c1', caller: admin, body: profile });
    delete (none.headers as Record<string, string>)['content-type'];
    await expect(route(none)).rejects.toMatchObject({ name: 'UnsupportedMediaTypeError' });
  });

  it('refuses bytes that are not UTF-8, lone surrogates raw or escaped, and a byte order mark with 400', async () => {
    const text = JSON.stringify({ ...profile, attributes: { name: 'ab__cd' } });
    const invalid = Buffer.from(text.replace('__', '\uFFFF\uFFFF'));
    invalid.set([0xff, 0xfe], invalid.indexOf(Buffer.from('\uFFFF')));
    const cesu = Buffer.from(text);
    cesu.set([0xed, 0xa0, 0x80], cesu.indexOf('__'));
    for (const base64 of [invalid, cesu, Buffer.from(`\uFEFF${JSON.stringify(profile)}`)]) {
      const res = await answer({ base64 });
      expect(res.status).toBe(400);
      expect(fields(res)).toEqual(['(body)']);
    }
    const raw = await answer({ rawBody: text.replace('__', '\uD800') });
    expect([raw.status, fields(raw)]).toEqual([400, ['(body)']]);
    const escaped = await answer({ rawBody: text.replace('__', '\\ud800') });
    expect([escaped.status, fields(escaped)]).toEqual([400, ['attributes.name']]);
  });

  it('refuses prototype keys anywhere with 400 naming the path', async () => {
    for (const [rawBody, field] of [
      [
        '{"segment":"y","tariff":"x","contract":"prepaid","attributes":{"__proto__":{"admin":true}}}',
        'attributes.__proto__',
      ],
      ['{"segment":"y","tariff":"x","contract":"prepaid","constructor":{}}', 'constructor'],
      ['{"segment":"y","tariff":"x","contract":"prepaid","consent":{"prototype":true}}', 'consent.prototype'],
    ] as const) {
      const res = await answer({ rawBody });
      expect([res.status, fields(res)]).toEqual([400, [field]]);
    }
  });

  it('ignores the media type where a route takes no body, and refuses a dot-only path id naming it', async () => {
    const res = await answer({
      method: 'POST',
      path: '/v1/campaigns/x/pause',
      headers: { 'content-type': 'text/plain' },
    });
    expect(res.status).toBe(200);
    for (const id of ['.', '..', '...', '%2E%2E', 'a%2Fb']) {
      const dots = await answer({ method: 'GET', path: `/v1/customers/${id}` });
      expect([dots.status, fields(dots)], id).toEqual([400, ['customerId']]);
    }
  });
});

describe('a route table types the implementations registered under its ids', () => {
  const reply = async () => ({ status: 204 });

  it('gives an implementation the path, query and body its route schemas make', () => {
    const handler = httpHandler(REPORT_ROUTES, {
      getReport: async (req) => {
        const name: string = req.params.name;
        const granularity: 'day' | 'month' = req.query.granularity;
        const body: undefined = req.body;
        return { status: 200, body: { name, granularity, body } };
      },
    });
    expect(typeof handler).toBe('function');
  });

  it('does not compile an implementation that names another schema, a missing id or an unknown one', () => {
    // checked by tsc: each line below fails to compile without its directive
    // @ts-expect-error the audit's query (month) is not the report route's
    httpHandler(REPORT_ROUTES, { getReport: async (_req: HttpRequest<undefined, { month: string }>) => reply() });
    // @ts-expect-error every route of the table needs its implementation
    httpHandler(REPORT_ROUTES, {});
    // @ts-expect-error an id the table does not have
    httpHandler(REPORT_ROUTES, { getReport: reply, getReports: reply });
  });
});
