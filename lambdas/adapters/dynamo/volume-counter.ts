import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { hash53 } from '#domain/decisioning/experiments.ts';
import type { VolumeCounter } from '#domain/ports/decisions.ts';
import { guarded, isConditionalFailure } from './errors.ts';

/**
 * Per-action daily caps on sharded counters `V#<actionId>#<day>#<shard>` / `V`, so one popular
 * action spreads over `shards` partitions. Each shard owns a fixed slice of the cap and is bumped
 * with one conditional ADD, so the day's total can never pass the cap and no read is needed.
 *
 * A container leases units a block at a time (at most `maxBlock`, and at most 2% of a shard's
 * slice) and hands them out from memory: a capped action then costs a write every `block`
 * decisions instead of every decision. Units leased by a container that stops unused are not
 * handed out that day, so a cap may be under-delivered by (block - 1) per container and shard,
 * never exceeded. A full shard is remembered until the day changes (no wasted writes).
 */
export class DynamoVolumeCounter implements VolumeCounter {
  private readonly full = new Set<string>();
  private readonly leased = new Map<string, number>();
  /** Conditional writes sent (the bench and tests read it). */
  writes = 0;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableOf: (tenant: string) => string,
    private readonly shards = 8,
    private readonly ttlDays = 3,
    private readonly maxBlock = 10,
  ) {}

  /** The slice of `perDay` shard `i` of `n` may hand out (slices sum to perDay exactly). */
  static sliceOf(perDay: number, shard: number, shards: number): number {
    return Math.floor(perDay / shards) + (shard < perDay % shards ? 1 : 0);
  }

  /** Units one lease takes from a shard's slice: small slices are not leased ahead at all. */
  static blockOf(slice: number, maxBlock: number): number {
    return Math.max(1, Math.min(maxBlock, Math.floor(slice / 50)));
  }

  async reserve(tenant: string, actionId: string, day: string, perDay: number, key: string): Promise<boolean> {
    const shards = Math.max(1, Math.min(this.shards, perDay));
    const first = hash53(key) % shards;
    for (let k = 0; k < shards; k++) {
      const shard = (first + k) % shards;
      if (
        await this.reserveOn(
          tenant,
          `V#${actionId}#${day}#${shard}`,
          DynamoVolumeCounter.sliceOf(perDay, shard, shards),
          day,
        )
      )
        return true;
    }
    return false;
  }

  /**
   * One unit of one shard. Requests of one container on the same shard take turns (a Lambda
   * container serves one at a time anyway; the local server does not): otherwise each would
   * lease its own block during a burst and leave the others' units unused.
   */
  private reserveOn(tenant: string, pk: string, slice: number, day: string): Promise<boolean> {
    const memo = `${tenant}\u0000${pk}`;
    return this.inTurn(memo, async () => {
      const left = this.leased.get(memo);
      if (left) {
        if (left === 1) this.leased.delete(memo);
        else this.leased.set(memo, left - 1);
        return true;
      }
      if (this.full.has(memo)) return false;
      const block = DynamoVolumeCounter.blockOf(slice, this.maxBlock);
      const ttl = Math.floor(Date.parse(`${day}T00:00:00Z`) / 1000) + this.ttlDays * 86_400;
      // a whole block while the slice has room for it, then the last units one by one
      const taken =
        (block > 1 ? await this.take(tenant, pk, block, slice, ttl) : 0) ||
        (await this.take(tenant, pk, 1, slice, ttl));
      if (taken) {
        if (this.leased.size > 10_000) this.leased.clear();
        if (taken > 1) this.leased.set(memo, taken - 1);
        return true;
      }
      if (this.full.size > 10_000) this.full.clear();
      this.full.add(memo);
      return false;
    });
  }

  private readonly turns = new Map<string, Promise<unknown>>();

  private async inTurn<T>(key: string, work: () => Promise<T>): Promise<T> {
    const run = (this.turns.get(key) ?? Promise.resolve()).then(work, work);
    const settled = run.catch(() => undefined);
    this.turns.set(key, settled);
    try {
      return await run;
    } finally {
      if (this.turns.get(key) === settled) this.turns.delete(key);
    }
  }

  /** One conditional ADD of `units`: the units taken, or 0 when the slice has no room for them. */
  private async take(tenant: string, pk: string, units: number, slice: number, ttl: number): Promise<number> {
    try {
      this.writes++;
      await guarded(() =>
        this.db.send(
          new UpdateCommand({
            TableName: this.tableOf(tenant),
            Key: { pk, sk: 'V' },
            UpdateExpression: 'ADD n :units SET expiresAt = if_not_exists(expiresAt, :ttl)',
            ConditionExpression: 'attribute_not_exists(n) OR n <= :room',
            ExpressionAttributeValues: { ':units': units, ':room': slice - units, ':ttl': ttl },
          }),
        ),
      );
      return units;
    } catch (err) {
      if (!isConditionalFailure(err)) throw err;
      return 0;
    }
  }
}
