import { OpenAPIRegistry, OpenApiGeneratorV31, zodToOpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { acceptedMediaTypes } from './media-types.ts';
import { IDEMPOTENCY_KEY } from '#domain/idempotency.ts';
import * as z from 'zod';
import { ProblemSchema } from './schemas/common.ts';
import { ChannelConnectionCreated, ChannelConnectionSchema } from './schemas/channels.ts';
import { eventSchema } from './schemas/events.ts';
import { OutboundMessageSchema, WebhookMessageSchema } from './schemas/outbound.ts';
import { ALLOW, IDEMPOTENT_REPLAYED, RETRY_AFTER } from './schemas/headers.ts';
import { API_TAGS, ROUTES, type ResponseHeader, type RouteResponse, type RouteSpec } from './routes.ts';
import { WEBHOOKS } from './webhooks.ts';

const ERROR_TEXT: Record<number, string> = {
  400:
    'Invalid JSON, schema or parameter; `errors[]` names each field. Also a body that is not UTF-8 (invalid bytes, ' +
    'a lone surrogate raw or as a `\\ud800` escape, a byte order mark), a key `__proto__`, `constructor` or ' +
    '`prototype` anywhere in it, and a path id outside the id rule (dots only, an encoded slash)',
  401: 'No API key',
  403: 'Unknown, revoked or out-of-scope API key',
  404: "Not found (also for another tenant's resources)",
  405: 'Method not allowed on this path',
  409: 'Conflict (for an Idempotency-Key: its first request is still being answered; retry after Retry-After seconds)',
  422: 'The Idempotency-Key was first used with another body',
  412:
    'If-Match (RFC 9110) does not hold: none of its entity tags matches the current ETag by strong comparison ' +
    '(a weak tag `W/"3"` never does), or it is `*` and the resource does not exist; nothing is written',
  413: 'Body too large',
  415: 'The body is not `application/json` (with or without `charset=utf-8`; for PATCH also `application/merge-patch+json`), or names no media type',
  429: 'Throttled',
  503: 'A dependency is unavailable; retry after Retry-After seconds',
};

const IdempotencyHeader = z.object({
  'Idempotency-Key': z.string().regex(IDEMPOTENCY_KEY).optional().meta({
    description:
      'Makes a retry safe: the same key (per tenant, method and path) with the same body within 24 h replays the first answer, 2xx or 4xx, with `Idempotent-Replayed: true` and no second effect; with another body 422; while the first is still being answered 409 with Retry-After. 1-255 visible ASCII characters.',
  }),
});

/** Headers the pipeline and the gateway put on a problem answer, whatever the route. */
function problemHeaders(status: number, route: RouteSpec): Record<string, ResponseHeader> | undefined {
  if (status === 405) return { Allow: ALLOW };
  if (status === 429 || status === 503) return { 'Retry-After': RETRY_AFTER };
  // only the in-flight case of an Idempotency-Key carries it; other 409s of the route do not
  if (status === 409 && route.idempotent) return { 'Retry-After': RETRY_AFTER };
  return undefined;
}

/** The route's own answer: its headers (and Idempotent-Replayed on an idempotent route), JSON and any text media. */
function successResponse(route: RouteSpec, r: RouteResponse) {
  const headers: Record<string, ResponseHeader> = {
    ...r.headers,
    ...(route.idempotent ? { 'Idempotent-Replayed': IDEMPOTENT_REPLAYED } : {}),
  };
  const content = {
    ...(r.schema ? { 'application/json': { schema: r.schema } } : {}),
    ...Object.fromEntries((r.textMedia ?? []).map((type) => [type, { schema: { type: 'string' as const } }])),
  };
  return {
    description: r.description,
    ...(Object.keys(headers).length ? { headers } : {}),
    ...(Object.keys(content).length ? { content } : {}),
  };
}

function register(registry: OpenAPIRegistry, route: RouteSpec) {
  const problems = Object.fromEntries(
    [
      ...new Set([
        ...route.errors,
        ...(route.body ? [415] : []),
        ...(route.idempotent ? [409, 422] : []),
        405,
        429,
        503,
      ]),
    ].map((status) => [
      status,
      {
        description: ERROR_TEXT[status] ?? 'Error',
        ...(problemHeaders(status, route) ? { headers: problemHeaders(status, route) } : {}),
        content: { 'application/problem+json': { schema: ProblemSchema } },
      },
    ]),
  );
  registry.registerPath({
    method: route.method.toLowerCase() as 'get',
    path: route.path,
    operationId: route.id,
    tags: [route.tag],
    summary: route.summary,
    description: route.description,
    ...(route.scope === 'public' ? { security: [] } : {}),
    request: {
      ...(route.params ? { params: route.params } : {}),
      ...(route.query ? { query: route.query } : {}),
      ...(route.headers || route.idempotent
        ? {
            headers: route.idempotent ? (route.headers ?? z.object({})).extend(IdempotencyHeader.shape) : route.headers,
          }
        : {}),
      ...(route.body
        ? {
            body: {
              required: true,
              content: Object.fromEntries(
                acceptedMediaTypes(route.method).map((type) => [type, { schema: route.body! }]),
              ),
            },
          }
        : {}),
    },
    responses: {
      ...Object.fromEntries(Object.entries(route.responses).map(([status, r]) => [status, successResponse(route, r)])),
      ...problems,
    },
  });
}

/**
 * Schemas that are another named schema `.extend`ed: documented as `allOf` [the parent's `$ref`, the
 * added fields], as zod-to-openapi does for `.openapi()`-named parents. The schemas name themselves
 * with zod's own `.meta({ id })`, so that validation never loads zod-to-openapi; only this module
 * knows the parent, and tells the generator here.
 */
const EXTENSIONS: [child: z.ZodObject, parent: z.ZodObject][] = [
  [WebhookMessageSchema, OutboundMessageSchema],
  [ChannelConnectionCreated, ChannelConnectionSchema],
];

function declareExtensions() {
  for (const [child, parent] of EXTENSIONS) {
    // like `.openapi()`'s extend, the child inherits the parent's other metadata (its description)
    const { id: refId, ...inherited } = parent.meta() ?? {};
    if (typeof refId !== 'string') throw new Error('an extended schema must be named with .meta({ id })');
    zodToOpenAPIRegistry.add(child, { ...inherited, _internal: { extendedFrom: { refId, schema: parent } } });
  }
}

let doc: object | undefined;
/** Generated from the same zod schemas that validate requests. */
export function openApiDocument(): object {
  if (doc) return doc;
  declareExtensions();
  const security = new OpenAPIRegistry();
  security.registerComponent('securitySchemes', 'apiKey', { type: 'apiKey', in: 'header', name: 'x-api-key' });
  const registry = new OpenAPIRegistry();
  for (const route of ROUTES) register(registry, route);
  for (const webhook of WEBHOOKS) registry.registerWebhook(webhook);
  const definitions = [
    ...security.definitions,
    // EventsBody validates each event on its own (one bad event rejects only itself), so it refers to
    // the documented Event union by name rather than embedding it: the union (named by its .meta id)
    // is a component of its own
    { type: 'schema' as const, schema: eventSchema() },
    ...registry.definitions,
  ];
  doc = new OpenApiGeneratorV31(definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'telco-cvm API',
      version: '1.0.0',
      description:
        'Customer Value Management for mobile operators: customer profiles and state, events, real-time triggers, ' +
        'next-best-action decisions, campaigns with control groups, reports and channel delivery. Every request ' +
        "but health and this document carries its tenant's key in `x-api-key`; errors are `application/problem+json`.",
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      contact: { name: 'telco-cvm maintainers', url: 'https://telco-cvm.dev' },
    },
    servers: [
      {
        url: 'https://{restApiId}.execute-api.{region}.amazonaws.com/live',
        description: "A deployed market and stage: the stack's ApiUrl output (API Gateway stage `live`)",
        variables: {
          restApiId: { default: 'restApiId', description: "The REST API's id, in the stack's ApiUrl output" },
          region: { default: 'af-south-1', description: "The market's AWS region" },
        },
      },
      { url: 'http://localhost:3000', description: 'The local runtime (`npm start`)' },
    ],
    tags: Object.entries(API_TAGS).map(([name, description]) => ({ name, description })),
    security: [{ apiKey: [] }],
  });
  return doc;
}
