import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { hash53 } from '#domain/decisioning/experiments.ts';
import type { VolumeCounter } from '#domain/ports.ts';
import { guarded } from './errors.ts';

/**
 * Per-action daily caps on sharded counters `V#<actionId>#<day>#<shard>` / `V`, so one popular
 * action spreads over `shards` partitions. Each shard owns a fixed slice of the cap and is bumped
 * with one conditional ADD, so the day's total can never pass the cap and no read is needed.
 * A full shard is remembered in the container until the day changes (no wasted writes).
 */
export class DynamoVolumeCounter implements VolumeCounter {
  private readonly full = new Set<string>();

  constructor(private readonly db: DynamoDBDocumentClient, private readonly tableOf: (tenant: string) => string, private readonly shards = 8, private readonly ttlDays = 3) {}

  /** The slice of `perDay` shard `i` of `n` may hand out (slices sum to perDay exactly). */
  static sliceOf(perDay: number, shard: number, shards: number): number {
    return Math.floor(perDay / shards) + (shard < perDay % shards ? 1 : 0);
  }

  async reserve(tenant: string, actionId: string, day: string, perDay: number, key: string): Promise<boolean> {
    const shards = Math.max(1, Math.min(this.shards, perDay));
    const first = hash53(key) % shards;
    for (let k = 0; k < shards; k++) {
      const shard = (first + k) % shards;
      const pk = `V#${actionId}#${day}#${shard}`;
      const memo = `${tenant}\u0000${pk}`;
      if (this.full.has(memo)) continue;
      try {
        await guarded(() =>
          this.db.send(new UpdateCommand({
            TableName: this.tableOf(tenant),
            Key: { pk, sk: 'V' },
            UpdateExpression: 'ADD n :one SET expiresAt = if_not_exists(expiresAt, :ttl)',
            ConditionExpression: 'attribute_not_exists(n) OR n < :cap',
            ExpressionAttributeValues: { ':one': 1, ':cap': DynamoVolumeCounter.sliceOf(perDay, shard, shards), ':ttl': Math.floor(Date.parse(`${day}T00:00:00Z`) / 1000) + this.ttlDays * 86_400 },
          })),
        );
        return true;
      } catch (err) {
        if ((err as { name?: string }).name !== 'ConditionalCheckFailedException') throw err;
        if (this.full.size > 10_000) this.full.clear();
        this.full.add(memo);
      }
    }
    return false;
  }
}
