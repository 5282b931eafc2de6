import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AudienceStore } from '#domain/campaign/audience-ports.ts';
import { audienceShardOf, type AudienceRecord } from '#domain/campaign/audience-upload.ts';
import { ttlOf } from '#domain/campaign/retention.ts';
import type { TenantId } from '#domain/ids.ts';
import { createListed, readListed } from './listed-records.ts';
import { guarded, isConditionalFailure } from './errors.ts';
import { queryPages } from './query-all.ts';
import { batchWriteAll } from './batch-write.ts';

export const audienceKey = (audienceId: string) => ({ pk: `AUDIENCE#${audienceId}`, sk: 'AUDIENCE' });
export const audienceIdsPk = (audienceId: string, shard: number) => `AUDM#${audienceId}#${shard}`;
/**
 * The list erasure and subject access read, sorted by expiry (`<retainedUntil>#<audienceId>`) so a
 * Query reads only the audiences still held: their cost follows the live audiences, not every
 * audience ever uploaded.
 */
export const LIST_PK = 'AUDIENCES_BY_EXPIRY';
/**
 * The list of audiences created before retention (sorted by creation): never written again, so
 * reading all of it costs a fixed amount, and their ids, which expire on no TTL, stay erasable.
 */
export const LEGACY_LIST_PK = 'AUDIENCES';
/** Writes in flight at once while storing a read's ids (25 per BatchWrite). */
const WRITE_CONCURRENCY = 8;

/**
 * The item attributes of a record: the table's TTL attribute is `expiresAt` (epoch seconds), so the
 * upload URL's expiry, which the record calls `expiresAt`, is stored as `uploadExpiresAt`.
 */
function itemOf(record: AudienceRecord): Record<string, unknown> {
  const { expiresAt, ...rest } = record;
  return {
    ...rest,
    uploadExpiresAt: expiresAt,
    ...(record.retainedUntil ? { expiresAt: ttlOf(record.retainedUntil) } : {}),
  };
}

/** The record of stored attributes (a record of before retention keeps the upload's expiry in `expiresAt`). */
export function recordOf(item: Record<string, unknown>): AudienceRecord {
  const { pk: _pk, sk: _sk, kind: _k, gsi1pk: _a, gsi1sk: _b, expiresAt, uploadExpiresAt, ...rest } = item;
  return { ...rest, expiresAt: typeof uploadExpiresAt === 'string' ? uploadExpiresAt : expiresAt } as AudienceRecord;
}

/** The TTL of an audience's id items: the record's, so the list goes with it. */
const idTtlOf = (audience: Pick<AudienceRecord, 'retainedUntil'>) =>
  audience.retainedUntil ? { expiresAt: ttlOf(audience.retainedUntil) } : {};

/**
 * Uploaded audiences in the tenant's table: the record (listed through gsi1 by expiry for subject
 * access and erasure) and one item per id, `AUDM#<audienceId>#<shard>` / customerId, each with the
 * record's TTL.
 */
