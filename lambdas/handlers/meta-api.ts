import { httpHandler } from '#http/pipeline.ts';
import { openApiDocument } from '#http/openapi.ts';

/** Health, the OpenAPI document, and the catch-all that answers every unknown path with 404. */
export const handler = httpHandler('meta', {
  health: async () => ({ status: 200, body: { status: 'ok' } }),
  openapi: async () => ({ status: 200, body: openApiDocument() }),
});
