import { describe, expect, it } from 'vitest';
import { STAGE_NAME } from '#config/api-stage.ts';
import { EVENT_TYPES } from '#domain/events.ts';
import { openApiDocument } from './openapi.ts';
import { API_TAGS, ROUTES } from './routes.ts';
import { validateEvents } from '#edge/events.ts';
import { EventsBody, eventSchemaName } from './schemas/events.ts';
import type { CampaignReportSchema } from './schemas/campaign.ts';
import type { CampaignReport } from '#domain/campaign/report.ts';
import type * as z from 'zod';

// tsc holds the documented campaign report to the domain's: a documented field the domain lacks or types otherwise fails
const _reportAsDocumented = (report: CampaignReport): z.infer<typeof CampaignReportSchema> => report;

interface Operation {
  operationId: string;
  tags?: string[];
  summary: string;
  description?: string;
  parameters?: { name: string; in: string }[];
  requestBody?: { required?: boolean };
  responses: Record<string, { headers?: Record<string, { schema: object }>; content?: Record<string, object> }>;
}
interface Schema {
  oneOf?: { $ref: string }[];
  discriminator?: { propertyName: string; mapping: Record<string, string> };
  properties?: Record<string, Schema & { items?: { $ref: string } }>;
  example?: unknown;
}
const doc = openApiDocument() as {
  info: { license?: { identifier?: string }; contact?: object };
  servers?: { url: string; variables?: Record<string, { default: string }> }[];
  tags?: { name: string; description: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
};
const operations = ROUTES.map((route) => ({ route, op: doc.paths[route.path]![route.method.toLowerCase()]! }));
const op = (id: string) => operations.find((o) => o.route.id === id)!.op;
const headersOf = (id: string, status: number) => Object.keys(op(id).responses[status]?.headers ?? {});

describe('the OpenAPI document', () => {
  it('names its servers (a deployed stage and npm start), licence and contact', () => {
    expect(doc.info.license?.identifier).toBe('Apache-2.0');
    expect(doc.info.contact).toBeDefined();
    const urls = doc.servers!.map((s) => s.url);
    expect(urls).toContain('http://localhost:3000');
    expect(urls).toContain(`https://{restApiId}.execute-api.{region}.amazonaws.com/${STAGE_NAME}`);
  });

  it('tags every operation with a declared area and describes it beyond its summary', () => {
    expect(doc.tags!.map((t) => t.name)).toEqual(Object.keys(API_TAGS));
    for (const { route, op } of operations) {
      expect(op.tags, route.id).toEqual([route.tag]);
      expect(op.description?.length, route.id).toBeGreaterThan(op.summary.length / 2);
      expect(op.description, route.id).not.toBe(op.summary);
      expect(op.requestBody?.required, route.id).toBe(route.body ? true : undefined);
    }
  });

  it('documents every event type as one member of a oneOf discriminated by type', () => {
    const event = doc.components.schemas['Event']!;
    expect(event.discriminator?.propertyName).toBe('type');
    expect(Object.keys(event.discriminator!.mapping).sort()).toEqual([...EVENT_TYPES].sort());
    expect(event.oneOf).toHaveLength(EVENT_TYPES.length);
    for (const type of EVENT_TYPES) {
      const ref = `#/components/schemas/${eventSchemaName(type)}`;
      expect(event.discriminator!.mapping[type]).toBe(ref);
      expect(doc.components.schemas[eventSchemaName(type)]?.properties?.['type']).toMatchObject({ enum: [type] });
    }
    const body = doc.components.schemas['EventsBody']!;
    expect(body.properties!['events']!.items).toEqual({ $ref: '#/components/schemas/Event' });
  });

  it('gives an EventsBody example that the API takes, every event of it valid', () => {
    const example = doc.components.schemas['EventsBody']!.example as { events: unknown[] };
    expect(EventsBody.safeParse(example).success).toBe(true);
    expect(validateEvents(example.events).rejected).toEqual([]);
  });

  it('still rejects events one by one: the body takes a bad event, which alone is rejected', () => {
    const good = (example: { events: unknown[] }) => example.events[0];
    const bad = { eventId: 'e-2', customerId: 'c', type: 'usage.voice', occurredAt: 'yesterday', data: {} };
    const body = { events: [good(doc.components.schemas['EventsBody']!.example as { events: unknown[] }), bad] };
    expect(EventsBody.safeParse(body).success).toBe(true);
    const { valid, rejected } = validateEvents(body.events);
    expect(valid.map((v) => v.index)).toEqual([0]);
    expect(rejected.map((r) => r.eventId)).toEqual(['e-2']);
  });

  it('declares the headers: ETag and If-Match on customers, Allow on 405, Retry-After on 429, 503 and idempotent 409', () => {
    expect(headersOf('getCustomer', 200)).toContain('ETag');
    expect(headersOf('putCustomer', 200)).toContain('ETag');
    expect(headersOf('putCustomer', 201)).toContain('ETag');
    expect(op('putCustomer').parameters).toContainEqual(expect.objectContaining({ name: 'If-Match', in: 'header' }));
    for (const { route } of operations) {
      expect(headersOf(route.id, 405), route.id).toEqual(['Allow']);
      expect(headersOf(route.id, 429), route.id).toEqual(['Retry-After']);
      expect(headersOf(route.id, 503), route.id).toEqual(['Retry-After']);
      if (route.idempotent) {
        expect(headersOf(route.id, 409), route.id).toEqual(['Retry-After']);
        expect(op(route.id).parameters).toContainEqual(expect.objectContaining({ name: 'Idempotency-Key' }));
      }
    }
  });

  it('lists the CSV and SVG answers of the reports and the CSV of a campaign report', () => {
    expect(Object.keys(op('getReport').responses[200]!.content!).sort()).toEqual(
      ['application/json', 'image/svg+xml', 'text/csv'].sort(),
    );
    expect(Object.keys(op('getCampaign').responses[200]!.content!).sort()).toEqual(['application/json', 'text/csv']);
  });
});
