import { beforeAll, describe, expect, it } from 'vitest';
import { keyAdmin } from '#app/keys.ts';
import { authorize } from '#app/authorize.ts';
import { fixedClock } from '#domain/clock.ts';
import { hashApiKey } from '#domain/api-key.ts';
import { testTables, type TestTables } from '../../test-support/dynamo.ts';
import { documentClient } from './client.ts';
import { DynamoKeyStore } from './key-store.ts';

let t: TestTables;
let store: DynamoKeyStore;
beforeAll(async () => {
  t = await testTables();
  store = new DynamoKeyStore(documentClient({ endpoint: t.endpoint }), t.keysTable);
});

describe('the DynamoDB key store', () => {
  it("lists one tenant's keys by hash, and none of another tenant's", async () => {
    const acme = await store.list('acme');
    expect(acme.map((k) => k.record.keyId).sort()).toEqual(['acme-admin', 'acme-channel']);
    expect(acme.find((k) => k.record.scope === 'admin')?.keyHash).toBe(hashApiKey(t.keys['acme']!.admin));
  });

  it('rotates against the table with an overlap in which both keys authorize', async () => {
    const clock = fixedClock('2026-11-23T10:00:00Z');
    const admin = keyAdmin({ keys: store, clock });
    const { created, expiring } = await admin.rotate('globex', { scope: 'channel', overlapHours: 24 });
    expect(expiring).toEqual([{ keyId: 'globex-channel', expiresAt: '2026-11-24T10:00:00.000Z' }]);
    const check = authorize({ keys: store, clock });
    await expect(check(t.keys['globex']!.channel)).resolves.toMatchObject({ caller: { keyId: 'globex-channel' } });
    await expect(check(created.apiKey)).resolves.toMatchObject({ caller: { tenant: 'globex', scope: 'channel' } });
    clock.advance(25 * 3_600_000);
    await expect(check(t.keys['globex']!.channel)).resolves.toEqual({ allowed: false, refused: 'invalid-key' });
  });
});
