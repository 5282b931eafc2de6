import { setTimeout as sleep } from 'node:timers/promises';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AudienceRetentionMigrationStore, LegacyListed } from '#domain/campaign/audience-migration.ts';
import type { AudienceRecord } from '#domain/campaign/audience-upload.ts';
import { ttlOf } from '#domain/campaign/retention.ts';
import type { TenantId } from '#domain/ids.ts';
import { audienceIdsPk, audienceKey, LEGACY_LIST_PK, LIST_PK, recordOf } from './audience-store.ts';
import { guarded, isConditionalFailure, isTransient } from './errors.ts';
import { queryPages } from './query-all.ts';

/** Id items written at once: the audience's partitions are walked this many at a time. */
const WRITE_CONCURRENCY = 16;
/** Audiences read from the old list per page. */
const LIST_PAGE = 100;
/** Attempts at one write through throttling, after the SDK's own retries. */
const WRITE_ATTEMPTS = 8;

/**
 * The retention migration on the tenant tables (see AudienceRetentionMigrationStore). Id items get
 * their TTL by a conditional update, one item per request, not a BatchWrite put: a put would
 * re-create an id that erasure deleted after the page was read.
 */
export class DynamoAudienceRetentionMigration implements AudienceRetentionMigrationStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableOf: (tenant: TenantId) => string,
  ) {}

  async *legacyAudiences(tenant: TenantId): AsyncIterable<string[]> {
    for await (const out of queryPages(this.db, {
      TableName: this.tableOf(tenant),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :p',
      ExpressionAttributeValues: { ':p': LEGACY_LIST_PK },
      ProjectionExpression: 'audienceId',
      Limit: LIST_PAGE,
    })) {
      const page = (out.Items ?? []).map((i) => i['audienceId'] as string);
      if (page.length) yield page;
    }
  }

  async read(tenant: TenantId, audienceId: string): Promise<LegacyListed | undefined> {
    const out = await guarded(() =>
      this.db.send(
        new GetCommand({ TableName: this.tableOf(tenant), Key: audienceKey(audienceId), ConsistentRead: true }),
      ),
    );
    if (!out.Item) return undefined;
    return { record: recordOf(out.Item), legacy: out.Item['gsi1pk'] === LEGACY_LIST_PK };
  }

  async setExpiry(
    tenant: TenantId,
    record: AudienceRecord,
    retainedUntil: string,
    leaseOverBefore: string,
  ): Promise<boolean> {
    return this.conditional(
      new UpdateCommand({
        TableName: this.tableOf(tenant),
        Key: audienceKey(record.audienceId),
        // the upload URL's expiry moves to where the store reads it now that `expiresAt` is the TTL;
        // the TTL itself comes last, once every id carries one, so the record never goes first
        UpdateExpression: 'SET retainedUntil = :r, uploadExpiresAt = :u',
        ConditionExpression:
          'gsi1pk = :legacy AND (attribute_not_exists(retainedUntil) OR retainedUntil = :r) AND ' +
          '(#s <> :p OR attribute_not_exists(leaseUntil) OR leaseUntil <= :over)',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: {
          ':r': retainedUntil,
          ':u': record.expiresAt,
          ':legacy': LEGACY_LIST_PK,
          ':p': 'processing',
          ':over': leaseOverBefore,
        },
      }),
    );
  }

  async expireIds(
    tenant: TenantId,
    audience: Pick<AudienceRecord, 'audienceId' | 'shards'>,
    retainedUntil: string,
  ): Promise<number> {
    const table = this.tableOf(tenant);
    const ttl = ttlOf(retainedUntil);
    let nextShard = 0;
    let written = 0;
    const worker = async () => {
      while (nextShard < audience.shards) {
        const shard = nextShard++;
        for await (const out of queryPages(this.db, {
          TableName: table,
          KeyConditionExpression: 'pk = :p',
          // ids already carrying the TTL (an interrupted run, or stored by a reader since) are not written again
          FilterExpression: 'attribute_not_exists(expiresAt) OR expiresAt <> :t',
          ExpressionAttributeValues: { ':p': audienceIdsPk(audience.audienceId, shard), ':t': ttl },
          ProjectionExpression: 'pk, sk',
        })) {
          for (const item of out.Items ?? []) {
            const kept = await this.conditional(
              new UpdateCommand({
                TableName: table,
                Key: { pk: item['pk'], sk: item['sk'] },
                UpdateExpression: 'SET expiresAt = :t',
                ConditionExpression: 'attribute_exists(pk)',
                ExpressionAttributeValues: { ':t': ttl },
              }),
            );
            if (kept) written++;
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(WRITE_CONCURRENCY, audience.shards) }, worker));
    return written;
  }

  relist(tenant: TenantId, audienceId: string, retainedUntil: string): Promise<boolean> {
    return this.conditional(
      new UpdateCommand({
        TableName: this.tableOf(tenant),
        Key: audienceKey(audienceId),
        UpdateExpression: 'SET expiresAt = :ttl, gsi1pk = :list, gsi1sk = :sk',
        ConditionExpression: 'gsi1pk = :legacy AND retainedUntil = :r',
        ExpressionAttributeValues: {
          ':ttl': ttlOf(retainedUntil),
          ':list': LIST_PK,
          ':sk': `${retainedUntil}#${audienceId}`,
          ':legacy': LEGACY_LIST_PK,
          ':r': retainedUntil,
        },
      }),
    );
  }

  /** A conditional write, retried through throttling: false when its condition failed. */
  private async conditional(command: UpdateCommand): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        await guarded(() => this.db.send(command));
        return true;
      } catch (err) {
        if (isConditionalFailure(err)) return false;
        const cause = (err as { cause?: unknown }).cause;
        if (attempt >= WRITE_ATTEMPTS || !isTransient(cause)) throw err;
        await sleep(Math.min(5000, 100 * 2 ** attempt));
      }
    }
  }
}
