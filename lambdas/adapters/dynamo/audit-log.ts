import { randomUUID } from 'node:crypto';
import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEntry, AuditLog, AuditPage } from '#domain/audit.ts';
import { InvalidInputError } from '#domain/errors.ts';
import type { TenantId } from '#domain/ids.ts';
import { guarded } from './errors.ts';

/** Audit entries live in the tenant's own table: `AU#<yyyy-mm>` / `<iso>#<id>`, expiring by TTL. */
export const auditKey = (at: string, id: string) => ({ pk: `AU#${at.slice(0, 7)}`, sk: `${at}#${id}` });

const encode = (key: Record<string, unknown>) => Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
function decode(token: string, month: string): Record<string, unknown> {
  try {
    const key = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (key['pk'] === `AU#${month}` && typeof key['sk'] === 'string') return key;
  } catch {
    /* fall through */
  }
  throw new InvalidInputError('nextToken is not one this list gave out', [{ field: 'nextToken', message: 'invalid' }]);
}

export class DynamoAuditLog implements AuditLog {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableOf: (tenant: TenantId) => string,
    private readonly retentionDays = 400,
  ) {}

  async record(entry: Omit<AuditEntry, 'id'>): Promise<void> {
    const id = randomUUID();
    const expiresAt = Math.floor(new Date(entry.at).getTime() / 1000) + this.retentionDays * 86_400;
    await guarded(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tableOf(entry.tenant),
          Item: { ...auditKey(entry.at, id), kind: 'audit', id, ...entry, expiresAt },
        }),
      ),
    );
  }

  async list(tenant: TenantId, month: string, opts: { limit?: number; nextToken?: string } = {}): Promise<AuditPage> {
    const out = await guarded(() =>
      this.db.send(
        new QueryCommand({
          TableName: this.tableOf(tenant),
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `AU#${month}` },
          ScanIndexForward: false,
          Limit: opts.limit ?? 50,
          ...(opts.nextToken ? { ExclusiveStartKey: decode(opts.nextToken, month) } : {}),
        }),
      ),
    );
    const items = (out.Items ?? [])
      .filter((i) => i['tenant'] === tenant)
      .map(({ pk: _pk, sk: _sk, kind: _k, expiresAt: _e, ...e }) => e as AuditEntry);
    return { items, ...(out.LastEvaluatedKey ? { nextToken: encode(out.LastEvaluatedKey) } : {}) };
  }
}
