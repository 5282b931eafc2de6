import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CustomerRecord, Scores } from '#domain/customer.ts';
import { storedStateViewOf, type StoredStateView } from '#domain/customer-state.ts';
import type { ProfileScan, ScannedCustomer, ScoreStore } from '#domain/ports/scoring.ts';
import { customerRecordOf } from './customer-item.ts';
import { customerPk, PROFILE_SK, STATE_SK } from './customer-repo.ts';
import { guarded, isConditionalFailure } from './errors.ts';
import { scanPartitions } from './scan-partitions.ts';

type TableNameOf = (tenant: string) => string;

/**
 * Scores on profiles and the scan that batch scoring reads: one `UpdateItem` of the `scores`
 * attribute (the profile's version and `updatedAt` are the client's and stay as they are, so an
 * If-Match round trip is not broken by nightly scoring), and a parallel-scan segment of the
 * tenant table that yields each live profile with its state.
 */
export class DynamoScoreStore implements ScoreStore, ProfileScan {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableOf: TableNameOf,
  ) {}

  async saveScores(tenant: string, customerId: string, scores: Scores): Promise<'written' | 'missing'> {
    try {
      await guarded(() =>
        this.db.send(
          new UpdateCommand({
            TableName: this.tableOf(tenant),
            Key: { pk: customerPk(customerId), sk: PROFILE_SK },
            UpdateExpression: 'SET scores = :s',
            // only a live profile: never create an item, never touch a tombstone
            ConditionExpression: 'attribute_exists(pk) AND kind = :profile',
            ExpressionAttributeValues: { ':s': scores, ':profile': 'profile' },
          }),
        ),
      );
      return 'written';
    } catch (err) {
      if (isConditionalFailure(err)) return 'missing';
      throw err;
    }
  }

  /** Each live profile of one parallel-Scan segment, with its state. */
  async *scanSegment(
    tenant: string,
    segment: number,
    totalSegments: number,
    pageSize = 500,
  ): AsyncIterable<ScannedCustomer> {
    const partitions = scanPartitions(this.db, {
      TableName: this.tableOf(tenant),
      Segment: segment,
      TotalSegments: totalSegments,
      Limit: pageSize,
      FilterExpression: 'sk IN (:p, :s)',
      ExpressionAttributeValues: { ':p': PROFILE_SK, ':s': STATE_SK },
    });
    for await (const items of partitions) {
      let record: CustomerRecord | undefined;
      let state: StoredStateView | undefined;
      for (const item of items) {
        const { pk: _pk, sk, kind, gsi1pk: _a, gsi1sk: _b, ...rest } = item;
        if (sk === PROFILE_SK && kind === 'profile') record = customerRecordOf(item);
        else if (sk === STATE_SK) state = storedStateViewOf(rest);
      }
      if (record) yield { customerId: record.customerId, record, ...(state ? { state } : {}) };
    }
  }
}
