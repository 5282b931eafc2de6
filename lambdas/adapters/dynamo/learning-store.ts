import { BatchGetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LearningStore } from '#domain/ports/decisions.ts';
import { guarded } from './errors.ts';

type Stats = { trials: number; successes: number };

/**
 * Response counts per action and segment: `L#<actionId>` / `<segment>`, `n` trials and `s`
 * successes, bumped with one atomic ADD. The decision path reads them through a per-container
 * cache (one BatchGet per tenant and segment per TTL), not per decision.
 */
export class DynamoLearningStore implements LearningStore {
  private readonly cache = new Map<string, { at: number; stats: Promise<Map<string, Stats>> }>();

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableOf: (tenant: string) => string,
    private readonly ttlMs = 30_000,
    private readonly nowMs: () => number = Date.now,
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
    const table = this.tableOf(tenant);
    const found = new Map<string, Stats>();
    for (let i = 0; i < actionIds.length; i += 100) {
      let keys: Record<string, unknown>[] | undefined = actionIds
        .slice(i, i + 100)
        .map((a) => ({ pk: `L#${a}`, sk: segment }));
      for (let attempt = 0; keys && keys.length > 0 && attempt < 5; attempt++) {
        const out = await guarded(() =>
          this.db.send(
            new BatchGetCommand({ RequestItems: { [table]: { Keys: keys!, ProjectionExpression: 'pk, n, s' } } }),
          ),
        );
        for (const item of out.Responses?.[table] ?? []) {
          found.set(String(item['pk']).slice(2), { trials: Number(item['n'] ?? 0), successes: Number(item['s'] ?? 0) });
        }
        keys = out.UnprocessedKeys?.[table]?.Keys;
      }
    }
    return found;
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
