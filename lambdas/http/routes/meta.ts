import type { RouteSpec } from '../route-spec.ts';

export const META_ROUTES: RouteSpec[] = [
  {
    id: 'health',
    method: 'GET',
    path: '/v1/health',
    fn: 'meta',
    scope: 'public',
    summary: 'Liveness',
    responses: { 200: { description: 'The API is up' } },
    errors: [],
  },
  {
    id: 'openapi',
    method: 'GET',
    path: '/v1/openapi.json',
    fn: 'meta',
    scope: 'public',
    summary: 'This API as OpenAPI 3',
    responses: { 200: { description: 'The OpenAPI document' } },
    errors: [],
  },
];
