import { httpHandler } from '#http/http-handler.ts';
import { META_ROUTES } from '#http/routes/meta.ts';

/**
 * Health, the OpenAPI document, and the catch-all that answers every unknown path with 404. The
 * document's module (every route's schemas, built when it loads: most of this function's import
 * time) is loaded by the first request for it, not at each cold start of a health probe; esbuild
 * keeps it inside the one-file bundle.
 */
export const handler = httpHandler(META_ROUTES, {
  health: async () => ({ status: 200, body: { status: 'ok' } }),
  openapi: async () => ({ status: 200, body: (await import('#http/openapi.ts')).openApiDocument() }),
});
