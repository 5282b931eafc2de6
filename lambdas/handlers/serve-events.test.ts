import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { localQueues } from '#adapters/local/local-event-queue.ts';
import type { Caller } from '#domain/api-key.ts';
import { invoker, type Invoke } from '../test-support/api-event.ts';
import { testTables } from '../test-support/dynamo.ts';

let call: Invoke;
const sent: Record<string, string[]> = { acme: [], globex: [] };
const acmeChannel: Caller = { tenant: 'acme', scope: 'channel', keyId: 'acme-channel' };
const acmeAdmin: Caller = { tenant: 'acme', scope: 'admin', keyId: 'acme-admin' };
const globexAdmin: Caller = { tenant: 'globex', scope: 'admin', keyId: 'globex-admin' };
const NOW = '2026-03-02T10:00:00.000Z';

beforeAll(async () => {
  const t = await testTables();
  Object.assign(process.env, t.env, { CVM_LOCAL_DIR: mkdtempSync(join(tmpdir(), 'cvm-events-api-')), CVM_NOW: NOW });
  for (const tenant of ['acme', 'globex'])
    localQueues.set(tenant, { sendBatch: async (bodies) => void sent[tenant]!.push(...bodies) });
  call = invoker((await import('./serve-events.ts')).handler as never);
});
beforeEach(() => {
  sent['acme']!.length = 0;
  sent['globex']!.length = 0;
});

const dropped = (i: number) => ({
  eventId: `e-${i}`,
  customerId: 'c-1',
  type: 'network.call_dropped',
  occurredAt: '2026-03-02T09:00:00Z',
  data: { cellId: 'cell-9' },
});
const post = (body: unknown, caller: Caller = acmeChannel) =>
  call({ method: 'POST', path: '/v1/events', body, caller });

describe('POST /v1/events', () => {
  it("queues valid events on the tenant's own queue and answers 202 with the count", async () => {
    const res = await post({ events: [dropped(1), dropped(2)] });
    expect(res.status).toBe(202);
    expect(res.json).toEqual({ accepted: 2, rejected: [] });
    expect(sent['acme']!.map((b) => JSON.parse(b))).toEqual([
      { tenant: 'acme', event: dropped(1) },
      { tenant: 'acme', event: dropped(2) },
    ]);
    expect(sent['globex']).toEqual([]);
  });

  it('rejects each invalid event by index, naming its fields, and queues the rest', async () => {
    const res = await post({
      events: [
        dropped(3),
        { ...dropped(4), type: 'survey.nps', data: { score: 11 } },
        { ...dropped(5), type: 'teleport' },
        { ...dropped(6), data: { cellId: 'x', colour: 'red' } },
        { ...dropped(7), occurredAt: 'yesterday' },
        { ...dropped(8), occurredAt: '2026-03-05T09:00:00Z' },
        'not an event',
      ],
    });
    expect(res.status).toBe(202);
    expect(res.json.accepted).toBe(1);
    expect(res.json.rejected).toEqual([
      { index: 1, eventId: 'e-4', errors: [{ field: 'data.score', message: expect.any(String) }] },
      { index: 2, eventId: 'e-5', errors: [{ field: 'type', message: expect.any(String) }] },
      { index: 3, eventId: 'e-6', errors: [{ field: 'data.colour', message: 'unknown field' }] },
      { index: 4, eventId: 'e-7', errors: [{ field: 'occurredAt', message: expect.any(String) }] },
      { index: 5, eventId: 'e-8', errors: [{ field: 'occurredAt', message: 'lies in the future' }] },
      { index: 6, errors: [{ field: '(body)', message: expect.any(String) }] },
    ]);
    expect(sent['acme']).toHaveLength(1);
  });

  it('rejects events dated before events.minOccurredAt (2000-01-01 by default) one by one, and queues the rest', async () => {
    const res = await post({
      events: [
        { ...dropped(20), occurredAt: '0000-01-01T00:00:00Z' },
        { ...dropped(21), occurredAt: '1900-01-01T00:00:00Z' },
        { ...dropped(22), occurredAt: '1999-12-31T23:59:59.999Z' },
        { ...dropped(23), occurredAt: '2000-01-01T00:00:00Z' },
        { ...dropped(24), occurredAt: '2000-01-01T01:59:59+02:00' },
      ],
    });
    expect(res.status).toBe(202);
    const before = { field: 'occurredAt', message: 'lies before 2000-01-01T00:00:00.000Z (events.minOccurredAt)' };
    expect(res.json).toEqual({
      accepted: 1,
      rejected: [
        { index: 0, eventId: 'e-20', errors: [before] },
        { index: 1, eventId: 'e-21', errors: [before] },
        { index: 2, eventId: 'e-22', errors: [before] },
        { index: 4, eventId: 'e-24', errors: [before] },
      ],
    });
    expect(sent['acme']!.map((b) => JSON.parse(b).event.eventId)).toEqual(['e-23']);
  });

  it.each([
    ['malformed JSON', { rawBody: '{"events": [' }, 400],
    ['no events', { body: { events: [] } }, 400],
    ['no events field', { body: { items: [dropped(1)] } }, 400],
    ['more than 500 events', { body: { events: Array.from({ length: 501 }, (_, i) => dropped(i)) } }, 400],
    ['a body over 1 MB', { body: { events: [{ ...dropped(1), data: { cellId: 'x'.repeat(1_100_000) } }] } }, 413],
  ] as const)('answers %s with problem+json and queues nothing', async (_name, spec, status) => {
    const res = await call({ method: 'POST', path: '/v1/events', caller: acmeChannel, ...spec });
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(sent['acme']).toEqual([]);
  });

  it('needs a key (401)', async () => {
    expect((await call({ method: 'POST', path: '/v1/events', body: { events: [dropped(1)] } })).status).toBe(401);
  });
});

