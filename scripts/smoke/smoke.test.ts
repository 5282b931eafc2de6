import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_TRIGGERS } from '#config/markets/demo-triggers.ts';
import { consentAllows, type ActionKind } from '#domain/contact-window.ts';
import { CHANNELS } from '#domain/customer.ts';
import { isValidId } from '#domain/ids.ts';
import { EVENT_DATA, validateEvents } from '#edge/events.ts';
import { baseUrlProblem, endpoint, expectStatus, httpClient, SmokeFailure } from './http.ts';
import { exitCodeOf, oneLine, resultLine, summaryLine, type CheckResult } from './results.ts';
import { runSteps, type Step } from './run.ts';
import { SMOKE_EVENT_TYPE, smokeCustomerId, smokeEvent, smokeProfile } from './smoke-customer.ts';

describe('the smoke lines', () => {
  it('print a passed check as ok and a failed one as FAIL with its reason', () => {
    expect(resultLine({ name: 'health', ok: true })).toBe('ok health');
    expect(resultLine({ name: 'customer put', ok: false, why: 'expected 201, got 403' })).toBe(
      'FAIL customer put: expected 201, got 403',
    );
  });

  it('keep a multi-line or very long reason on one short line', () => {
    expect(oneLine('<html>\n  <body>502 Bad Gateway</body>\n</html>')).toBe(
      '<html> <body>502 Bad Gateway</body> </html>',
    );
    const long = oneLine('x'.repeat(5000));
    expect(long.length).toBeLessThanOrEqual(300);
    expect(long.endsWith('...')).toBe(true);
    expect(resultLine({ name: 'decision', ok: false, why: ' \n ' })).toBe('FAIL decision: no reason given');
  });

  it('close with the counts and exit 0 only when every check passed', () => {
    const passed: CheckResult[] = [
      { name: 'a', ok: true },
      { name: 'b', ok: true },
    ];
    const failed: CheckResult[] = [...passed, { name: 'c', ok: false, why: 'no' }];
    expect(summaryLine(passed)).toBe('2 passed, 0 failed');
    expect(summaryLine(failed)).toBe('2 passed, 1 failed');
    expect(exitCodeOf(passed)).toBe(0);
    expect(exitCodeOf(failed)).toBe(1);
    expect(exitCodeOf([])).toBe(1);
  });
});

describe('the base URL', () => {
  it("keeps a deployed API's stage path and drops a trailing slash", () => {
    const stage = new URL('https://abc123.execute-api.af-south-1.amazonaws.com/prod/');
    expect(endpoint(stage, '/v1/health')).toBe('https://abc123.execute-api.af-south-1.amazonaws.com/prod/v1/health');
    expect(endpoint(new URL('http://localhost:3000'), '/v1/health')).toBe('http://localhost:3000/v1/health');
    expect(endpoint(new URL('http://localhost:3000/?x=1#y'), '/v1/openapi.json')).toBe(
      'http://localhost:3000/v1/openapi.json',
    );
  });

  it('must be an http or https URL', () => {
    expect(baseUrlProblem('http://localhost:3000')).toBeUndefined();
    expect(baseUrlProblem('https://abc.execute-api.af-south-1.amazonaws.com/dev')).toBeUndefined();
    expect(baseUrlProblem('localhost:3000')).toMatch(/not http or https|not a URL/);
    expect(baseUrlProblem('not a url')).toMatch(/^not a URL/);
    expect(baseUrlProblem('ftp://example.com')).toMatch(/not http or https/);
  });
});

describe('the smoke customer', () => {
  it('has a fresh id that says what it is and that the API accepts', () => {
    const ids = new Set(Array.from({ length: 50 }, () => smokeCustomerId()));
    expect(ids.size).toBe(50);
    for (const id of ids) {
      expect(id).toMatch(/^smoke-[0-9a-f]{12}$/);
      expect(isValidId(id)).toBe(true);
      expect(isValidId(smokeEvent(id, '2026-01-01T00:00:00Z').eventId)).toBe(true);
    }
  });

  it('refuses every contact on every channel, marketing or service, because every consent is false', () => {
    const { consent } = smokeProfile();
    const kinds: ActionKind[] = ['offer', 'retention', 'service', 'information'];
    for (const channel of CHANNELS) {
      expect(consent[channel]).toBe(false);
      for (const kind of kinds) expect(consentAllows(kind, channel, consent), `${kind} on ${channel}`).toBe(false);
    }
  });

  it("receives an event type that none of the demo market's triggers listens to", () => {
    expect(DEMO_TRIGGERS.length).toBeGreaterThan(0);
    expect(DEMO_TRIGGERS.map((t) => t.eventType)).not.toContain(SMOKE_EVENT_TYPE);
  });

  it('sends an event the API validates as it stands', () => {
    const event = smokeEvent(smokeCustomerId(), '2026-03-02T10:00:00.000Z');
    expect(EVENT_DATA[event.type].safeParse(event.data).success).toBe(true);
    expect(validateEvents([event]).rejected).toEqual([]);
  });
});

