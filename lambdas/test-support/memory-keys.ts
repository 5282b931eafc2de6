import type { ApiKeyRecord } from '#domain/api-key.ts';
import type { KeyAdminStore } from '#domain/ports/keys.ts';

/** An in-memory key store: hashes to records with versions, conditional as the table is. */
export function memoryKeys(): KeyAdminStore & { byHash: Map<string, ApiKeyRecord> } {
  const byHash = new Map<string, ApiKeyRecord>();
  const versions = new Map<string, number>();
  const stored = (keyHash: string) => {
    const record = byHash.get(keyHash);
    return record ? { keyHash, record: { ...record }, version: versions.get(keyHash) ?? 0 } : undefined;
  };
  const write = (keyHash: string, record: ApiKeyRecord, version: number) => {
    byHash.set(keyHash, { ...record });
    versions.set(keyHash, version);
  };
  return {
    byHash,
    find: async (h) => stored(h)?.record,
    load: async (h) => stored(h),
    save: async (h, r) => write(h, r, 1),
    insert: async (h, r) => {
      if (byHash.has(h)) throw new Error(`key ${h} is already stored`);
      write(h, r, 1);
    },
    replace: async (h, r, version) => {
      if (!byHash.has(h) || (versions.get(h) ?? 0) !== version) return false;
      write(h, r, version + 1);
      return true;
    },
    list: async (tenant) => [...byHash.keys()].filter((h) => byHash.get(h)!.tenant === tenant).map((h) => stored(h)!),
  };
}
