import { type AudienceStore, type AudienceUploads, UploadChangedError } from '#domain/campaign/audience-ports.ts';
import {
  AUDIENCE_SHARDS,
  audienceLine,
  REJECTED_LINES_KEPT,
  shardsOfSegment,
  streamLines,
  type AudienceRecord,
  type AudienceStatus,
} from '#domain/campaign/audience-upload.ts';
import {
  audienceExpired,
  audienceRetainedUntil,
  audienceRetentionErrors,
  DEFAULT_AUDIENCE_DAYS,
} from '#domain/campaign/retention.ts';
import type { AuditLog } from '#domain/audit.ts';
import type { Clock } from '#domain/clock.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '#domain/errors.ts';
import type { TenantId } from '#domain/ids.ts';
import type { CustomerRepo } from '#domain/ports/customers.ts';
import type { ScannedCustomer } from '#domain/ports/scoring.ts';
import { recordChange, type Actor } from './audit-trail.ts';

export interface AudienceSettings {
  /** How long an upload URL is accepted. */
  uploadUrlSeconds: number;
  /** How long one GET reads the upload before it answers `processing` (under the API's 29 s). */
  processSeconds: number;
  /** Ids stored per step of the read; the read can resume after each. */
  batchIds: number;
  /** Market config `retention.audienceDays`: the audience and its ids expire this long after creation. */
  retentionDays: number;
}

export const DEFAULT_AUDIENCE_SETTINGS: AudienceSettings = {
  uploadUrlSeconds: 3600,
  processSeconds: 20,
  batchIds: 500,
  retentionDays: DEFAULT_AUDIENCE_DAYS,
};

export interface AudiencePorts {
  audiences: AudienceStore;
  uploads: AudienceUploads;
  clock: Clock;
  /** Milliseconds on a monotonic timer: what bounds one read, whatever the platform clock says. */
  elapsedMs: () => number;
  randomId: () => string;
  settings: AudienceSettings;
  audit?: AuditLog;
}

/** An audience as GET /v1/audiences/{id} shows it. */
export interface AudienceView {
  audienceId: string;
  status: AudienceStatus;
  createdAt: string;
  updatedAt: string;
  expiresAt: string;
  retainedUntil?: string;
  size?: number;
  rejected?: number;
  rejectedLines?: number[];
  /** Lines read so far (processing). */
  linesRead?: number;
  reason?: string;
}

const viewOf = (r: AudienceRecord): AudienceView => ({
  audienceId: r.audienceId,
  status: r.status,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
  expiresAt: r.expiresAt,
  ...(r.retainedUntil ? { retainedUntil: r.retainedUntil } : {}),
  ...(r.size !== undefined ? { size: r.size } : {}),
  ...(r.rejected !== undefined ? { rejected: r.rejected } : {}),
  ...(r.rejectedLines?.length ? { rejectedLines: r.rejectedLines } : {}),
  ...(r.status === 'processing' && r.cursor ? { linesRead: r.cursor.lines } : {}),
  ...(r.reason ? { reason: r.reason } : {}),
});

const newAudienceId = (now: Date, random: string) => `aud-${now.getTime().toString(36)}-${random.slice(0, 8)}`;

/** POST /v1/audiences: an audience awaiting its upload, and the URL to upload it to. */
export const createAudience =
  (ports: AudiencePorts) =>
  async (tenant: TenantId, actor?: Actor): Promise<{ audienceId: string; uploadUrl: string; expiresAt: string }> => {
    const now = ports.clock.now();
    const audienceId = newAudienceId(now, ports.randomId());
    const expires = new Date(now.getTime() + ports.settings.uploadUrlSeconds * 1000);
    const record: AudienceRecord = {
      audienceId,
      status: 'awaiting-upload',
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      expiresAt: expires.toISOString(),
      retainedUntil: audienceRetainedUntil(now, ports.settings.retentionDays),
      shards: AUDIENCE_SHARDS,
    };
    // signed first: a store that cannot sign (503) leaves nothing behind
    const uploadUrl = await ports.uploads.uploadUrl(tenant, audienceId, expires);
    await ports.audiences.create(tenant, record);
    await recordChange(ports, tenant, actor, 'audience.created', audienceId, { after: { status: record.status } });
    return { audienceId, uploadUrl, expiresAt: record.expiresAt };
  };

