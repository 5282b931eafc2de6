import { describe, expect, it } from 'vitest';
import { authorize } from './authorize.ts';
import { hashApiKey, type ApiKeyRecord } from '#domain/api-key.ts';
import { fixedClock } from '#domain/clock.ts';
import type { KeyStore } from '#domain/ports/keys.ts';

const records = new Map<string, ApiKeyRecord>([
  [hashApiKey('good'), { keyId: 'k1', tenant: 'acme', scope: 'channel', status: 'active' }],
  [hashApiKey('revoked'), { keyId: 'k2', tenant: 'acme', scope: 'admin', status: 'revoked' }],
  [
    hashApiKey('rotating'),
    { keyId: 'k3', tenant: 'acme', scope: 'admin', status: 'active', expiresAt: '2026-11-23T12:00:00Z' },
  ],
]);
const store: KeyStore = { find: async (h) => records.get(h), save: async () => {} };
const clock = fixedClock('2026-11-23T10:00:00Z');
const check = authorize({ keys: store, clock });

describe('authorize', () => {
  it('maps a known key to its tenant and scope, looked up by hash only', async () => {
    await expect(check('good')).resolves.toEqual({
      allowed: true,
      caller: { tenant: 'acme', scope: 'channel', keyId: 'k1' },
    });
  });

  it('refuses a missing key as no key, and an unknown, revoked or overlong one as not valid', async () => {
    const noKey = { allowed: false, refused: 'no-key' };
    const invalidKey = { allowed: false, refused: 'invalid-key' };
    await expect(check(undefined)).resolves.toEqual(noKey);
    await expect(check('  ')).resolves.toEqual(noKey);
    await expect(check('nope')).resolves.toEqual(invalidKey);
    await expect(check('revoked')).resolves.toEqual(invalidKey);
    await expect(check('k'.repeat(257))).resolves.toEqual(invalidKey);
  });

  it('keeps a rotated-out key working until its overlap window ends', async () => {
    await expect(check('rotating')).resolves.toMatchObject({ caller: { keyId: 'k3' } });
    clock.set('2026-11-23T12:00:01Z');
    await expect(check('rotating')).resolves.toEqual({ allowed: false, refused: 'invalid-key' });
  });
});