export class DynamoAudienceStore implements AudienceStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableOf: (tenant: TenantId) => string,
  ) {}

  create(tenant: TenantId, record: AudienceRecord): Promise<void> {
    const listed = record.retainedUntil
      ? { listPk: LIST_PK, listSk: `${record.retainedUntil}#${record.audienceId}` }
      : { listPk: LEGACY_LIST_PK, listSk: `${record.createdAt}#${record.audienceId}` };
    return createListed(
      this.db,
      this.tableOf(tenant),
      { key: audienceKey(record.audienceId), kind: 'audience', ...listed },
      itemOf(record),
    );
  }

  async get(tenant: TenantId, audienceId: string): Promise<AudienceRecord | undefined> {
    const item = await readListed(this.db, this.tableOf(tenant), audienceKey(audienceId));
    return item ? recordOf(item) : undefined;
  }

  async claim(
    tenant: TenantId,
    audienceId: string,
    now: string,
    leaseUntil: string,
    etag: string,
  ): Promise<AudienceRecord | undefined> {
    try {
      const out = await guarded(() =>
        this.db.send(
          new UpdateCommand({
            TableName: this.tableOf(tenant),
            Key: audienceKey(audienceId),
            UpdateExpression: 'SET #s = :p, leaseUntil = :l, #c = if_not_exists(#c, :c), updatedAt = :now',
            ConditionExpression:
              'attribute_exists(pk) AND (#s = :a OR (#s = :p AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)))',
            ExpressionAttributeNames: { '#s': 'status', '#c': 'cursor' },
            ExpressionAttributeValues: {
              ':p': 'processing',
              ':a': 'awaiting-upload',
              ':l': leaseUntil,
              ':now': now,
              ':c': { offset: 0, etag, lines: 0, rejected: 0 },
            },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return recordOf(out.Attributes ?? {});
    } catch (err) {
      if (isConditionalFailure(err)) return undefined;
      throw err;
    }
  }

  async updateHeld(
    tenant: TenantId,
    audienceId: string,
    heldUntil: string,
    patch: Partial<AudienceRecord>,
  ): Promise<boolean> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':held': heldUntil };
    const sets: string[] = [];
    const removes: string[] = [];
    for (const [i, [k, v]] of Object.entries(patch).entries()) {
      names[`#f${i}`] = k;
      if (v === undefined) removes.push(`#f${i}`);
      else {
        values[`:v${i}`] = v;
        sets.push(`#f${i} = :v${i}`);
      }
    }
    try {
      await guarded(() =>
        this.db.send(
          new UpdateCommand({
            TableName: this.tableOf(tenant),
            Key: audienceKey(audienceId),
            UpdateExpression: [
              sets.length ? `SET ${sets.join(', ')}` : '',
              removes.length ? `REMOVE ${removes.join(', ')}` : '',
            ]
              .filter(Boolean)
              .join(' '),
            ConditionExpression: 'leaseUntil = :held',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        ),
      );
      return true;
    } catch (err) {
      if (isConditionalFailure(err)) return false;
      throw err;
    }
  }

  async putIds(
    tenant: TenantId,
    audience: Pick<AudienceRecord, 'audienceId' | 'shards' | 'retainedUntil'>,
    ids: readonly string[],
  ): Promise<void> {
    const table = this.tableOf(tenant);
    const { audienceId, shards } = audience;
    const ttl = idTtlOf(audience);
    // one item per distinct id: a BatchWrite refuses two puts of one key
    const unique = [...new Set(ids)];
    await batchWriteAll(
      this.db,
      table,
      unique.map((id) => ({
        PutRequest: {
          Item: { pk: audienceIdsPk(audienceId, audienceShardOf(id, shards)), sk: id, kind: 'audience-member', ...ttl },
        },
      })),
      { concurrency: WRITE_CONCURRENCY },
    );
  }

  async countIds(tenant: TenantId, audienceId: string, shards: number): Promise<number> {
    const counts = await Promise.all(
      Array.from({ length: shards }, async (_, shard) => {
        let count = 0;
        for await (const out of queryPages(this.db, {
          TableName: this.tableOf(tenant),
          KeyConditionExpression: 'pk = :p',
          ExpressionAttributeValues: { ':p': audienceIdsPk(audienceId, shard) },
          Select: 'COUNT',
          ConsistentRead: true,
        }))
          count += out.Count ?? 0;
        return count;
      }),
    );
    return counts.reduce((a, b) => a + b, 0);
  }

  async *idsOfShard(tenant: TenantId, audienceId: string, shard: number): AsyncIterable<string[]> {
    for await (const out of queryPages(this.db, {
      TableName: this.tableOf(tenant),
      KeyConditionExpression: 'pk = :p',
      ExpressionAttributeValues: { ':p': audienceIdsPk(audienceId, shard) },
      ProjectionExpression: 'sk',
    })) {
      const page = (out.Items ?? []).map((i) => i['sk'] as string);
      if (page.length) yield page;
    }
  }
}
