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
import type { TenantId } from '#domain/ids.ts';
import { createListed, readListed } from './listed-records.ts';
import { guarded, isConditionalFailure } from './errors.ts';
import { queryAll, queryPages } from './query-all.ts';

export const audienceKey = (audienceId: string) => ({ pk: `AUDIENCE#${audienceId}`, sk: 'AUDIENCE' });
export const audienceIdsPk = (audienceId: string, shard: number) => `AUDM#${audienceId}#${shard}`;
const LIST_PK = 'AUDIENCES';
/** Writes in flight at once while storing a read's ids (25 per BatchWrite). */
const WRITE_CONCURRENCY = 8;

/**
 * Uploaded audiences in the tenant's table: the record (listed through gsi1 for subject access
 * and erasure) and one item per id, `AUDM#<audienceId>#<shard>` / customerId.
 */
export class DynamoAudienceStore implements AudienceStore, AudienceMemberships {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableOf: (tenant: TenantId) => string,
  ) {}

  create(tenant: TenantId, record: AudienceRecord): Promise<void> {
    const listSk = `${record.createdAt}#${record.audienceId}`;
    return createListed(
      this.db,
      this.tableOf(tenant),
      { key: audienceKey(record.audienceId), kind: 'audience', listPk: LIST_PK, listSk },
      record,
    );
  }

  async get(tenant: TenantId, audienceId: string): Promise<AudienceRecord | undefined> {
    return (await readListed(this.db, this.tableOf(tenant), audienceKey(audienceId))) as AudienceRecord | undefined;
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
      const { pk: _pk, sk: _sk, kind: _k, gsi1pk: _a, gsi1sk: _b, ...record } = out.Attributes ?? {};
      return record as AudienceRecord;
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

  async putIds(tenant: TenantId, audienceId: string, shards: number, ids: readonly string[]): Promise<void> {
    const table = this.tableOf(tenant);
    // one item per distinct id: a BatchWrite refuses two puts of one key
    const unique = [...new Set(ids)];
    const batches: Record<string, unknown>[][] = [];
    for (let i = 0; i < unique.length; i += 25)
      batches.push(
        unique.slice(i, i + 25).map((id) => ({
          PutRequest: {
            Item: { pk: audienceIdsPk(audienceId, audienceShardOf(id, shards)), sk: id, kind: 'audience-member' },
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

  /** Every audience's id and partition count, through the list index. */
  private async audiencesOf(tenant: TenantId): Promise<{ audienceId: string; shards: number }[]> {
    const items = await queryAll(this.db, {
      TableName: this.tableOf(tenant),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :p',
      ExpressionAttributeValues: { ':p': LIST_PK },
      ProjectionExpression: 'audienceId, shards',
    });
    return items.map((i) => ({ audienceId: i['audienceId'] as string, shards: i['shards'] as number }));
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
