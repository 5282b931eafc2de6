import { setTimeout as sleep } from 'node:timers/promises';
import {
  BatchWriteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { CampaignMember, CampaignRecord, CampaignStatus, MemberStatus } from '#domain/campaign/campaign.ts';
import type { CampaignStore, CampaignSummary, StoredMember } from '#domain/campaign/ports.ts';
import { InvalidInputError } from '#domain/errors.ts';
import type { TenantId } from '#domain/ids.ts';
import { guarded, isConditionalFailure } from './errors.ts';
import { queryAll } from './query-all.ts';

export const campaignKey = (campaignId: string) => ({ pk: `CAMPAIGN#${campaignId}`, sk: 'CAMPAIGN' });
export const memberPk = (campaignId: string, shard: number) => `CM#${campaignId}#${shard}`;
const LIST_PK = 'CAMPAIGNS';

const encode = (key: Record<string, unknown>) => Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
function decode(token: string): Record<string, unknown> {
  try {
    const key = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (key['gsi1pk'] === LIST_PK && typeof key['pk'] === 'string') return key;
  } catch {
    /* fall through */
  }
  throw new InvalidInputError('nextToken is not one this list gave out', [{ field: 'nextToken', message: 'invalid' }]);
}

export class DynamoCampaignStore implements CampaignStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableOf: (tenant: TenantId) => string,
  ) {}

  async create(tenant: TenantId, record: CampaignRecord): Promise<void> {
    await guarded(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tableOf(tenant),
          Item: {
            ...campaignKey(record.campaignId),
            kind: 'campaign',
            gsi1pk: LIST_PK,
            gsi1sk: `${record.createdAt}#${record.campaignId}`,
            ...record,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  async get(tenant: TenantId, campaignId: string): Promise<CampaignRecord | undefined> {
    const out = await guarded(() =>
      this.db.send(
        new GetCommand({ TableName: this.tableOf(tenant), Key: campaignKey(campaignId), ConsistentRead: true }),
      ),
    );
    if (!out.Item) return undefined;
    const { pk: _pk, sk: _sk, kind: _k, gsi1pk: _a, gsi1sk: _b, ...record } = out.Item;
    return record as CampaignRecord;
  }

  async list(
    tenant: TenantId,
    opts: { limit?: number; nextToken?: string },
  ): Promise<{ items: CampaignSummary[]; nextToken?: string }> {
    const out = await guarded(() =>
      this.db.send(
        new QueryCommand({
          TableName: this.tableOf(tenant),
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :p',
          ExpressionAttributeValues: { ':p': LIST_PK },
          ProjectionExpression: 'pk, sk, gsi1pk, gsi1sk, campaignId, #n, #s, phase, createdAt',
          ExpressionAttributeNames: { '#n': 'name', '#s': 'status' },
          ScanIndexForward: false,
          Limit: opts.limit ?? 50,
          ...(opts.nextToken ? { ExclusiveStartKey: decode(opts.nextToken) } : {}),
        }),
      ),
    );
    const items = (out.Items ?? []).map(
      (i) =>
        ({
          campaignId: i['campaignId'],
          name: i['name'],
          status: i['status'],
          phase: i['phase'],
          createdAt: i['createdAt'],
        }) as CampaignSummary,
    );
    return { items, ...(out.LastEvaluatedKey ? { nextToken: encode(out.LastEvaluatedKey) } : {}) };
  }

  async update(
    tenant: TenantId,
    campaignId: string,
    patch: Partial<CampaignRecord>,
    ifStatusIn?: CampaignStatus[],
  ): Promise<boolean> {
    const entries = Object.entries(patch).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return true;
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets = entries.map(([k, v], i) => {
      names[`#f${i}`] = k;
      values[`:v${i}`] = v;
      return `#f${i} = :v${i}`;
    });
    let condition = 'attribute_exists(pk)';
    if (ifStatusIn?.length) {
      names['#status'] = 'status';
      condition += ` AND #status IN (${ifStatusIn
        .map((s, i) => {
          values[`:s${i}`] = s;
          return `:s${i}`;
        })
        .join(', ')})`;
    }
    try {
      await guarded(() =>
        this.db.send(
          new UpdateCommand({
            TableName: this.tableOf(tenant),
            Key: campaignKey(campaignId),
            UpdateExpression: `SET ${sets.join(', ')}`,
            ConditionExpression: condition,
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

  async putMembers(
    tenant: TenantId,
    campaignId: string,
    shard: (customerId: string) => number,
    members: CampaignMember[],
  ): Promise<void> {
    const table = this.tableOf(tenant);
    for (let i = 0; i < members.length; i += 25) {
      let pending = members.slice(i, i + 25).map((m) => ({
        PutRequest: {
          Item: { pk: memberPk(campaignId, shard(m.customerId)), sk: m.customerId, kind: 'campaign-member', ...m },
        },
      }));
      for (let attempt = 0; pending.length; attempt++) {
        const out = await guarded(() => this.db.send(new BatchWriteCommand({ RequestItems: { [table]: pending } })));
        pending = (out.UnprocessedItems?.[table] ?? []) as typeof pending;
        if (pending.length) await sleep(Math.min(1000, 25 * 2 ** attempt));
      }
    }
  }

  async members(tenant: TenantId, campaignId: string, shard: number): Promise<StoredMember[]> {
    const items = await queryAll(this.db, {
      TableName: this.tableOf(tenant),
      KeyConditionExpression: 'pk = :p',
      ExpressionAttributeValues: { ':p': memberPk(campaignId, shard) },
    });
    return items.map(({ pk: _pk, sk: _sk, kind: _k, ...m }) => m as unknown as StoredMember);
  }

  async transition(
    tenant: TenantId,
    campaignId: string,
    shard: number,
    from: MemberStatus,
    to: StoredMember,
  ): Promise<boolean> {
    try {
      await guarded(() =>
        this.db.send(
          new PutCommand({
            TableName: this.tableOf(tenant),
            Item: { pk: memberPk(campaignId, shard), sk: to.customerId, kind: 'campaign-member', ...to },
            ConditionExpression: '#s = :from',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':from': from },
          }),
        ),
      );
      return true;
    } catch (err) {
      if (isConditionalFailure(err)) return false;
      throw err;
    }
  }
}
