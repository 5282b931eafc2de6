import { createAudience, getAudience } from '#app/audiences.ts';
import { httpHandler } from '#http/http-handler.ts';
import { AUDIENCE_ROUTES } from '#http/routes/audiences.ts';
import { audienceApiPortsFor } from '#composition/audiences.ts';
import { platformEnv } from '#composition/platform-env.ts';

const ports = audienceApiPortsFor(platformEnv());
const useCases = { create: createAudience(ports), get: getAudience(ports) };

/**
 * /v1/audiences: an upload URL for a new audience, then its import and progress (admin keys). A
 * function of its own: the S3 client and the bucket rights stay out of the campaigns function.
 */
export const handler = httpHandler(AUDIENCE_ROUTES, {
  createAudience: async (req) => ({
    status: 201,
    body: await useCases.create(req.caller.tenant, { keyId: req.caller.keyId }),
  }),
  getAudience: async (req) => ({
    status: 200,
    body: await useCases.get(req.caller.tenant, req.params.audienceId),
  }),
});
