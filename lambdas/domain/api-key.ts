import { createHash, randomBytes } from 'node:crypto';
import type { TenantId } from './ids.ts';

export type KeyScope = 'admin' | 'channel';

export interface ApiKeyRecord {
  keyId: string;
  tenant: TenantId;
  scope: KeyScope;
  /**
   * `issuing`: written by a rotation that has not finished; authorizes nothing yet, and other
   * rotations leave it alone (it becomes `active` just before the rotation prints it).
   */
  status: 'issuing' | 'active' | 'revoked';
  /** Old keys stay valid until this instant during a rotation. */
  expiresAt?: string;
  /** When the key was issued (keys created by `npm run keys`). */
  createdAt?: string;
}

export interface Caller {
  tenant: TenantId;
  scope: KeyScope;
  keyId: string;
}

/** Only the hash of a key is ever stored; the hash is the lookup key. */
export const hashApiKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');

/** 40 url-safe characters: API Gateway needs at least 20 for a usage-plan key. */
export const newApiKey = (tenant: TenantId, scope: KeyScope): string =>
  `cvm_${tenant}_${scope}_${randomBytes(24).toString('base64url')}`;

export function keyIsUsable(record: ApiKeyRecord | undefined, now: Date): record is ApiKeyRecord {
  if (record?.status !== 'active') return false;
  return !record.expiresAt || new Date(record.expiresAt).getTime() > now.getTime();
}

/** admin may do everything; channel keys read customers, send events, decisions and responses. */
export const scopeAllows = (held: KeyScope, needed: KeyScope): boolean => held === 'admin' || held === needed;