/**
 * GET /v1/audiences/{id}. The upload is read here, on the first GET that finds it, for at most
 * `processSeconds`: a larger list answers `processing` and the next GET reads on from where this
 * one stopped. Reading on demand needs no S3 notification, function or queue in the stack (which
 * is at its resource limit) and behaves the same locally; a lease keeps concurrent GETs from
 * reading twice, and one that dies mid-read leaves the audience to the next GET after the lease.
 */
export const getAudience =
  (ports: AudiencePorts) =>
  async (tenant: TenantId, audienceId: string): Promise<AudienceView> => {
    const record = await ports.audiences.get(tenant, audienceId);
    const kept = `uploaded audiences are kept ${ports.settings.retentionDays} days`;
    if (!record) throw new NotFoundError(`audience ${audienceId} not found (${kept})`);
    // the same answer as once TTL has deleted it, a few days later: gone is gone
    if (audienceExpired(record, ports.clock.now()))
      throw new NotFoundError(
        `audience ${audienceId} expired at ${record.retainedUntil} (${kept}); its ids are deleted: upload the list again`,
      );
    return viewOf(await processUpload(ports, tenant, record));
  };

async function processUpload(ports: AudiencePorts, tenant: TenantId, record: AudienceRecord): Promise<AudienceRecord> {
  const { audiences, uploads, settings } = ports;
  const id = record.audienceId;
  const now = ports.clock.now();
  if (record.status === 'ready' || record.status === 'failed') return record;
  if (record.status === 'processing' && record.leaseUntil && Date.parse(record.leaseUntil) > now.getTime())
    return record;
  const uploaded = await uploads.stat(tenant, id);
  if (!uploaded && record.status === 'awaiting-upload') return record;
  const lease = () => new Date(ports.clock.now().getTime() + (settings.processSeconds + 30) * 1000).toISOString();
  let heldUntil = lease();
  const held = await audiences.claim(tenant, id, now.toISOString(), heldUntil, uploaded?.etag ?? '');
  if (!held) return (await audiences.get(tenant, id)) ?? record;
  const fail = async (reason: string, counted?: Pick<AudienceRecord, 'rejected' | 'rejectedLines'>) => {
    await audiences.updateHeld(tenant, id, heldUntil, {
      status: 'failed',
      reason,
      ...counted,
      cursor: undefined,
      leaseUntil: undefined,
      updatedAt: ports.clock.now().toISOString(),
    });
    return (await audiences.get(tenant, id))!;
  };
  const cursor = { ...held.cursor! };
  if (!uploaded) return fail('the upload was no longer there to read; create a new audience');
  if (uploaded.etag !== cursor.etag)
    return fail('the upload was replaced while it was read; create a new audience and upload once');
  const rejectedLines = [...(held.rejectedLines ?? [])];
  const started = ports.elapsedMs();
  let ids: string[] = [];
  let done = true;
  // stores what was read up to `next`, then moves the cursor there: a read resumes after it
  const commit = async (next: number): Promise<boolean> => {
    await audiences.putIds(tenant, held, ids);
    ids = [];
    cursor.offset = next;
    const extended = lease();
    const kept = await audiences.updateHeld(tenant, id, heldUntil, {
      cursor,
      rejected: cursor.rejected,
      rejectedLines,
      leaseUntil: extended,
      updatedAt: ports.clock.now().toISOString(),
    });
    heldUntil = extended;
    return kept;
  };
  try {
    for await (const line of streamLines(uploads.read(tenant, id, cursor.offset, cursor.etag), cursor.offset)) {
      cursor.lines++;
      const verdict = line.text === undefined ? 'reject' : audienceLine(line.text, cursor.lines);
      if (verdict === 'reject') {
        cursor.rejected++;
        if (rejectedLines.length < REJECTED_LINES_KEPT) rejectedLines.push(cursor.lines);
      } else if (verdict !== 'skip') ids.push(verdict.id);
      if (ids.length < settings.batchIds) continue;
      if (!(await commit(line.next))) return (await audiences.get(tenant, id)) ?? record;
      if (ports.elapsedMs() - started > settings.processSeconds * 1000) {
        done = false;
        break;
      }
    }
  } catch (err) {
    if (err instanceof UploadChangedError)
      return fail('the upload was replaced while it was read; create a new audience and upload once');
    throw err;
  }
  if (!done) {
    // released, not left to run out: the next GET reads on at once
    await audiences.updateHeld(tenant, id, heldUntil, { leaseUntil: undefined });
    return (await audiences.get(tenant, id)) ?? record;
  }
  await audiences.putIds(tenant, held, ids);
  const size = await audiences.countIds(tenant, id, held.shards);
  if (size === 0)
    return fail(`the upload holds no valid customer id (${cursor.rejected} lines rejected): one id per line`, {
      rejected: cursor.rejected,
      rejectedLines,
    });
  const finished = await audiences.updateHeld(tenant, id, heldUntil, {
    status: 'ready',
    size,
    rejected: cursor.rejected,
    rejectedLines,
    cursor: undefined,
    leaseUntil: undefined,
    updatedAt: ports.clock.now().toISOString(),
  });
  // the ids now live in the table, where erasure reaches them; the file goes (the bucket's
  // lifecycle rule removes it anyway if this delete is lost)
  if (finished) await uploads.remove(tenant, id);
  return (await audiences.get(tenant, id)) ?? record;
}

