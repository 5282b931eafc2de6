/** Ports of API key storage and administration, and of the gateway's authorizer cache. */
import type { ApiKeyRecord } from '../api-key.ts';
import type { TenantId } from '../ids.ts';

export interface KeyStore {
  find(keyHash: string): Promise<ApiKeyRecord | undefined>;
  save(keyHash: string, record: ApiKeyRecord): Promise<void>;
}

/** A stored key with the version its conditional writes compare against. */
export interface StoredKey {
  keyHash: string;
  record: ApiKeyRecord;
  /** Bumped by every write; 0 for a record written before keys had versions. */
  version: number;
}

/**
 * Key administration (create, list, rotate, revoke): the key store plus a tenant's keys by hash.
 * Every change of a key is conditional on the version it was read at, so concurrent rotations
 * and revocations never overwrite each other's changes with a stale copy.
 */
export interface KeyAdminStore extends KeyStore {
  list(tenant: TenantId): Promise<StoredKey[]>;
  /** One key, read strongly consistent (a retry after a lost conditional write). */
  load(keyHash: string): Promise<StoredKey | undefined>;
  /** Writes a new key (version 1); throws if the hash is already stored. */
  insert(keyHash: string, record: ApiKeyRecord): Promise<void>;
  /** Replaces a key if it is still at `version`: true when written, false when another writer came first. */
  replace(keyHash: string, record: ApiKeyRecord, version: number): Promise<boolean>;
}

/** Where a revoked or expired key may still be accepted from: API Gateway's authorizer cache. */
export interface AuthorizerCache {
  /**
   * Forgets every cached authorization. `flushed`: the next request is authorized afresh;
   * `nothing-cached`: no running gateway holds a cache (the local runtime is stopped).
   */
  flush(): Promise<'flushed' | 'nothing-cached'>;
}
