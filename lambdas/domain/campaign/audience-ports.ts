import type { TenantId } from '../ids.ts';
import type { AudienceRecord } from './audience-upload.ts';

/**
 * Uploaded audiences in the tenant's own table: the record `AUDIENCE#<id>` and one item per
 * customer id under `AUDM#<id>#<shard>`. Another tenant's audience is in another table.
 */
export interface AudienceStore {
  create(tenant: TenantId, record: AudienceRecord): Promise<void>;
  get(tenant: TenantId, audienceId: string): Promise<AudienceRecord | undefined>;
  /**
   * Takes the processing of an audience until `leaseUntil`: when it awaits its upload, or its
   * last reader's lease ran out before `now`. The record as taken, or undefined when another holds it.
   */
  claim(
    tenant: TenantId,
    audienceId: string,
    now: string,
    leaseUntil: string,
    etag: string,
  ): Promise<AudienceRecord | undefined>;
  /** Sets the given fields (removes those given as undefined) while `leaseUntil` is still the reader's: false otherwise. */
  updateHeld(tenant: TenantId, audienceId: string, heldUntil: string, patch: Partial<AudienceRecord>): Promise<boolean>;
  /** Stores ids (idempotent: an id stored twice is one item), each expiring with the audience. */
  putIds(
    tenant: TenantId,
    audience: Pick<AudienceRecord, 'audienceId' | 'shards' | 'retainedUntil'>,
    ids: readonly string[],
  ): Promise<void>;
  /** How many distinct ids are stored. */
  countIds(tenant: TenantId, audienceId: string, shards: number): Promise<number>;
  /** The ids of one partition, a page at a time. */
  idsOfShard(tenant: TenantId, audienceId: string, shard: number): AsyncIterable<string[]>;
}

/**
 * A customer's side of the tenant's uploaded audiences: subject access and erasure. Both read only
 * the audiences that may still hold ids (not expired, or expired within the TTL's lag).
 */
export interface AudienceMemberships {
  /** The uploaded audiences that name the customer. */
  audiencesNaming(tenant: TenantId, customerId: string): Promise<string[]>;
  /** Takes the customer's id out of every uploaded audience; how many it was in. Idempotent. */
  forgetCustomer(tenant: TenantId, customerId: string): Promise<number>;
}

/** What is stored under an audience's upload key. */
export interface UploadedObject {
  etag: string;
  size: number;
}

/** The upload has been replaced since it was first read. */
export class UploadChangedError extends Error {
  override readonly name = 'UploadChangedError';
}

/**
 * Where audience lists are uploaded: S3 in AWS (a presigned PUT), the local runtime's
 * `.local/uploads/` locally (a signed, expiring URL of its own). The key is always
 * `<tenant>/<audienceId>`, built here, never taken from a client.
 */
export interface AudienceUploads {
  uploadUrl(tenant: TenantId, audienceId: string, expiresAt: Date): Promise<string>;
  /** What is uploaded, or undefined when nothing is yet. */
  stat(tenant: TenantId, audienceId: string): Promise<UploadedObject | undefined>;
  /** The bytes from `from` on, of the object `etag` names (UploadChangedError when it was replaced). */
  read(tenant: TenantId, audienceId: string, from: number, etag: string): AsyncIterable<Uint8Array>;
  /** Deletes the upload once read (its ids now live in the table, where erasure reaches them). */
  remove(tenant: TenantId, audienceId: string): Promise<void>;
}
