import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DecisionRecord } from '#domain/decisioning/decision-record.ts';
import type { CustomerDecisions } from '#domain/ports/decisions.ts';
import type { DecisionReportSource } from '#domain/ports/reports.ts';
import type { ReportDecision } from '#domain/reports/report.ts';
import { customerRefOf, DAY_SHARDS, recordOf, responsesOf, storedVariantsOf } from './decision-item.ts';
import { queryAll, queryPages } from './query-all.ts';
import { batchGetAll } from './batch-get.ts';
import { batchWriteAll } from './batch-write.ts';
import { isPlainObject, malformed } from './stored-items.ts';

type TableNameOf = (tenant: string) => string;

/**
 * A customer's decisions through the log's `byCustomer` index (keys only: a Query, then BatchGet
 * or BatchWrite by id). The index is eventually consistent: a decision logged in the last moment
 * before an erasure may be missed, and erasure is repeatable; no decision is made for a customer
 * after its tombstone is written.
 */
export class DynamoCustomerDecisions implements CustomerDecisions {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableOf: TableNameOf,
  ) {}

  private async idsOf(tenant: string, customerId: string): Promise<string[]> {
    const keys = await queryAll(this.db, {
      TableName: this.tableOf(tenant),
      IndexName: 'byCustomer',
      KeyConditionExpression: 'cref = :c',
      ExpressionAttributeValues: { ':c': customerRefOf(customerId) },
    });
    return keys.map((k) => String(k['id']));
  }

  async ofCustomer(tenant: string, customerId: string): Promise<DecisionRecord[]> {
    const ids = await this.idsOf(tenant, customerId);
    const items = await batchGetAll(
      this.db,
      this.tableOf(tenant),
      ids.map((id) => ({ id })),
    );
    // a hash collision could bring another customer's decision: only this customer's go out
    const records = items.filter((item) => item['customerId'] === customerId).map(recordOf);
    return records.sort((a, b) => a.at.localeCompare(b.at));
  }

  async eraseCustomer(tenant: string, customerId: string): Promise<number> {
    const table = this.tableOf(tenant);
    const ids = (await this.ofCustomer(tenant, customerId)).map((r) => r.decisionId);
    await batchWriteAll(
      this.db,
      table,
      ids.map((id) => ({ DeleteRequest: { Key: { id } } })),
    );
    return ids.length;
  }
}

/**
 * The decisions of some days from the log's `byDay` index, which holds only the attributes the
 * reports read (no treatments, reasons or context): each (day, shard) partition is one Query, and
 * `part` of `parts` reads the shards `shard % parts === part`, so parallel readers split the work.
 */
export class DynamoDecisionReportSource implements DecisionReportSource {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableOf: TableNameOf,
  ) {}

  async *decisionsOn(tenant: string, days: readonly string[], part = 0, parts = 1): AsyncIterable<ReportDecision> {
    for (const day of days) {
      for (let shard = part; shard < DAY_SHARDS; shard += parts) {
        for await (const out of queryPages(this.db, {
          TableName: this.tableOf(tenant),
          IndexName: 'byDay',
          KeyConditionExpression: 'dayShard = :d',
          ExpressionAttributeValues: { ':d': `${day}#${shard}` },
        }))
          for (const item of out.Items ?? []) yield reportDecisionOf(item);
      }
    }
  }
}

/** The action ids a logged decision offered, checked as its other fields are (decision-item.ts). */
function offeredIdsOf(offered: unknown): string[] {
  if (offered === undefined) return [];
  if (!Array.isArray(offered) || !offered.every((id): id is string => typeof id === 'string'))
    throw malformed('decision', 'offered');
  return offered;
}

function reportDecisionOf(item: Record<string, unknown>): ReportDecision {
  const answered = new Map(responsesOf(item['responses']).map((r) => [r.actionId, r.response]));
  const experiment = item['experiment'];
  const variants = storedVariantsOf(experiment);
  const group = isPlainObject(experiment) ? experiment['group'] : undefined;
  return {
    customerId: String(item['customerId']),
    at: String(item['at']),
    channel: String(item['channel'] ?? 'unknown'),
    group: typeof group === 'string' ? group : 'champion',
    offers: offeredIdsOf(item['offered']).map((actionId) => {
      const response = answered.get(actionId);
      const variantId = variants[actionId];
      return { actionId, ...(variantId ? { variantId } : {}), ...(response ? { response } : {}) };
    }),
    ...(item['valueTier'] ? { valueTier: String(item['valueTier']) } : {}),
    ...(item['segment'] ? { segment: String(item['segment']) } : {}),
  };
}
