import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApiKeyRecord } from '#domain/api-key.ts';
import type { KeyStore } from '#domain/ports.ts';
import { guarded } from './errors.ts';

/** Keys are stored by their SHA-256 hash; the key itself is never written anywhere. */
export class DynamoKeyStore implements KeyStore {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly table: string) {}

  async find(keyHash: string): Promise<ApiKeyRecord | undefined> {
    const out = await guarded(() => this.db.send(new GetCommand({ TableName: this.table, Key: { pk: `K#${keyHash}` } })));
    if (!out.Item) return undefined;
    const { pk: _pk, expiresAtEpoch: _ttl, ...record } = out.Item;
    return record as ApiKeyRecord;
  }

  async save(keyHash: string, record: ApiKeyRecord): Promise<void> {
    const ttl = record.expiresAt ? { expiresAtEpoch: Math.floor(new Date(record.expiresAt).getTime() / 1000) + 86_400 } : {};
    await guarded(() => this.db.send(new PutCommand({ TableName: this.table, Item: { pk: `K#${keyHash}`, ...record, ...ttl } })));
  }
}
