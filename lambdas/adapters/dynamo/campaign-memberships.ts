import { DeleteCommand, GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { segmentOf } from '#domain/campaign/assignment.ts';
import type { CampaignMemberships, Membership } from '#domain/campaign/ports.ts';
import { runIdOf, runMembersKey, splitRunMembersKey } from '#domain/campaign/schedule.ts';
import type { TenantId } from '#domain/ids.ts';
import { DynamoAudienceMemberships } from './audience-memberships.ts';
import { StoredAudience, storedMemberOf } from './campaign-item.ts';
import { CAMPAIGN_LIST_PK, campaignKey, memberPk } from './campaign-keys.ts';
import { guarded, isConditionalFailure } from './errors.ts';
import { queryAll } from './query-all.ts';
import { batchGetAll } from './batch-get.ts';
import { storedAs } from './stored-items.ts';

/**
 * Campaigns selected before `memberShards` was recorded: the shard counts deployments have used
 * (64 in AWS, 8 locally, 1 in tests), each a point read, so erasure finds their members too.
 */
const LEGACY_SHARD_COUNTS = [1, 4, 8, 16, 32, 64];

/** What `campaignsForPrivacy` projects of a campaign record. */
const PrivacyView = z.object({
  campaignId: z.string(),
  memberShards: z.number().optional(),
  audience: StoredAudience,
  runCount: z.number().optional(),
});
const AudienceView = z.object({ audience: StoredAudience });

/**
 * A customer's side of the tenant's campaigns and uploaded audiences (subject access, erasure),
 * apart from the campaign store so the customers API bundles only these reads and deletes.
 */
export class DynamoCampaignMemberships implements CampaignMemberships {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableOf: (tenant: TenantId) => string,
    /** The platform clock: erasure and export read the uploaded audiences still held at it. */
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Every campaign's id, member shard count and audience, through the list index. */
  private async campaignsForPrivacy(tenant: TenantId) {
    const items = await queryAll(this.db, {
      TableName: this.tableOf(tenant),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :p',
      ExpressionAttributeValues: { ':p': CAMPAIGN_LIST_PK },
      ProjectionExpression: 'campaignId, memberShards, audience, updatedAt, runCount',
    });
    return items.map((i) => storedAs(PrivacyView, i, 'campaign'));
  }

  /** The member items of one customer, across campaigns, with one BatchGet per 100 keys. */
  private async memberItems(tenant: TenantId, customerId: string): Promise<Record<string, unknown>[]> {
    const table = this.tableOf(tenant);
    const keys = new Map<string, { pk: string; sk: string }>();
    for (const c of await this.campaignsForPrivacy(tenant)) {
      // a scheduled campaign keeps each run's members apart (all its runs, not only those the record lists)
      const memberKeys = c.runCount
        ? Array.from({ length: c.runCount }, (_, i) => runMembersKey(c.campaignId, runIdOf(i + 1)))
        : [c.campaignId];
      for (const key of memberKeys)
        for (const n of c.memberShards ? [c.memberShards] : LEGACY_SHARD_COUNTS) {
          const pk = memberPk(key, segmentOf(customerId, n));
          keys.set(pk, { pk, sk: customerId });
        }
    }
    return batchGetAll(this.db, table, [...keys.values()], { consistent: true });
  }

  async membershipsOf(tenant: TenantId, customerId: string): Promise<Membership[]> {
    return (await this.memberItems(tenant, customerId)).map((item) => ({
      ...storedMemberOf(item),
      ...splitRunMembersKey(campaignIdOfMemberPk(String(item['pk']))),
    }));
  }

  audiencesNaming(tenant: TenantId, customerId: string): Promise<string[]> {
    return new DynamoAudienceMemberships(this.db, this.tableOf, this.now).audiencesNaming(tenant, customerId);
  }

  async forgetCustomer(tenant: TenantId, customerId: string): Promise<{ memberships: number; audienceLists: number }> {
    const table = this.tableOf(tenant);
    const members = await this.memberItems(tenant, customerId);
    for (const m of members)
      await guarded(() => this.db.send(new DeleteCommand({ TableName: table, Key: { pk: m['pk'], sk: m['sk'] } })));
    // uploaded audiences keep their ids in the same table: the customer's item goes from each
    let audienceLists = await new DynamoAudienceMemberships(this.db, this.tableOf, this.now).forgetCustomer(
      tenant,
      customerId,
    );
    for (const c of await this.campaignsForPrivacy(tenant)) {
      if (!('customerIds' in c.audience) || !c.audience.customerIds.includes(customerId)) continue;
      if (await this.dropFromAudience(table, c.campaignId, customerId)) audienceLists++;
    }
    return { memberships: members.length, audienceLists };
  }

  /** Rewrites a campaign's audience list without the customer, conditional on the list read. */
  private async dropFromAudience(table: string, campaignId: string, customerId: string): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      const out = await guarded(() =>
        this.db.send(
          new GetCommand({
            TableName: table,
            Key: campaignKey(campaignId),
            ProjectionExpression: 'audience',
            ConsistentRead: true,
          }),
        ),
      );
      if (!out.Item) return false;
      const { audience } = storedAs(AudienceView, out.Item, 'campaign');
      const ids = 'customerIds' in audience ? audience.customerIds : undefined;
      if (!ids?.includes(customerId)) return false;
      try {
        await guarded(() =>
          this.db.send(
            new UpdateCommand({
              TableName: table,
              Key: campaignKey(campaignId),
              UpdateExpression: 'SET audience.customerIds = :after',
              ConditionExpression: 'audience.customerIds = :before',
              ExpressionAttributeValues: { ':after': ids.filter((id) => id !== customerId), ':before': ids },
            }),
          ),
        );
        return true;
      } catch (err) {
        if (!isConditionalFailure(err) || attempt === 8) throw err;
      }
    }
  }
}

const campaignIdOfMemberPk = (pk: string): string => pk.slice('CM#'.length, pk.lastIndexOf('#'));
