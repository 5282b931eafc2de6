import { timingSafeEqual } from 'node:crypto';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { problem, problemResult } from '#http/problem.ts';
import { LOCAL_ADMIN_TOKEN_HEADER, LOCAL_AUTHORIZER_CACHE_PATH } from '#adapters/local/local-authorizer-cache.ts';
import type { LocalRequest } from './api-gateway.ts';

export { LOCAL_ADMIN_TOKEN_HEADER };

const sameToken = (given: string | undefined, token: string) =>
  given !== undefined && given.length === token.length && timingSafeEqual(Buffer.from(given), Buffer.from(token));

/**
 * The local runtime's own admin route, beside the API (not part of it): `DELETE
 * /local/authorizer-cache` with the token from `<dir>/runtime.json` (owner-only) flushes the
 * gateway's authorizer cache, so a key revoked with `npm run keys` is refused by the next request.
 * Answers undefined for every other path (the API's).
 */
export function localAdminRoute(token: string, gateway: { flushAuthorizerCache(): void }) {
  return (req: LocalRequest): Promise<APIGatewayProxyResult> | undefined => {
    if (req.path !== LOCAL_AUTHORIZER_CACHE_PATH) return undefined;
    if (req.method !== 'DELETE')
      return Promise.resolve(problemResult(problem('method-not-allowed', 'use DELETE'), { allow: 'DELETE' }));
    if (!sameToken(req.headers[LOCAL_ADMIN_TOKEN_HEADER], token))
      return Promise.resolve(problemResult(problem('forbidden', `the ${LOCAL_ADMIN_TOKEN_HEADER} token is not valid`)));
    gateway.flushAuthorizerCache();
    return Promise.resolve({ statusCode: 204, body: '' });
  };
}
