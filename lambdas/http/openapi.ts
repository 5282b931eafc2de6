import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { ProblemSchema } from './schemas/common.ts';
import { ROUTES, type RouteSpec } from './routes.ts';
import { WEBHOOKS } from './webhooks.ts';

const ERROR_TEXT: Record<number, string> = {
  400: 'Invalid JSON, schema or parameter; `errors[]` names each field',
  401: 'No API key',
  403: 'Unknown, revoked or out-of-scope API key',
  404: "Not found (also for another tenant's resources)",
  405: 'Method not allowed on this path',
  409: 'Conflict',
  412: 'If-Match does not match the stored version',
  413: 'Body too large',
  429: 'Throttled',
  503: 'A dependency is unavailable; retry after Retry-After seconds',
};

function register(registry: OpenAPIRegistry, route: RouteSpec) {
  const problems = Object.fromEntries(
    [...new Set([...route.errors, 405, 429, 503])].map((status) => [
      status,
      {
        description: ERROR_TEXT[status] ?? 'Error',
        content: { 'application/problem+json': { schema: ProblemSchema } },
      },
    ]),
  );
  registry.registerPath({
    method: route.method.toLowerCase() as 'get',
    path: route.path,
    operationId: route.id,
    summary: route.summary,
    ...(route.scope === 'public' ? { security: [] } : {}),
    request: {
      ...(route.params ? { params: route.params } : {}),
      ...(route.query ? { query: route.query } : {}),
      ...(route.body ? { body: { content: { 'application/json': { schema: route.body } } } } : {}),
    },
    responses: {
      ...Object.fromEntries(
        Object.entries(route.responses).map(([status, r]) => [
          status,
          {
            description: r.description,
            ...(r.schema ? { content: { 'application/json': { schema: r.schema } } } : {}),
          },
        ]),
      ),
      ...problems,
    },
  });
}

let doc: object | undefined;
/** Generated from the same zod schemas that validate requests. */
export function openApiDocument(): object {
  if (doc) return doc;
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'apiKey', { type: 'apiKey', in: 'header', name: 'x-api-key' });
  for (const route of ROUTES) register(registry, route);
  for (const webhook of WEBHOOKS) registry.registerWebhook(webhook);
  doc = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: { title: 'telco-cvm API', version: '1.0.0', description: 'Customer Value Management for mobile operators' },
    security: [{ apiKey: [] }],
  });
  return doc;
}