describe('running the checks', () => {
  const step = (name: string, run: () => Promise<void>, cleanup = false): Step => ({ name, run, cleanup });

  it('goes on after a failure and still runs the cleanup', async () => {
    const ran: string[] = [];
    const results = await runSteps([
      step('first', async () => void ran.push('first')),
      step('second', async () => {
        throw new SmokeFailure('expected 200, got 500');
      }),
      step('third', async () => void ran.push('third')),
      step('erase', async () => void ran.push('erase'), true),
    ]);
    expect(ran).toEqual(['first', 'third', 'erase']);
    expect(results.map(resultLine)).toEqual(['ok first', 'FAIL second: expected 200, got 500', 'ok third', 'ok erase']);
  });

  it('turns an unexpected error into a FAIL line, not a crash', async () => {
    const results = await runSteps([
      step('broken', async () => {
        throw new TypeError("Cannot read properties of undefined (reading 'x')");
      }),
    ]);
    expect(resultLine(results[0]!)).toBe(
      "FAIL broken: unexpected error: TypeError: Cannot read properties of undefined (reading 'x')",
    );
  });

  it('after an interruption runs only the cleanup, reporting the rest as interrupted', async () => {
    const stop = new AbortController();
    const ran: string[] = [];
    const seen: string[] = [];
    const results = await runSteps(
      [
        step('put', async () => {
          ran.push('put');
          stop.abort();
        }),
        step('get', async () => void ran.push('get')),
        step('erase', async () => void ran.push('erase'), true),
      ],
      { stop: stop.signal, onResult: (r) => seen.push(resultLine(r)) },
    );
    expect(ran).toEqual(['put', 'erase']);
    expect(seen).toEqual(['ok put', 'FAIL get: interrupted', 'ok erase']);
    expect(results).toHaveLength(3);
  });
});

describe('an unexpected status', () => {
  const reply = (status: number, body: unknown) => ({
    status,
    headers: new Headers(),
    text: JSON.stringify(body),
    json: body,
  });

  it("is quoted with the problem's detail and, when a check makes several requests, the request", () => {
    const problem = reply(403, { status: 403, detail: 'the API key is not valid for this request' });
    expect(() => expectStatus(problem, 201)).toThrow(
      new SmokeFailure('expected 201, got 403 (the API key is not valid for this request)'),
    );
    expect(() => expectStatus(reply(502, 'Bad Gateway'), 200, 'GET /v1/triggers')).toThrow(
      new SmokeFailure('GET /v1/triggers: expected 200, got 502 ("Bad Gateway")'),
    );
    expect(() => expectStatus(problem, 403)).not.toThrow();
  });
});

describe('the HTTP client', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  const serve = async (handler: Parameters<typeof createServer>[1]) => {
    server = createServer(handler);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  };

  it('sends the key and JSON body and parses a JSON answer', async () => {
    const base = await serve((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ key: req.headers['x-api-key'], path: req.url, body: JSON.parse(body) }));
      });
    });
    const reply = await httpClient(base, 5_000)('PUT', '/v1/customers/smoke-1', { key: 'k', body: { a: 1 } });
    expect(reply.status).toBe(201);
    expect(reply.json).toEqual({ key: 'k', path: '/v1/customers/smoke-1', body: { a: 1 } });
  });

  it('fails with a one-line reason when nothing listens', async () => {
    const base = await serve(() => {});
    const closed = new URL(base);
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    const failure = await httpClient(closed, 5_000)('GET', '/v1/health').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(SmokeFailure);
    expect((failure as Error).message).toBe('network error: ECONNREFUSED');
  });

  it('gives up on a request that gets no answer within the timeout', async () => {
    const base = await serve(() => {}); // accepts and never answers
    const failure = await httpClient(base, 200)('GET', '/v1/health').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(SmokeFailure);
    expect((failure as Error).message).toBe('no answer within 0.2 s');
    server!.closeAllConnections();
  });
});
