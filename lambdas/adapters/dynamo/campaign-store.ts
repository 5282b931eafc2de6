import { PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { CAMPAIGN_PHASES } from '#domain/campaign/assignment.ts';
import {
  CAMPAIGN_STATUSES,
  type CampaignMember,
  type CampaignRecord,
  type CampaignStatus,
  type MemberStatus,
} from '#domain/campaign/campaign.ts';
import type { PhaseReport } from '#domain/campaign/report.ts';
import type { CampaignStore, CampaignSummary, StoredMember } from '#domain/campaign/ports.ts';
import type { BudgetLimits } from '#domain/campaign/budget.ts';
import type { TenantId } from '#domain/ids.ts';
import type { Page, PageRequest } from '#domain/paging.ts';
import { createListed, readListed } from './listed-records.ts';
import { guarded, isConditionalFailure } from './errors.ts';
import { queryPage } from './page-token.ts';
import { queryAll } from './query-all.ts';
import { CAMPAIGN_LIST_PK, campaignKey, memberPk } from './campaign-keys.ts';
import { StoredAudience, storedMemberOf } from './campaign-item.ts';
import { isPlainObject, StoredChannel, StoredRule, storedAs } from './stored-items.ts';
import { batchWriteAll } from './batch-write.ts';

const PAGES = { list: 'campaigns', isKey: (k: Record<string, unknown>) => k['gsi1pk'] === CAMPAIGN_LIST_PK };

const Status = z.enum(CAMPAIGN_STATUSES);
const Phase = z.enum(['preparing', 'selecting', ...CAMPAIGN_PHASES, 'done']);
const Goal = z.enum(['take-up', 'churn', 'revenue']);
/**
 * A phase's report is the workflow's own computation, written whole when it measures and only
 * shown afterwards: checked as an object, its figures not one by one.
 */
const StoredPhaseReport = z.custom<PhaseReport>(isPlainObject);
const StoredReport = z.looseObject({
  goal: Goal,
  phases: z.partialRecord(z.enum(CAMPAIGN_PHASES), StoredPhaseReport),
  total: StoredPhaseReport,
});
const optionalNumber = z.number().optional();

/** The record `create` wrote and `update` moved on, without keys and kind; types only, loose as before. */
const StoredCampaign = z.looseObject({
  name: z.string(),
  goal: Goal,
  audience: StoredAudience,
  actionIds: z.array(z.string()),
  channel: StoredChannel,
  controlGroupPercent: z.number(),
  pilot: z.union([
    z.looseObject({ percent: z.number(), minUplift: z.number() }),
    z.looseObject({ where: StoredRule, minUplift: z.number() }),
  ]),
  responseWindow: z.string(),
  schedule: z
    .looseObject({ startAt: z.string(), repeat: z.enum(['none', 'daily', 'weekly']), until: z.string().optional() })
    .optional(),
  budget: z.looseObject({ maxContacts: optionalNumber, maxCostUsd: optionalNumber }).optional(),
  campaignId: z.string(),
  status: Status,
  phase: Phase,
  createdAt: z.string(),
  updatedAt: z.string(),
  executionId: z.string().optional(),
  counts: z
    .looseObject({
      audience: z.number(),
      control: z.number(),
      treatment: z.number(),
      pilot: z.number(),
      rollout: z.number(),
    })
    .optional(),
  memberShards: optionalNumber,
  phases: z
    .partialRecord(
      z.enum(CAMPAIGN_PHASES),
      z.looseObject({
        startedAt: z.string().optional(),
        measuredAt: z.string().optional(),
        contacted: optionalNumber,
        suppressed: optionalNumber,
        failed: optionalNumber,
        verdict: z.looseObject({ rollOut: z.boolean(), reason: z.string() }).optional(),
      }),
    )
    .optional(),
  reason: z.string().optional(),
  report: StoredReport.optional(),
  budgetUse: z
    .looseObject({ heldContacts: z.number(), heldNanoUsd: z.number(), contacts: z.number(), nanoUsd: z.number() })
    .optional(),
  budgetReached: z.enum(['budget.maxContacts', 'budget.maxCostUsd']).optional(),
  runId: z.string().optional(),
  runCount: optionalNumber,
  nextRunAt: z.string().optional(),
  runs: z
    .array(
      z.looseObject({
        runId: z.string(),
        startedAt: z.string(),
        status: Status,
        report: StoredReport.optional(),
        reason: z.string().optional(),
      }),
    )
    .optional(),
}) satisfies z.ZodType<CampaignRecord, unknown>;

/** What the list index projects (`list` asks for no more). */
const StoredSummary = z.object({
  campaignId: z.string(),
  name: z.string(),
  status: Status,
  phase: Phase,
  createdAt: z.string(),
}) satisfies z.ZodType<CampaignSummary, unknown>;

/** Campaign records and their members; a customer's side of them (export, erasure) is campaign-memberships.ts. */
export class DynamoCampaignStore implements CampaignStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableOf: (tenant: TenantId) => string,
  ) {}

  create(tenant: TenantId, record: CampaignRecord): Promise<void> {
    const listSk = `${record.createdAt}#${record.campaignId}`;
    return createListed(
      this.db,
      this.tableOf(tenant),
      { key: campaignKey(record.campaignId), kind: 'campaign', listPk: CAMPAIGN_LIST_PK, listSk },
      record,
    );
  }

  async get(tenant: TenantId, campaignId: string): Promise<CampaignRecord | undefined> {
    const record = await readListed(this.db, this.tableOf(tenant), campaignKey(campaignId));
    return record && storedAs(StoredCampaign, record, 'campaign');
  }

  list(tenant: TenantId, opts: PageRequest): Promise<Page<CampaignSummary>> {
    return queryPage(
      this.db,
      tenant,
      PAGES,
      {
        TableName: this.tableOf(tenant),
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': CAMPAIGN_LIST_PK },
        ProjectionExpression: 'pk, sk, gsi1pk, gsi1sk, campaignId, #n, #s, phase, createdAt',
        ExpressionAttributeNames: { '#n': 'name', '#s': 'status' },
        ScanIndexForward: false,
      },
      opts,
      (items) => items.map((i) => storedAs(StoredSummary, i, 'campaign')),
    );
  }

  async update(
    tenant: TenantId,
    campaignId: string,
    patch: Partial<CampaignRecord>,
    ifStatusIn?: CampaignStatus[],
    remove: (keyof CampaignRecord)[] = [],
  ): Promise<boolean> {
    const entries = Object.entries(patch).filter(([, v]) => v !== undefined);
    if (entries.length === 0 && remove.length === 0) return true;
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets = entries.map(([k, v], i) => {
      names[`#f${i}`] = k;
      values[`:v${i}`] = v;
      return `#f${i} = :v${i}`;
    });
    const removes = remove.map((k, i) => {
      names[`#r${i}`] = k;
      return `#r${i}`;
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
            UpdateExpression: [
              sets.length ? `SET ${sets.join(', ')}` : '',
              removes.length ? `REMOVE ${removes.join(', ')}` : '',
            ]
              .filter(Boolean)
              .join(' '),
            ConditionExpression: condition,
            ExpressionAttributeNames: names,
            ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
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
    await batchWriteAll(
      this.db,
      table,
      members.map((m) => ({
        PutRequest: {
          Item: { pk: memberPk(campaignId, shard(m.customerId)), sk: m.customerId, kind: 'campaign-member', ...m },
        },
      })),
    );
  }

  async holdBudget(tenant: TenantId, campaignId: string, nanoUsd: number, limits: BudgetLimits): Promise<boolean> {
    // conditions cannot add, so the room left is computed here: held + cost <= max is held <= max - cost
    const conditions = ['attribute_exists(budgetUse)'];
    const values: Record<string, unknown> = { ':one': 1, ':cost': nanoUsd };
    if (limits.maxContacts !== undefined) {
      conditions.push('budgetUse.heldContacts <= :contactRoom');
      values[':contactRoom'] = limits.maxContacts - 1;
    }
    if (limits.maxNanoUsd !== undefined) {
      conditions.push('budgetUse.heldNanoUsd <= :costRoom');
      values[':costRoom'] = limits.maxNanoUsd - nanoUsd;
    }
    try {
      await guarded(() =>
        this.db.send(
          new UpdateCommand({
            TableName: this.tableOf(tenant),
            Key: campaignKey(campaignId),
            UpdateExpression: 'ADD budgetUse.heldContacts :one, budgetUse.heldNanoUsd :cost',
            ConditionExpression: conditions.join(' AND '),
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

  async settleBudget(
    tenant: TenantId,
    campaignId: string,
    heldNanoUsd: number,
    nanoUsd: number | undefined,
  ): Promise<void> {
    const update =
      nanoUsd === undefined
        ? {
            UpdateExpression: 'ADD budgetUse.heldContacts :minusOne, budgetUse.heldNanoUsd :release',
            ExpressionAttributeValues: { ':minusOne': -1, ':release': -heldNanoUsd },
          }
        : {
            UpdateExpression: 'ADD budgetUse.contacts :one, budgetUse.nanoUsd :cost, budgetUse.heldNanoUsd :correction',
            ExpressionAttributeValues: { ':one': 1, ':cost': nanoUsd, ':correction': nanoUsd - heldNanoUsd },
          };
    await guarded(() =>
      this.db.send(new UpdateCommand({ TableName: this.tableOf(tenant), Key: campaignKey(campaignId), ...update })),
    );
  }

  async members(tenant: TenantId, campaignId: string, shard: number): Promise<StoredMember[]> {
    const items = await queryAll(this.db, {
      TableName: this.tableOf(tenant),
      KeyConditionExpression: 'pk = :p',
      ExpressionAttributeValues: { ':p': memberPk(campaignId, shard) },
    });
    return items.map(storedMemberOf);
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
