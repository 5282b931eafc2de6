import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CapacityCounter } from '#domain/delivery/ports.ts';
import type { TenantId } from '#domain/ids.ts';
import { guarded } from './errors.ts';

/**
 * Channel capacity counters in the tenant's table, `DC#<key>` (a channel's second or local day):
 * one unconditional ADD per batch and channel answers the total after it, and the domain grants
 * what fits under the limit (domain/delivery/capacity.ts). They expire by TTL.
 */
export class DynamoCapacityCounter implements CapacityCounter {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableOf: (tenant: TenantId) => string,
  ) {}

  async add(tenant: TenantId, key: string, units: number, expiresAt: Date): Promise<number> {
    const out = await guarded(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableOf(tenant),
          Key: { pk: `DC#${key}`, sk: 'DC' },
          UpdateExpression: 'ADD n :units SET expiresAt = if_not_exists(expiresAt, :ttl)',
          ExpressionAttributeValues: { ':units': units, ':ttl': Math.floor(expiresAt.getTime() / 1000) },
          ReturnValues: 'UPDATED_NEW',
        }),
      ),
    );
    return Number(out.Attributes?.['n'] ?? units);
  }
}
