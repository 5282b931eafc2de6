import { describe, expect, it } from 'vitest';
import { resolveRoute, ROUTES } from './routes.ts';
import { openApiDocument } from './openapi.ts';

describe('the route table', () => {
  it('resolves a path with its decoded parameters', () => {
    const r = resolveRoute(ROUTES, 'GET', '/v1/customers/a%3Ab');
    expect(r).toMatchObject({ kind: 'match', match: { route: { id: 'getCustomer' }, params: { customerId: 'a:b' } } });
  });

  it('tells a wrong method (405, with what is allowed) from an unknown path (404)', () => {
    expect(resolveRoute(ROUTES, 'POST', '/v1/customers/x')).toEqual({
      kind: 'method-not-allowed',
      allowed: ['PUT', 'PATCH', 'GET', 'DELETE'],
    });
    expect(resolveRoute(ROUTES, 'GET', '/v1/customers/x/y/z')).toEqual({ kind: 'not-found' });
    expect(resolveRoute(ROUTES, 'GET', '/v1/customersx')).toEqual({ kind: 'not-found' });
  });

  it('gives every route a unique id and documents each in OpenAPI with its problems', () => {
    expect(new Set(ROUTES.map((r) => r.id)).size).toBe(ROUTES.length);
    const doc = openApiDocument() as {
      paths: Record<
        string,
        Record<string, { operationId: string; responses: Record<string, { content?: Record<string, unknown> }> }>
      >;
    };
    for (const route of ROUTES) {
      const op = doc.paths[route.path]?.[route.method.toLowerCase()];
      expect(op?.operationId).toBe(route.id);
      for (const status of route.errors)
        expect(op?.responses[String(status)]?.content).toHaveProperty(['application/problem+json']);
    }
  });

  it('documents 415 and the media types it takes on every route with a body, and only there', () => {
    const doc = openApiDocument() as {
      paths: Record<string, Record<string, { requestBody?: { content: object }; responses: Record<string, object> }>>;
    };
    for (const route of ROUTES) {
      const op = doc.paths[route.path]![route.method.toLowerCase()]!;
      expect(Boolean(op.responses['415']), route.id).toBe(Boolean(route.body));
      if (route.body)
        expect(Object.keys(op.requestBody!.content), route.id).toEqual(
          route.method === 'PATCH' ? ['application/json', 'application/merge-patch+json'] : ['application/json'],
        );
    }
  });
});
