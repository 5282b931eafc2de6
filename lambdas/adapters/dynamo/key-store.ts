import { GetCommand, PutCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApiKeyRecord } from '#domain/api-key.ts';
import type { KeyAdminStore } from '#domain/ports.ts';
import { guarded } from './errors.ts';

/** Keys are stored by their SHA-256 hash; the key itself is never written anywhere. */
export class DynamoKeyStore implements KeyAdminStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async find(keyHash: string): Promise<ApiKeyRecord | undefined> {
    const out = await guarded(() =>
      this.db.send(new GetCommand({ TableName: this.table, Key: { pk: `K#${keyHash}` } })),
    );
    if (!out.Item) return undefined;
    const { pk: _pk, expiresAtEpoch: _ttl, ...record } = out.Item;
    return record as ApiKeyRecord;
  }

  /** A tenant's keys: a Scan filtered by tenant (the table is small: a few keys per tenant; admin use only). */
  async list(tenant: string): Promise<{ keyHash: string; record: ApiKeyRecord }[]> {
    const out: { keyHash: string; record: ApiKeyRecord }[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await guarded(() =>
        this.db.send(
          new ScanCommand({
            TableName: this.table,
            FilterExpression: '#tenant = :tenant',
            ExpressionAttributeNames: { '#tenant': 'tenant' },
            ExpressionAttributeValues: { ':tenant': tenant },
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        ),
      );
      for (const item of page.Items ?? []) {
        const { pk, expiresAtEpoch: _ttl, ...record } = item;
        if (typeof pk === 'string' && pk.startsWith('K#'))
          out.push({ keyHash: pk.slice(2), record: record as ApiKeyRecord });
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  async save(keyHash: string, record: ApiKeyRecord): Promise<void> {
    const ttl = record.expiresAt
      ? { expiresAtEpoch: Math.floor(new Date(record.expiresAt).getTime() / 1000) + 86_400 }
      : {};
    await guarded(() =>
      this.db.send(new PutCommand({ TableName: this.table, Item: { pk: `K#${keyHash}`, ...record, ...ttl } })),
    );
  }
}
