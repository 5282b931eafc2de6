import { hashApiKey, keyIsUsable, type Caller } from '#domain/api-key.ts';
import type { Clock } from '#domain/clock.ts';
import { ForbiddenError, UnauthenticatedError } from '#domain/errors.ts';
import type { KeyStore } from '#domain/ports/keys.ts';

/**
 * Maps a presented API key to its tenant and scope. Missing -> 401; unknown, revoked or
 * expired -> 403. Route scope is checked by the API function, which knows the route.
 */
export const authorize =
  (ports: { keys: KeyStore; clock: Clock }) =>
  async (presentedKey: string | undefined): Promise<Caller> => {
    const key = presentedKey?.trim();
    if (!key) throw new UnauthenticatedError('an API key is required (x-api-key)');
    if (key.length > 256) throw new ForbiddenError('the API key is not valid');
    const record = await ports.keys.find(hashApiKey(key));
    if (!keyIsUsable(record, ports.clock.now())) throw new ForbiddenError('the API key is not valid');
    return { tenant: record.tenant, scope: record.scope, keyId: record.keyId };
  };
