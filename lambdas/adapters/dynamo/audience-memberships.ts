import { DeleteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AudienceMemberships } from '#domain/campaign/audience-ports.ts';
import { audienceShardOf } from '#domain/campaign/audience-upload.ts';
import { audiencesStillHeldAfter } from '#domain/campaign/retention.ts';
import type { TenantId } from '#domain/ids.ts';
import { audienceIdsPk, LEGACY_LIST_PK, LIST_PK } from './audience-store.ts';
import { guarded } from './errors.ts';
import { queryAll } from './query-all.ts';
import { batchGetAll } from './batch-get.ts';

/**
 * A customer's side of the uploaded audiences (subject access, erasure), apart from the audience
 * store so the customers API bundles only these reads and deletes.
 */
export class DynamoAudienceMemberships implements AudienceMemberships {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableOf: (tenant: TenantId) => string,
    /** The platform clock: which audiences are still held is judged on it. */
    private readonly now: () => Date = () => new Date(),
  ) {}

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
    const keys = (await this.audiencesOf(tenant)).map((a) => ({
      pk: audienceIdsPk(a.audienceId, audienceShardOf(customerId, a.shards)),
      sk: customerId,
    }));
    const found = await batchGetAll(this.db, this.tableOf(tenant), keys, { consistent: true });
    return found.map((item) => audienceIdOfPk(item['pk'] as string)).sort();
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
