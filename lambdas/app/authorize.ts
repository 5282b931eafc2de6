import { hashApiKey, keyIsUsable, type Caller } from '#domain/api-key.ts';
import type { Clock } from '#domain/clock.ts';
import type { KeyStore } from '#domain/ports/keys.ts';

/**
 * What a presented API key earns: its caller, or why not. A refusal is an answer, not a fault,
 * so it is returned; the edge that asked says it in its own terms (the authorizer: 401 for no key,
 * 403 for one that is not valid).
 */
export type KeyVerdict = { allowed: true; caller: Caller } | { allowed: false; refused: 'no-key' | 'invalid-key' };

// longer than any key the platform issues: refused before it is hashed and looked up
const MAX_KEY_LENGTH = 256;

/**
 * Maps a presented API key to its tenant and scope: none presented, or one unknown, revoked or
 * expired, is refused. Route scope is checked by the API function, which knows the route.
 */
export const authorize =
  (ports: { keys: KeyStore; clock: Clock }) =>
  async (presentedKey: string | undefined): Promise<KeyVerdict> => {
    const key = presentedKey?.trim();
    if (!key) return { allowed: false, refused: 'no-key' };
    if (key.length > MAX_KEY_LENGTH) return { allowed: false, refused: 'invalid-key' };
    const record = await ports.keys.find(hashApiKey(key));
    if (!keyIsUsable(record, ports.clock.now())) return { allowed: false, refused: 'invalid-key' };
    return { allowed: true, caller: { tenant: record.tenant, scope: record.scope, keyId: record.keyId } };
  };
