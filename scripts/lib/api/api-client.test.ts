import { describe, expect, it } from 'vitest';
import { apiClient, endpoint, expectAnswer, type SendOptions, type Transport, UnexpectedAnswer } from './api-client.ts';

/** A transport that records what it was asked and answers `reply`. */
function recording(reply: { status: number; json?: unknown } = { status: 200 }) {
  const sent: { method: string; path: string; options: SendOptions | undefined }[] = [];
  const transport: Transport = async (method, path, options) => {
    sent.push({ method, path, options });
    return { status: reply.status, headers: new Headers(), text: JSON.stringify(reply.json ?? null), json: reply.json };
  };
  return { sent, transport };
}

describe('the typed API client', () => {
  it('fills and encodes path parameters, writes the query and sends the body with the key', async () => {
    const { sent, transport } = recording({ status: 201, json: { customerId: 'a:b' } });
    const api = apiClient(transport, { key: 'admin' });
    await api.put('/v1/customers/{customerId}', {
      path: { customerId: 'a:b/c' },
      headers: { 'If-Match': '"1"' },
      body: { segment: 'youth' },
    });
    await api.get('/v1/reports/{name}', { path: { name: 'kpis' }, query: { format: 'csv', from: undefined } });
    expect(sent).toEqual([
      {
        method: 'PUT',
        path: '/v1/customers/a%3Ab%2Fc',
        options: { key: 'admin', body: { segment: 'youth' }, headers: { 'If-Match': '"1"' } },
      },
      { method: 'GET', path: '/v1/reports/kpis?format=csv', options: { key: 'admin', headers: {} } },
    ]);
  });

  it('sends another key, or none, when a request says so, and the Accept it asks for', async () => {
    const { sent, transport } = recording();
    const api = apiClient(transport, { key: 'admin' });
    await api.get('/v1/health', { key: null });
    await api.get('/v1/actions', { key: 'channel', accept: 'text/csv' });
    expect(sent.map((s) => s.options)).toEqual([{ headers: {} }, { key: 'channel', headers: { accept: 'text/csv' } }]);
  });

  it('narrows a reply to the documented answer of the status it expects, or throws saying what came', async () => {
    const { transport } = recording({ status: 404, json: { status: 404, detail: 'no such customer' } });
    const reply = await apiClient(transport).get('/v1/customers/{customerId}', { path: { customerId: 'x' } });
    expect(() => expectAnswer(reply, 200)).toThrow(UnexpectedAnswer);
    expect(expectAnswer(reply, 404).json.detail).toBe('no such customer');
  });

  it('is checked by tsc against the document: unknown paths, fields and parameters do not compile', () => {
    const api = apiClient(recording().transport);
    const never = () => {
      // @ts-expect-error no such path in the document
      void api.get('/v1/nowhere');
      // @ts-expect-error the path parameter is required
      void api.get('/v1/customers/{customerId}');
      // @ts-expect-error a field the document does not have
      void api.post('/v1/decisions', { body: { customerId: 'x', channel: 'app', colour: 'red' } });
      // @ts-expect-error POST /v1/events requires its body
      void api.post('/v1/events', {});
    };
    expect(typeof never).toBe('function');
  });
});

describe('the endpoint of a path', () => {
  it("keeps a deployed API's stage path and carries the query", () => {
    const stage = new URL('https://abc123.execute-api.af-south-1.amazonaws.com/live/');
    expect(endpoint(stage, '/v1/audit?month=2026-03')).toBe(
      'https://abc123.execute-api.af-south-1.amazonaws.com/live/v1/audit?month=2026-03',
    );
    expect(endpoint(new URL('http://localhost:3000/?x=1#y'), '/v1/health')).toBe('http://localhost:3000/v1/health');
  });
});
