import { randomUUID } from 'node:crypto';
import { DeleteCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type * as z from 'zod';
import {
  isAboutCustomer,
  type AuditEntry,
  type AuditLog,
  type AuditPage,
  type CustomerAuditTrail,
} from '#domain/audit.ts';
import type { TenantId } from '#domain/ids.ts';
import type { PageRequest } from '#domain/paging.ts';
import { AuditEntryFields } from '#edge/records/audit-entry.ts';
import { AUDIT_REF_PREFIX, customerPk } from './customer-keys.ts';
import { guarded, isConditionalFailure } from './errors.ts';
import { queryPage } from './page-token.ts';
import { queryAll } from './query-all.ts';
import { storedAs } from './stored-items.ts';
import { batchGetAll } from './batch-get.ts';

/** An entry as written (loose: an erasure's `redacted` mark is kept, as the API showed it before). */
const StoredAuditEntry: z.ZodType<AuditEntry> = AuditEntryFields.loose();

/** Audit entries live in the tenant's own table: `AU#<yyyy-mm>` / `<iso>#<id>`, expiring by TTL. */
export const auditKey = (at: string, id: string) => ({ pk: `AU#${at.slice(0, 7)}`, sk: `${at}#${id}` });

/**
 * The index from a customer to the entries about it: `C#<id>` / `AU#<iso>#<id>`, holding the
 * entry's key. `AU#` sorts before the customer's `H#`..`S` items, so the customer's own reads
 * (a bounded Query from `S` down) never meet it.
 */
const refKey = (customerId: string, at: string, id: string) => ({
  pk: customerPk(customerId),
  sk: `${AUDIT_REF_PREFIX}${at}#${id}`,
});

/**
 * The items of one entry written inside someone else's transaction (an opt-out's consent change,
 * with the state that applies its event): the entry, and for an entry about a customer its index
 * item, as `record` writes them.
 */
export function auditEntryItems(entry: AuditEntry, retentionDays = 400): Record<string, unknown>[] {
  const expiresAt = Math.floor(new Date(entry.at).getTime() / 1000) + retentionDays * 86_400;
  const key = auditKey(entry.at, entry.id);
  const ref = isAboutCustomer(entry)
    ? [{ ...refKey(entry.subject, entry.at, entry.id), kind: 'audit-ref', auditPk: key.pk, auditSk: key.sk, expiresAt }]
    : [];
  return [...ref, { ...key, kind: 'audit', ...entry, expiresAt }];
}

/** A month of the trail is its own list: a token of one month does not page another. */
const pagesOf = (month: string) => ({
  list: `audit:${month}`,
  isKey: (k: Record<string, unknown>) => k['pk'] === `AU#${month}`,
});

export class DynamoAuditLog implements AuditLog, CustomerAuditTrail {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableOf: (tenant: TenantId) => string,
    private readonly retentionDays = 400,
  ) {}

  async record(entry: Omit<AuditEntry, 'id'>): Promise<void> {
    const id = randomUUID();
    const expiresAt = Math.floor(new Date(entry.at).getTime() / 1000) + this.retentionDays * 86_400;
    const TableName = this.tableOf(entry.tenant);
    const key = auditKey(entry.at, id);
    // The index entry first: one left without its entry (a failed second write) is harmless, an
    // entry erasure cannot find is not.
    if (isAboutCustomer(entry)) {
      await guarded(() =>
        this.db.send(
          new PutCommand({
            TableName,
            Item: {
              ...refKey(entry.subject, entry.at, id),
              kind: 'audit-ref',
              auditPk: key.pk,
              auditSk: key.sk,
              expiresAt,
            },
          }),
        ),
      );
    }
    await guarded(() =>
      this.db.send(new PutCommand({ TableName, Item: { ...key, kind: 'audit', id, ...entry, expiresAt } })),
    );
  }

  private refsOf(tenant: TenantId, customerId: string) {
    return queryAll(this.db, {
      TableName: this.tableOf(tenant),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': customerPk(customerId), ':p': AUDIT_REF_PREFIX },
    });
  }

  async aboutCustomer(tenant: TenantId, customerId: string): Promise<AuditEntry[]> {
    const keys = (await this.refsOf(tenant, customerId)).map((r) => ({ pk: r['auditPk'], sk: r['auditSk'] }));
    const found: AuditEntry[] = [];
    for (const item of await batchGetAll(this.db, this.tableOf(tenant), keys, { consistent: true })) {
      const { pk: _pk, sk: _sk, kind: _k, expiresAt: _e, ...e } = item;
      if (e['subject'] === customerId) found.push(storedAs(StoredAuditEntry, e, 'audit entry'));
    }
    return found.sort((a, b) => a.at.localeCompare(b.at));
  }

  async redactCustomer(tenant: TenantId, customerId: string, ref: string): Promise<number> {
    const TableName = this.tableOf(tenant);
    let redacted = 0;
    for (const r of await this.refsOf(tenant, customerId)) {
      try {
        await guarded(() =>
          this.db.send(
            new UpdateCommand({
              TableName,
              Key: { pk: r['auditPk'], sk: r['auditSk'] },
              UpdateExpression: 'SET subject = :ref, redacted = :t',
              // only the entry as written: a repeated erasure (or one expired by TTL) changes nothing
              ConditionExpression: 'subject = :c',
              ExpressionAttributeValues: { ':ref': `ref:${ref}`, ':t': true, ':c': customerId },
            }),
          ),
        );
        redacted++;
      } catch (err) {
        if (!isConditionalFailure(err)) throw err;
      }
      await guarded(() => this.db.send(new DeleteCommand({ TableName, Key: { pk: r['pk'], sk: r['sk'] } })));
    }
    return redacted;
  }

  list(tenant: TenantId, month: string, opts: PageRequest = {}): Promise<AuditPage> {
    return queryPage(
      this.db,
      tenant,
      pagesOf(month),
      {
        TableName: this.tableOf(tenant),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `AU#${month}` },
        ScanIndexForward: false,
      },
      opts,
      (items) =>
        items
          .filter((i) => i['tenant'] === tenant)
          .map(({ pk: _pk, sk: _sk, kind: _k, expiresAt: _e, ...e }) => storedAs(StoredAuditEntry, e, 'audit entry')),
    );
  }
}
