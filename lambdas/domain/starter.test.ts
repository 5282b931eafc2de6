import { describe, expect, it } from 'vitest';
import { canonicalJson, contentHash, initialAdminKeyId, isInitialAdminKeyId, seedStep } from './starter.ts';

const item = { id: 'a', value: 1, rule: { and: [true, { var: 'x' }] } };
const seeded = (content: unknown, hash = contentHash(content)) => ({
  item: content,
  seed: { managedBy: 'seed' as const, seedHash: hash },
});

describe('the content hash', () => {
  it('does not depend on the order of object keys, nor on undefined fields', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 2], c: undefined } })).toBe('{"a":{"d":[1,2]},"b":1}');
    expect(contentHash({ value: 1, id: 'a' })).toBe(contentHash({ id: 'a', value: 1, gone: undefined }));
  });

  it('changes when a value or the order of a list changes', () => {
    expect(contentHash({ l: [1, 2] })).not.toBe(contentHash({ l: [2, 1] }));
    expect(contentHash({ v: 1 })).not.toBe(contentHash({ v: '1' }));
  });
});

describe('what the seeder does with one item', () => {
  it('creates an item that is absent and was never seeded', () => {
    expect(seedStep(contentHash(item), undefined, false)).toEqual({ write: 'create' });
  });

  it('does not create again an item the tenant deleted', () => {
    expect(seedStep(contentHash(item), undefined, true)).toEqual({ skip: 'tenant-deleted' });
  });

  it('leaves its own unchanged item alone, and updates it when the config changed', () => {
    expect(seedStep(contentHash(item), seeded(item), true)).toEqual({ skip: 'unchanged' });
    const next = { ...item, value: 2 };
    expect(seedStep(contentHash(next), seeded(item), true)).toEqual({ write: 'update', expected: contentHash(item) });
  });

  it("treats an item without the seed mark, or whose content is not what the mark says, as the tenant's", () => {
    expect(seedStep(contentHash(item), { item }, true)).toEqual({ skip: 'tenant-owned' });
    expect(seedStep(contentHash(item), seeded({ ...item, value: 5 }, contentHash(item)), true)).toEqual({
      skip: 'tenant-owned',
    });
  });
});

describe('initial admin key ids', () => {
  it("name the tenant and are told apart from a tenant's other keys", () => {
    expect(isInitialAdminKeyId('acme', initialAdminKeyId('acme', '1a2b3c4d'))).toBe(true);
    expect(isInitialAdminKeyId('acme', 'acme-admin-1a2b3c4d')).toBe(false);
    expect(isInitialAdminKeyId('acme', initialAdminKeyId('globex', '1a2b3c4d'))).toBe(false);
  });
});
