import { describe, expect, it } from 'vitest';
import { authorize } from './authorize.ts';
import { keyAdmin, type KeyChange } from './keys.ts';
import { hashApiKey } from '#domain/api-key.ts';
import { fixedClock } from '#domain/clock.ts';
import { NotFoundError } from '#domain/errors.ts';
import { memoryKeys } from '../test-support/memory-keys.ts';

function setup() {
  const keys = memoryKeys();
  const clock = fixedClock('2026-11-23T10:00:00Z');
  const changes: KeyChange[] = [];
  let n = 0;
  const admin = keyAdmin({
    keys,
    clock,
    newKey: (tenant, scope) => `raw-${tenant}-${scope}-${++n}`,
    newKeyId: (tenant, scope) => `${tenant}-${scope}-${n}`,
    onChange: async (c) => void changes.push(c),
  });
  return { keys, clock, admin, changes, check: authorize({ keys, clock }) };
}

describe('API key administration', () => {
  it('creates a key, returns it once and stores only its hash', async () => {
    const { keys, admin, check } = setup();
    const { apiKey, keyId } = await admin.create('consumer', 'channel');
    expect(apiKey).toBe('raw-consumer-channel-1');
    expect([...keys.byHash.keys()]).toEqual([hashApiKey(apiKey)]);
    expect(JSON.stringify([...keys.byHash.values()])).not.toContain(apiKey);
    await expect(check(apiKey)).resolves.toEqual({
      allowed: true,
      caller: { tenant: 'consumer', scope: 'channel', keyId },
    });
  });

  it('keeps old and new keys working through the overlap window, then only the new one', async () => {
    const { admin, clock, check } = setup();
    const old = await admin.create('consumer', 'admin');
    const { created, expiring } = await admin.rotate('consumer', { scope: 'admin', overlapHours: 24 });
    expect(expiring).toEqual([{ keyId: old.keyId, expiresAt: '2026-11-24T10:00:00.000Z' }]);
    clock.advance(23 * 3_600_000);
    await expect(check(old.apiKey)).resolves.toMatchObject({ caller: { keyId: old.keyId } });
    await expect(check(created.apiKey)).resolves.toMatchObject({ caller: { keyId: created.keyId } });
    clock.advance(2 * 3_600_000);
    await expect(check(old.apiKey)).resolves.toEqual({ allowed: false, refused: 'invalid-key' });
    await expect(check(created.apiKey)).resolves.toMatchObject({ caller: { keyId: created.keyId } });
  });

  it("rotates only the named scope, and never another tenant's keys", async () => {
    const { admin } = setup();
    await admin.create('consumer', 'admin');
    const channel = await admin.create('consumer', 'channel');
    const other = await admin.create('enterprise', 'channel');
    const { expiring } = await admin.rotate('consumer', { scope: 'channel', overlapHours: 1 });
    expect(expiring.map((e) => e.keyId)).toEqual([channel.keyId]);
    expect((await admin.list('enterprise')).find((k) => k.keyId === other.keyId)).toMatchObject({ usable: true });
    expect((await admin.list('enterprise')).find((k) => k.keyId === other.keyId)?.expiresAt).toBeUndefined();
  });

  it('does not lengthen the life of a key that already expires sooner', async () => {
    const { admin } = setup();
    await admin.create('consumer', 'admin');
    await admin.rotate('consumer', { scope: 'admin', overlapHours: 1 });
    const second = await admin.rotate('consumer', { scope: 'admin', overlapHours: 48 });
    expect(second.expiring.map((e) => e.expiresAt).sort()).toEqual([
      '2026-11-23T11:00:00.000Z',
      '2026-11-25T10:00:00.000Z',
    ]);
  });

  it('revokes a key at once and lists it as unusable', async () => {
    const { admin, check } = setup();
    const key = await admin.create('consumer', 'channel');
    await admin.revoke('consumer', key.keyId);
    await expect(check(key.apiKey)).resolves.toEqual({ allowed: false, refused: 'invalid-key' });
    expect(await admin.list('consumer')).toEqual([
      expect.objectContaining({ keyId: key.keyId, status: 'revoked', usable: false }),
    ]);
  });

  it('refuses to revoke or rotate a key the tenant does not have', async () => {
    const { admin } = setup();
    const other = await admin.create('enterprise', 'admin');
    await expect(admin.revoke('consumer', other.keyId)).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      admin.rotate('consumer', { scope: 'admin', overlapHours: 1, keyId: other.keyId }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('reports every change with before and after, never the key itself', async () => {
    const { admin, changes } = setup();
    const key = await admin.create('consumer', 'admin');
    await admin.rotate('consumer', { scope: 'admin', overlapHours: 2 });
    // the new key is reported created once it is active, after the old ones got their end
    expect(changes.map((c) => [c.what, c.keyId])).toEqual([
      ['key.created', key.keyId],
      ['key.rotated', key.keyId],
      ['key.created', 'consumer-admin-2'],
    ]);
    expect(changes[1]!.before?.expiresAt).toBeUndefined();
    expect(changes[1]!.after?.expiresAt).toBe('2026-11-23T12:00:00.000Z');
    expect(changes[2]!.after?.status).toBe('active');
    expect(JSON.stringify(changes)).not.toContain('raw-');
  });

  it('flushes the authorizer cache after a revocation or rotation, and says so when it cannot', async () => {
    const keys = memoryKeys();
    const clock = fixedClock('2026-11-23T10:00:00Z');
    let flushes = 0;
    let refuse = false;
    const admin = keyAdmin({
      keys,
      clock,
      authorizerCache: {
        flush: async () => {
          flushes++;
          if (refuse) throw new Error('AccessDeniedException');
          return 'flushed';
        },
      },
    });
    const key = await admin.create('consumer', 'channel');
    expect(flushes).toBe(0);
    expect((await admin.rotate('consumer', { scope: 'channel', overlapHours: 0 })).cache).toBe('flushed');
    refuse = true;
    expect((await admin.revoke('consumer', key.keyId)).cache).toEqual({ failed: 'AccessDeniedException' });
    expect(flushes).toBe(2);
    expect((await keyAdmin({ keys, clock }).revoke('consumer', key.keyId)).cache).toBe('not-configured');
  });

  it('never revives a key revoked while a rotation was expiring it', async () => {
    const { keys, admin, check } = setup();
    const key = await admin.create('consumer', 'channel');
    const replace = keys.replace;
    keys.replace = async (h, r, v) => {
      keys.replace = replace;
      await admin.revoke('consumer', key.keyId); // lands between the rotation's read and its write
      return replace(h, r, v);
    };
    await admin.rotate('consumer', { scope: 'channel', overlapHours: 24 });
    expect((await admin.list('consumer')).find((k) => k.keyId === key.keyId)?.status).toBe('revoked');
    await expect(check(key.apiKey)).resolves.toEqual({ allowed: false, refused: 'invalid-key' });
  });
});
