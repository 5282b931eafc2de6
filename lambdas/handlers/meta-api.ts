import { httpHandler } from '#http/pipeline.ts';
import { META_ROUTES } from '#http/routes/meta.ts';
import { openApiDocument } from '#http/openapi.ts';

/** Health, the OpenAPI document, and the catch-all that answers every unknown path with 404. */
export const handler = httpHandler(META_ROUTES, {
  health: async () => ({ status: 200, body: { status: 'ok' } }),
  openapi: async () => ({ status: 200, body: openApiDocument() }),
});
