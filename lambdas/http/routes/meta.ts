import { route } from '../route-spec.ts';
import * as z from 'zod';

const Health = z.object({ status: z.literal('ok') }).meta({ id: 'Health' });
const OpenApiDocument = z
  .looseObject({
    openapi: z.string(),
    info: z.looseObject({ title: z.string(), version: z.string() }),
    paths: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'OpenApiDocument', description: 'An OpenAPI 3.1 document: this one' });

export const META_ROUTES = [
  route({
    id: 'health',
    method: 'GET',
    path: '/v1/health',
    fn: 'meta',
    scope: 'public',
    tag: 'meta',
    description:
      'Answers `{"status":"ok"}` without a key when the API and its functions are reachable; a load balancer or uptime probe can call it. It reads no tenant data.',
    summary: 'Liveness',
    responses: { 200: { description: 'The API is up', schema: Health } },
    errors: [],
  }),
  route({
    id: 'openapi',
    method: 'GET',
    path: '/v1/openapi.json',
    fn: 'meta',
    scope: 'public',
    tag: 'meta',
    description:
      "This document, generated from the same zod schemas that validate requests; served without a key. Generate a client from it: the repository's own typed client is generated from it and compiled in CI.",
    summary: 'This API as OpenAPI 3',
    responses: { 200: { description: 'The OpenAPI document', schema: OpenApiDocument } },
    errors: [],
  }),
];