/**
 * The audience a campaign names, ready to select from: another tenant's (in another table) is
 * not found, nor is an expired one (its ids are being deleted); one still awaiting or reading its
 * upload cannot be used yet.
 */
export async function readyAudience(
  audiences: Pick<AudienceStore, 'get'> | undefined,
  tenant: TenantId,
  audienceId: string,
  now: Date,
): Promise<AudienceRecord> {
  const record = await audiences?.get(tenant, audienceId);
  if (!record)
    throw new InvalidInputError('the campaign cannot run as asked', [
      { field: 'audience.audienceId', message: `no audience ${audienceId}` },
    ]);
  const expired = audienceRetentionErrors(audienceId, record.retainedUntil, undefined, now);
  if (expired.length) throw new InvalidInputError('the campaign cannot run as asked', expired);
  if (record.status !== 'ready')
    throw new ConflictError(
      `audience ${audienceId} is ${record.status}${record.reason ? ` (${record.reason})` : ''}; a campaign can use it once it is ready (GET /v1/audiences/${audienceId})`,
    );
  return record;
}

/**
 * One segment of an uploaded audience's customers: its partitions read a page at a time, the
 * profiles loaded 100 at once; an id without a profile, or an erased customer, is nobody.
 */
export async function* uploadedAudienceSegment(
  ports: { audiences: Pick<AudienceStore, 'idsOfShard'>; customers: Pick<CustomerRepo, 'loadProfiles'> },
  tenant: TenantId,
  audience: Pick<AudienceRecord, 'audienceId' | 'shards'>,
  segment: number,
  totalSegments: number,
): AsyncIterable<ScannedCustomer> {
  for (const shard of shardsOfSegment(segment, totalSegments, audience.shards)) {
    for await (const page of ports.audiences.idsOfShard(tenant, audience.audienceId, shard)) {
      for (let i = 0; i < page.length; i += 100) {
        const profiles = await ports.customers.loadProfiles(tenant, page.slice(i, i + 100));
        for (const [customerId, record] of profiles) if (record !== 'erased') yield { customerId, record };
      }
    }
  }
}
