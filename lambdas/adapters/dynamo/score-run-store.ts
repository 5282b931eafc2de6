import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { TenantId } from '#domain/ids.ts';
import type { ScoreRunStore, SegmentCounts } from '#domain/ports/scoring.ts';
import { guarded } from './errors.ts';
import { queryPages } from './query-all.ts';
import { SCORE_RUN_PK_PREFIX } from './table-design.ts';

type TableNameOf = (tenant: TenantId) => string;

/** The partition of a score-base run in the tenant table: one item per segment under it. */
export const scoreRunPk = (run: string) => `${SCORE_RUN_PK_PREFIX}${run}`;
/** Zero-padded so a run's segments come back in segment order. */
export const scoreSegmentSk = (segment: number) => `SEG#${String(segment).padStart(7, '0')}`;

const Kept = z.object({
  segment: z.number().int().min(0),
  scored: z.number().int().min(0),
  written: z.number().int().min(0),
  skipped: z.number().int().min(0),
  histograms: z.record(z.string(), z.array(z.number().int().min(0))),
});

// every name through a placeholder: `segment` is a DynamoDB reserved word
const FIELDS = ['segment', 'scored', 'written', 'skipped', 'histograms'] as const;
const NAMES = Object.fromEntries(FIELDS.map((f, i) => [`#f${i}`, f]));

/**
 * Score-base run outcomes in the tenant's table, `SB#<run>` / `SEG#<segment>`: a Put per segment
 * (the same key on a retry, so the last attempt's outcome replaces an earlier one instead of
 * adding to it), read back by one strongly consistent Query of the run's partition, and left to
 * TTL (`expiresAt`). The nightly scans never read them: they keep only profile and state items.
 */
export class DynamoScoreRunStore implements ScoreRunStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableOf: TableNameOf,
  ) {}

  async keepSegment(tenant: TenantId, run: string, outcome: SegmentCounts, expiresAt: Date): Promise<void> {
    const { segment, scored, written, skipped, histograms } = outcome;
    await guarded(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tableOf(tenant),
          Item: {
            pk: scoreRunPk(run),
            sk: scoreSegmentSk(segment),
            kind: 'score-segment',
            run,
            segment,
            scored,
            written,
            skipped,
            histograms,
            expiresAt: Math.floor(expiresAt.getTime() / 1000),
          },
        }),
      ),
    );
  }

  async *segmentsOf(tenant: TenantId, run: string): AsyncIterable<SegmentCounts> {
    const pages = queryPages(this.db, {
      TableName: this.tableOf(tenant),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': scoreRunPk(run) },
      ProjectionExpression: Object.keys(NAMES).join(', '),
      ExpressionAttributeNames: NAMES,
      // the report follows the segments' last writes at once: an eventually consistent read could miss one
      ConsistentRead: true,
    });
    for await (const page of pages) for (const item of page.Items ?? []) yield Kept.parse(item);
  }
}
