import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LearningStore } from '#domain/ports/decisions.ts';
import { batchGetAll } from './batch-get.ts';
import type { BatchRetry } from './batch-retry.ts';
import { guarded } from './errors.ts';

type Stats = { trials: number; successes: number };

/**
 * Response counts per action and segment: `L#<actionId>` / `<segment>`, `n` trials and `s`
 * successes, bumped with one atomic ADD. The decision path reads them through a per-container
 * cache (one BatchGet per tenant and segment per TTL), not per decision. A read that stays
 * throttled throws (UnprocessedItemsError) and is not cached: counts missing for some actions
 * would read as actions never tried, and skew the choice for the whole TTL.
 */
export class DynamoLearningStore implements LearningStore {
  private readonly cache = new Map<string, { at: number; stats: Promise<Map<string, Stats>> }>();

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableOf: (tenant: string) => string,
    private readonly ttlMs = 30_000,
    private readonly nowMs: () => number = Date.now,
    private readonly retry: BatchRetry = {},
  ) {}

  stats(tenant: string, segment: string, actionIds: readonly string[]): Promise<Map<string, Stats>> {
    const key = `${tenant}\u0000${segment}`;
    const hit = this.cache.get(key);
    if (hit && this.nowMs() - hit.at < this.ttlMs) return hit.stats;
    const stats = this.read(tenant, segment, actionIds);
    this.cache.set(key, { at: this.nowMs(), stats });
    stats.catch(() => this.cache.delete(key));
    return stats;
  }

  private async read(tenant: string, segment: string, actionIds: readonly string[]): Promise<Map<string, Stats>> {
    const keys = actionIds.map((a) => ({ pk: `L#${a}`, sk: segment }));
    const items = await batchGetAll(this.db, this.tableOf(tenant), keys, {
      attributes: ['pk', 'n', 's'],
      ...this.retry,
    });
    return new Map(
      items.map((item) => [
        String(item['pk']).slice(2),
        { trials: Number(item['n'] ?? 0), successes: Number(item['s'] ?? 0) },
      ]),
    );
  }

  async add(tenant: string, actionId: string, segment: string, success: boolean): Promise<void> {
    await guarded(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableOf(tenant),
          Key: { pk: `L#${actionId}`, sk: segment },
          UpdateExpression: 'ADD n :one, s :s',
          ExpressionAttributeValues: { ':one': 1, ':s': success ? 1 : 0 },
        }),
      ),
    );
    this.cache.delete(`${tenant}\u0000${segment}`);
  }
}
