import { GetCommand, PutCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApiKeyRecord } from '#domain/api-key.ts';
import type { KeyAdminStore, StoredKey } from '#domain/ports/keys.ts';
import { guarded, isConditionalFailure } from './errors.ts';

const keyOf = (keyHash: string) => ({ pk: `K#${keyHash}` });

/** The item's record without the storage attributes (key, TTL, version). */
function storedOf(item: Record<string, unknown>): StoredKey | undefined {
  const { pk, expiresAtEpoch: _ttl, version, ...record } = item;
  if (typeof pk !== 'string' || !pk.startsWith('K#')) return undefined;
  return { keyHash: pk.slice(2), record: record as unknown as ApiKeyRecord, version: Number(version ?? 0) };
}

/**
 * Keys are stored by their SHA-256 hash; the key itself is never written anywhere. Every item
 * carries a `version`, and every change (insert, replace) is a conditional Put on it.
 */
export class DynamoKeyStore implements KeyAdminStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Strongly consistent, so a revocation is seen by the first authorization after it (the cache flushed). */
  async find(keyHash: string): Promise<ApiKeyRecord | undefined> {
    return (await this.load(keyHash))?.record;
  }

  async load(keyHash: string): Promise<StoredKey | undefined> {
    const out = await guarded(() =>
      this.db.send(new GetCommand({ TableName: this.table, Key: keyOf(keyHash), ConsistentRead: true })),
    );
    return out.Item ? storedOf(out.Item) : undefined;
  }

  /** A tenant's keys: a Scan filtered by tenant (the table is small: a few keys per tenant; admin use only). */
  async list(tenant: string): Promise<StoredKey[]> {
    const out: StoredKey[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await guarded(() =>
        this.db.send(
          new ScanCommand({
            TableName: this.table,
            FilterExpression: '#tenant = :tenant',
            ExpressionAttributeNames: { '#tenant': 'tenant' },
            ExpressionAttributeValues: { ':tenant': tenant },
            ConsistentRead: true,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        ),
      );
      for (const item of page.Items ?? []) {
        const stored = storedOf(item);
        if (stored) out.push(stored);
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  /** Seeding: a key written as is (the local runtime's and the tests' fixed keys). */
  async save(keyHash: string, record: ApiKeyRecord): Promise<void> {
    await this.put(keyHash, record, 1);
  }

  async insert(keyHash: string, record: ApiKeyRecord): Promise<void> {
    await this.put(keyHash, record, 1, { ConditionExpression: 'attribute_not_exists(pk)' });
  }

  async replace(keyHash: string, record: ApiKeyRecord, version: number): Promise<boolean> {
    try {
      await this.put(keyHash, record, version + 1, {
        // version 0: a record from before versions, which has no attribute yet
        ConditionExpression:
          version === 0 ? 'attribute_exists(pk) AND attribute_not_exists(version)' : 'version = :version',
        ...(version === 0 ? {} : { ExpressionAttributeValues: { ':version': version } }),
      });
      return true;
    } catch (err) {
      if (isConditionalFailure(err)) return false;
      throw err;
    }
  }

  private async put(
    keyHash: string,
    record: ApiKeyRecord,
    version: number,
    condition: { ConditionExpression?: string; ExpressionAttributeValues?: Record<string, unknown> } = {},
  ): Promise<void> {
    const ttl = record.expiresAt
      ? { expiresAtEpoch: Math.floor(new Date(record.expiresAt).getTime() / 1000) + 86_400 }
      : {};
    await guarded(() =>
      this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...record, ...ttl, ...keyOf(keyHash), version },
          ...condition,
        }),
      ),
    );
  }
}
