import { setTimeout as sleep } from 'node:timers/promises';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { AudienceMemberships, AudienceStore } from '#domain/campaign/audience-ports.ts';
import { audienceShardOf, type AudienceRecord } from '#domain/campaign/audience-upload.ts';
import { audiencesStillHeldAfter, ttlOf } from '#domain/campaign/retention.ts';
import type { TenantId } from '#domain/ids.ts';
import { createListed, readListed } from './listed-records.ts';
import { guarded, isConditionalFailure } from './errors.ts';
import { queryAll, queryPages } from './query-all.ts';

export const audienceKey = (audienceId: string) => ({ pk: `AUDIENCE#${audienceId}`, sk: 'AUDIENCE' });
export const audienceIdsPk = (audienceId: string, shard: number) => `AUDM#${audienceId}#${shard}`;
/**
 * The list erasure and subject access read, sorted by expiry (`<retainedUntil>#<audienceId>`) so a
 * Query reads only the audiences still held: their cost follows the live audiences, not every
 * audience ever uploaded.
 */
const LIST_PK = 'AUDIENCES_BY_EXPIRY';
/**
 * The list of audiences created before retention (sorted by creation): never written again, so
 * reading all of it costs a fixed amount, and their ids, which expire on no TTL, stay erasable.
 */
const LEGACY_LIST_PK = 'AUDIENCES';
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
function recordOf(item: Record<string, unknown>): AudienceRecord {
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
export class DynamoAudienceStore implements AudienceStore, AudienceMemberships {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableOf: (tenant: TenantId) => string,
    /** The platform clock: which audiences are still held is judged on it. */
    private readonly now: () => Date = () => new Date(),
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
    const batches: Record<string, unknown>[][] = [];
    for (let i = 0; i < unique.length; i += 25)
      batches.push(
        unique.slice(i, i + 25).map((id) => ({
          PutRequest: {
            Item: {
              pk: audienceIdsPk(audienceId, audienceShardOf(id, shards)),
              sk: id,
              kind: 'audience-member',
              ...ttl,
            },
          },
        })),
      );
    let next = 0;
    const worker = async () => {
      while (next < batches.length) {
        let pending = batches[next++]!;
        for (let attempt = 0; pending.length; attempt++) {
          const out = await guarded(() => this.db.send(new BatchWriteCommand({ RequestItems: { [table]: pending } })));
          pending = (out.UnprocessedItems?.[table] ?? []) as Record<string, unknown>[];
          if (pending.length) await sleep(Math.min(2000, 25 * 2 ** attempt));
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(WRITE_CONCURRENCY, batches.length) }, worker));
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

  /**
   * The id and partition count of every audience that may still hold ids, through the list index:
   * those not expired (or expired so recently that TTL may not have deleted them yet) and those of
   * before retention. Expired ones are not read at all, so this costs what the live ones do.
   */
  private async audiencesOf(tenant: TenantId): Promise<{ audienceId: string; shards: number }[]> {
    const read = (KeyConditionExpression: string, values: Record<string, string>) =>
      queryAll(this.db, {
        TableName: this.tableOf(tenant),
        IndexName: 'gsi1',
        KeyConditionExpression,
        ExpressionAttributeValues: values,
        ProjectionExpression: 'audienceId, shards',
      });
    const [held, legacy] = await Promise.all([
      read('gsi1pk = :p AND gsi1sk > :from', { ':p': LIST_PK, ':from': audiencesStillHeldAfter(this.now()) }),
      read('gsi1pk = :p', { ':p': LEGACY_LIST_PK }),
    ]);
    return [...held, ...legacy].map((i) => ({ audienceId: i['audienceId'] as string, shards: i['shards'] as number }));
  }

  async audiencesNaming(tenant: TenantId, customerId: string): Promise<string[]> {
    const table = this.tableOf(tenant);
    const keys = (await this.audiencesOf(tenant)).map((a) => ({
      pk: audienceIdsPk(a.audienceId, audienceShardOf(customerId, a.shards)),
      sk: customerId,
    }));
    const found: string[] = [];
    for (let i = 0; i < keys.length; i += 100) {
      let pending: Record<string, unknown>[] = keys.slice(i, i + 100);
      for (let attempt = 0; pending.length; attempt++) {
        const out = await guarded(() =>
          this.db.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: true } } })),
        );
        for (const item of out.Responses?.[table] ?? []) found.push(audienceIdOfPk(item['pk'] as string));
        pending = out.UnprocessedKeys?.[table]?.Keys ?? [];
        if (pending.length) await sleep(Math.min(1000, 25 * 2 ** attempt));
      }
    }
    return found.sort();
  }

  async forgetCustomer(tenant: TenantId, customerId: string): Promise<number> {
    const table = this.tableOf(tenant);
    let removed = 0;
    for (const a of await this.audiencesOf(tenant)) {
      const out = await guarded(() =>
        this.db.send(
          new DeleteCommand({
            TableName: table,
            Key: { pk: audienceIdsPk(a.audienceId, audienceShardOf(customerId, a.shards)), sk: customerId },
            ReturnValues: 'ALL_OLD',
          }),
        ),
      );
      if (out.Attributes) removed++;
    }
    return removed;
  }
}

const audienceIdOfPk = (pk: string): string => pk.slice('AUDM#'.length, pk.lastIndexOf('#'));
