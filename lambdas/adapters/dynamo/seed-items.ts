import { GetCommand, PutCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SEED_ACTOR, type SeedMark, type SeedWrite } from '#domain/starter.ts';
import { nextStamp } from '#domain/versioned.ts';
import { guarded } from './errors.ts';
import { stampAttributes, versionCondition } from './versioned-items.ts';

/**
 * Seeded items carry `managedBy = seed` and `seedHash` beside their content and version. The API's
 * writes (`write`) replace the whole item, so a tenant's write drops both and the item becomes the
 * tenant's; the seeder's own writes move the version on as the API's do.
 * The ids the seeder ever created live in one ledger item per kind (`SEED#<kind>` / `SEED`, a
 * string set), so an item a tenant deleted is not created again; no listing or scan reads it.
 */
const ledgerKey = (kind: string) => ({ pk: `SEED#${kind}`, sk: 'SEED' });

export function seedMarkOf(item: Record<string, unknown>): SeedMark | undefined {
  const hash = item['seedHash'];
  return item['managedBy'] === SEED_ACTOR && typeof hash === 'string'
    ? { managedBy: SEED_ACTOR, seedHash: hash }
    : undefined;
}

export async function seededIds(db: DynamoDBDocumentClient, table: string, kind: string): Promise<ReadonlySet<string>> {
  const out = await guarded(() =>
    db.send(new GetCommand({ TableName: table, Key: ledgerKey(kind), ConsistentRead: true })),
  );
  const ids = out.Item?.['ids'];
  return ids instanceof Set ? (ids as Set<string>) : new Set();
}

function lostCondition(err: unknown): boolean {
  const e = err as { name?: string; CancellationReasons?: { Code?: string }[] } | undefined;
  if (e?.name === 'ConditionalCheckFailedException') return true;
  return (
    e?.name === 'TransactionCanceledException' &&
    (e.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed')
  );
}

/**
 * Writes one seeded item (`item` holds its keys and content) with the next version: without
 * `replaces`, only if absent, recording its id in the ledger in the same transaction; with it,
 * only if the stored item still carries that seed hash and version. False when the condition failed.
 */
export async function writeSeededItem(
  db: DynamoDBDocumentClient,
  table: string,
  seed: SeedWrite & { kind: string; id: string },
  item: Record<string, unknown>,
): Promise<boolean> {
  const Item = {
    ...item,
    managedBy: SEED_ACTOR,
    seedHash: seed.hash,
    ...stampAttributes(nextStamp(seed.replaces?.stamp, seed.at)),
  };
  try {
    if (!seed.replaces) {
      await guarded(() =>
        db.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: table, Item, ConditionExpression: 'attribute_not_exists(pk)' } },
              {
                Update: {
                  TableName: table,
                  Key: ledgerKey(seed.kind),
                  UpdateExpression: 'ADD ids :id',
                  ExpressionAttributeValues: { ':id': new Set([seed.id]) },
                },
              },
            ],
          }),
        ),
      );
    } else {
      const version = versionCondition(seed.replaces.stamp.version);
      await guarded(() =>
        db.send(
          new PutCommand({
            TableName: table,
            Item,
            ConditionExpression: `managedBy = :seed AND seedHash = :expected AND (${version.condition})`,
            ExpressionAttributeValues: { ':seed': SEED_ACTOR, ':expected': seed.replaces!.seedHash, ...version.values },
          }),
        ),
      );
    }
    return true;
  } catch (err) {
    if (lostCondition(err)) return false;
    throw err;
  }
}
