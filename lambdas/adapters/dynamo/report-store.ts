import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type * as z from 'zod';
import type { CustomerRecord } from '#domain/customer.ts';
import { storedStateViewOf } from '#domain/customer-state.ts';
import type { ReportScan, ReportStore } from '#domain/ports/reports.ts';
import type { Granularity, ReportCustomer, ReportName, ReportSnapshot } from '#domain/reports/report.ts';
import { PROFILE_SK, STATE_SK } from './customer-repo.ts';
import { guarded } from './errors.ts';
import { scanPartitions } from './scan-partitions.ts';
import { storedAs } from './stored-items.ts';
import { ReportSnapshotFields } from '#edge/records/report-snapshot.ts';

type TableNameOf = (tenant: string) => string;

export const reportPk = (name: string) => `R#${name}`;
export const reportSk = (granularity: string, period: string) => `${granularity}#${period}`;

/** A snapshot as the build wrote it (loose: what a later build adds is kept, as the API showed it before). */
const StoredSnapshot: z.ZodType<ReportSnapshot> = ReportSnapshotFields.loose();

/** Only what the reports read of profile and state (decisions come from the decision log's byDay index). */
const PROJECTED = [
  'pk',
  'sk',
  'kind',
  'customerId',
  'segment',
  'tariff',
  'tenureMonths',
  'monthlyCharge',
  'products',
  'scores',
  'status',
  'spend30d',
  'careContacts30d',
  'unresolvedContacts30d',
  'lastNps',
  'churn',
  'acquisition',
  'lastOfferResponse',
];
// every name through a placeholder: several are DynamoDB reserved words (segment, status)
const NAMES = Object.fromEntries(PROJECTED.map((a, i) => [`#a${i}`, a]));
const PROJECTION = Object.keys(NAMES).join(', ');

/**
 * The reports' side of the tenant table. The scan reads profile `P` and state `S` of customer
 * partitions (`C#`), in parallel segments; items of one partition sit together in a segment, so
 * a customer is yielded once its partition is complete. Decisions are not in this table (they are
 * in the decision log) and contacts are not read, though a Scan is billed for what it passes over:
 * see docs/capacity.md for the bytes per customer. Snapshots are one item per report and period
 * (`R#<name>`, `<granularity>#<period>`).
 */
export class DynamoReportStore implements ReportScan, ReportStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableOf: TableNameOf,
  ) {}

  async *scanSegment(
    tenant: string,
    segment: number,
    totalSegments: number,
    pageSize = 1000,
  ): AsyncIterable<ReportCustomer> {
    const partitions = scanPartitions(this.db, {
      TableName: this.tableOf(tenant),
      Segment: segment,
      TotalSegments: totalSegments,
      Limit: pageSize,
      ProjectionExpression: PROJECTION,
      FilterExpression: 'begins_with(pk, :c) AND sk IN (:p, :s)',
      ExpressionAttributeNames: NAMES,
      ExpressionAttributeValues: { ':c': 'C#', ':p': PROFILE_SK, ':s': STATE_SK },
    });
    for await (const items of partitions) {
      const customer: ReportCustomer = { customerId: String(items[0]!['pk']).slice(2) };
      for (const { pk: _pk, sk, kind, ...rest } of items) {
        if (sk === PROFILE_SK) {
          if (kind === 'profile') customer.record = rest as unknown as CustomerRecord;
        } else if (sk === STATE_SK) customer.state = storedStateViewOf(rest);
      }
      if (customer.record || customer.state) yield customer;
    }
  }

  async save(tenant: string, snapshots: ReportSnapshot[]): Promise<void> {
    const table = this.tableOf(tenant);
    for (const s of snapshots) {
      await guarded(() =>
        this.db.send(
          new PutCommand({
            TableName: table,
            Item: { pk: reportPk(s.name), sk: reportSk(s.granularity, s.period), kind: 'report', ...s },
          }),
        ),
      );
    }
  }

  async read(
    tenant: string,
    name: ReportName,
    granularity: Granularity,
    range: { from?: string; to?: string },
  ): Promise<ReportSnapshot[]> {
    const latestOnly = range.from === undefined && range.to === undefined;
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await guarded(() =>
        this.db.send(
          new QueryCommand({
            TableName: this.tableOf(tenant),
            KeyConditionExpression: latestOnly
              ? 'pk = :pk AND begins_with(sk, :g)'
              : 'pk = :pk AND sk BETWEEN :from AND :to',
            ExpressionAttributeValues: latestOnly
              ? { ':pk': reportPk(name), ':g': `${granularity}#` }
              : {
                  ':pk': reportPk(name),
                  ':from': reportSk(granularity, range.from ?? ''),
                  ':to': reportSk(granularity, `${range.to ?? '9999'}~`),
                },
            ScanIndexForward: !latestOnly,
            ...(latestOnly ? { Limit: 1 } : {}),
            ExclusiveStartKey: start,
          }),
        ),
      );
      items.push(...(out.Items ?? []));
      start = latestOnly ? undefined : out.LastEvaluatedKey;
    } while (start);
    return items.map(({ pk: _pk, sk: _sk, kind: _k, ...s }) => storedAs(StoredSnapshot, s, 'report snapshot'));
  }
}