describe('triggers', () => {
  const trigger = {
    eventType: 'network.call_dropped',
    condition: { '>=': [{ var: 'state.droppedCalls24h' }, 3] },
    actionId: 'care-health-check-call',
    channel: 'call-centre',
    cooldownHours: 24,
    priority: 10,
    enabled: true,
  };

  it('creates (201), replaces (200), reads, lists and deletes a trigger with the admin key', async () => {
    const created = await call({ method: 'PUT', path: '/v1/triggers/t-1', body: trigger, caller: acmeAdmin });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({
      triggerId: 't-1',
      ...trigger,
      version: 1,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(
      (await call({ method: 'PUT', path: '/v1/triggers/t-1', body: { ...trigger, priority: 20 }, caller: acmeAdmin }))
        .status,
    ).toBe(200);
    expect((await call({ method: 'GET', path: '/v1/triggers/t-1', caller: acmeAdmin })).json.priority).toBe(20);
    expect(
      (await call({ method: 'GET', path: '/v1/triggers', caller: acmeAdmin })).json.items.map(
        (t: { triggerId: string }) => t.triggerId,
      ),
    ).toEqual(['t-1']);
    expect((await call({ method: 'GET', path: '/v1/triggers', caller: globexAdmin })).json.items).toEqual([]);
    expect((await call({ method: 'GET', path: '/v1/triggers/t-1', caller: globexAdmin })).status).toBe(404);
    expect((await call({ method: 'DELETE', path: '/v1/triggers/t-1', caller: acmeAdmin })).status).toBe(204);
    expect((await call({ method: 'GET', path: '/v1/triggers/t-1', caller: acmeAdmin })).status).toBe(404);
    expect((await call({ method: 'DELETE', path: '/v1/triggers/t-1', caller: acmeAdmin })).status).toBe(404);
  });

  it('refuses a channel key (403), a bad condition and unknown fields (400)', async () => {
    expect((await call({ method: 'PUT', path: '/v1/triggers/t-2', body: trigger, caller: acmeChannel })).status).toBe(
      403,
    );
    const bad = await call({
      method: 'PUT',
      path: '/v1/triggers/t-2',
      body: { ...trigger, condition: { nope: [1] }, colour: 1 },
      caller: acmeAdmin,
    });
    expect(bad.status).toBe(400);
    expect(bad.json.errors.map((e: { field: string }) => e.field).sort()).toEqual(['colour', 'condition']);
  });
});
