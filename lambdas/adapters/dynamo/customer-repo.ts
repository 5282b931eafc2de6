import { setTimeout as sleep } from 'node:timers/promises';
import { BatchWriteCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { displayContacts, ledgerOfRecords, noLedger, type LedgerBounds } from '#domain/contact-ledger.ts';
import { contactsOf } from '#domain/contact-policy.ts';
import type { CustomerRecord } from '#domain/customer.ts';
import { storedStateViewOf } from '#domain/customer-state.ts';
import { ConflictError, PreconditionFailedError } from '#domain/errors.ts';
import type { CustomerAggregate, CustomerRepo } from '#domain/ports/customers.ts';
import { legacyCustomerLedger } from './contact-ledger.ts';
import { customerRecordOf } from './customer-item.ts';
import { AUDIT_REF_PREFIX, CONTACT_PREFIX, customerPk, PROFILE_SK, STATE_SK } from './customer-keys.ts';
import { guarded, isConditionalFailure } from './errors.ts';
import { LEDGER_SK, storedLedgerOf } from './ledger-item.ts';
import { queryAll } from './query-all.ts';
import { batchGetAll } from './batch-get.ts';
import { batchWriteAll } from './batch-write.ts';
import { malformed } from './stored-items.ts';
import { profileAtVersion } from './versioned-items.ts';

/**
 * Item layout under one partition `C#<customerId>`, sorted so that one descending Query from `S`
 * reads the state, the profile and the contact ledger and stops:
 *   S        derived state (counters, last NPS, churn)
 *   P        profile, or the tombstone left by erasure (kind = 'tombstone')
 *   L        the contact ledger: what the contact policy counts, bounded by its limits (ledger-item.ts)
 *   H#<at>#  contact items of before the ledger, read only to build a ledger that is not there yet
 *            (legacy-contacts.ts); TTL deletes them
 *   E#...    event id records, read only by the processor, export and erasure
 *   AU#...   the index to the audit entries about the customer (audit-log.ts): export and erasure
 */
export { CONTACT_PREFIX, customerPk, PROFILE_SK, STATE_SK };
/** S, P, L and one more: an `H#` item there says a customer without a ledger has contacts of before it. */
const CUSTOMER_ITEMS = 4;
/** Legacy contacts shown for a customer without a ledger yet (as the display read did before it). */
const LEGACY_SHOWN = 23;

type TableNameOf = (tenant: string) => string;

const isAuditRef = (item: Record<string, unknown>) => String(item['sk']).startsWith(AUDIT_REF_PREFIX);

function toItem(record: CustomerRecord): Record<string, unknown> {
  return {
    pk: customerPk(record.customerId),
    sk: PROFILE_SK,
    kind: 'profile',
    ...record,
    ...(record.householdId ? { gsi1pk: `H#${record.householdId}`, gsi1sk: customerPk(record.customerId) } : {}),
  };
}

function erasedAtOf(tombstone: Record<string, unknown>): string {
  const at = tombstone['erasedAt'];
  if (typeof at !== 'string') throw malformed('customer tombstone', 'erasedAt');
  return at;
}

export class DynamoCustomerRepo implements CustomerRepo {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableOf: TableNameOf,
  ) {}

  /**
   * One Query of at most four items whatever the customer's history: state, profile, ledger. Only a
   * customer with no ledger yet and contact items of before it (item 6) pays a second read, once:
   * with `contactsSince` the items of the policy's window, from which the first commit stores the
   * ledger; without it the newest few, to show.
   */
  async load(
    tenant: string,
    customerId: string,
    opts: { contactsSince?: string; bounds?: LedgerBounds; now?: Date; consistent?: boolean } = {},
  ): Promise<CustomerAggregate> {
    const table = this.tableOf(tenant);
    const pk = customerPk(customerId);
    const out = await guarded(() =>
      this.db.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :h AND :s',
          ExpressionAttributeValues: { ':pk': pk, ':h': CONTACT_PREFIX, ':s': STATE_SK },
          ScanIndexForward: false,
          Limit: CUSTOMER_ITEMS,
          ...(opts.consistent ? { ConsistentRead: true } : {}),
        }),
      ),
    );
    const agg: CustomerAggregate = { ledger: noLedger(), contacts: [] };
    let ledgerItem: Record<string, unknown> | undefined;
    let legacy = false;
    for (const item of out.Items ?? []) {
      const sk = String(item['sk']);
      if (sk === PROFILE_SK) {
        if (item['kind'] === 'tombstone') agg.erasedAt = erasedAtOf(item);
        else agg.record = customerRecordOf(item);
      } else if (sk === STATE_SK) {
        const { pk: _pk, sk: _sk, ...state } = item;
        agg.state = storedStateViewOf(state);
      } else if (sk === LEDGER_SK) ledgerItem = item;
      else if (sk.startsWith(CONTACT_PREFIX)) legacy = true;
    }
    if (ledgerItem) {
      agg.ledger = storedLedgerOf(ledgerItem);
      agg.contacts = displayContacts(agg.ledger.ledger);
    } else if (legacy && opts.contactsSince && opts.bounds) {
      agg.ledger = await legacyCustomerLedger(this.db, table, customerId, {
        since: opts.contactsSince,
        bounds: opts.bounds,
        now: opts.now ?? new Date(),
      });
      agg.contacts = displayContacts(agg.ledger.ledger);
    } else if (legacy) {
      const items = await this.newestLegacy(table, pk);
      agg.ledger = { ledger: ledgerOfRecords(contactsOf(items)), version: 0, fromLegacy: true };
      agg.contacts = items.map(({ pk: _pk, sk: _sk, gsi1pk: _a, gsi1sk: _b, ...contact }) => contact);
    }
    return agg;
  }

  private async newestLegacy(table: string, pk: string) {
    const out = await guarded(() =>
      this.db.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :h)',
          ExpressionAttributeValues: { ':pk': pk, ':h': CONTACT_PREFIX },
          ScanIndexForward: false,
          Limit: LEGACY_SHOWN,
        }),
      ),
    );
    return out.Items ?? [];
  }

  async save(tenant: string, record: CustomerRecord, expectedVersion: number | undefined): Promise<void> {
    const condition =
      expectedVersion === undefined
        ? {
            ConditionExpression: 'attribute_not_exists(pk) OR kind <> :tomb',
            ExpressionAttributeValues: { ':tomb': 'tombstone' },
          }
        : expectedVersion === 0
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : profileAtVersion(expectedVersion);
    try {
      await guarded(() =>
        this.db.send(new PutCommand({ TableName: this.tableOf(tenant), Item: toItem(record), ...condition })),
      );
    } catch (err) {
      if (!isConditionalFailure(err)) throw err;
      const now = await this.load(tenant, record.customerId);
      if (now.erasedAt) throw new ConflictError(`customer ${record.customerId} was erased and cannot be recreated`);
      throw new PreconditionFailedError(`customer ${record.customerId} changed concurrently; read it again`);
    }
  }

  /** Profiles (or tombstones) of many customers, 100 keys per BatchGet. */
  async loadProfiles(tenant: string, customerIds: string[]): Promise<Map<string, CustomerRecord | 'erased'>> {
    const found = new Map<string, CustomerRecord | 'erased'>();
    const keys = customerIds.map((id) => ({ pk: customerPk(id), sk: PROFILE_SK }));
    for (const item of await batchGetAll(this.db, this.tableOf(tenant), keys)) {
      const id = String(item['pk']).slice(2);
      found.set(id, item['kind'] === 'tombstone' ? 'erased' : customerRecordOf(item));
    }
    return found;
  }

  /** Unconditional batch write (import): 25 items per call, unprocessed items retried with backoff. */
  async saveMany(tenant: string, records: CustomerRecord[]): Promise<{ written: number; failed: CustomerRecord[] }> {
    const table = this.tableOf(tenant);
    let written = 0;
    const failed: CustomerRecord[] = [];
    for (let i = 0; i < records.length; i += 25) {
      const chunk = records.slice(i, i + 25);
      let pending = chunk.map((r) => ({ PutRequest: { Item: toItem(r) } }));
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt === 8) {
          const left = new Set(pending.map((p) => p.PutRequest.Item['customerId']));
          failed.push(...chunk.filter((r) => left.has(r.customerId)));
          break;
        }
        const out = await guarded(() => this.db.send(new BatchWriteCommand({ RequestItems: { [table]: pending } })));
        const unprocessed = (out.UnprocessedItems?.[table] ?? []) as typeof pending;
        written += pending.length - unprocessed.length;
        pending = unprocessed;
        if (pending.length) await sleep(Math.min(2000, 25 * 2 ** attempt));
      }
    }
    return { written, failed };
  }

  private async allItems(tenant: string, customerId: string): Promise<Record<string, unknown>[]> {
    return queryAll(this.db, {
      TableName: this.tableOf(tenant),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': customerPk(customerId) },
    });
  }

  /** The customer's own items; the audit entries the `AU#` index points at are exported by the audit log. */
  async exportAll(tenant: string, customerId: string): Promise<Record<string, unknown>[]> {
    return (await this.allItems(tenant, customerId))
      .filter((i) => !isAuditRef(i))
      .map(({ pk: _pk, gsi1pk: _a, gsi1sk: _b, ...rest }) => rest);
  }

  async erase(tenant: string, customerId: string, at: Date): Promise<{ itemsDeleted: number }> {
    const table = this.tableOf(tenant);
    const pk = customerPk(customerId);
    // Tombstone first: from this moment late events and writes are refused, even if the
    // deletes below are interrupted (erasure is then simply repeated).
    await guarded(() =>
      this.db.send(
        new PutCommand({
          TableName: table,
          Item: { pk, sk: PROFILE_SK, kind: 'tombstone', customerId, erasedAt: at.toISOString() },
        }),
      ),
    );
    // the audit index stays for the audit log's redaction, which deletes it (customers.ts)
    const doomed = (await this.allItems(tenant, customerId)).filter((i) => i['sk'] !== PROFILE_SK && !isAuditRef(i));
    await batchWriteAll(
      this.db,
      table,
      doomed.map((it) => ({ DeleteRequest: { Key: { pk, sk: it['sk'] } } })),
    );
    return { itemsDeleted: doomed.length + 1 };
  }

  async household(tenant: string, householdId: string): Promise<CustomerRecord[]> {
    const items = await queryAll(this.db, {
      TableName: this.tableOf(tenant),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :h',
      ExpressionAttributeValues: { ':h': `H#${householdId}` },
    });
    return items.filter((i) => i['kind'] === 'profile').map(customerRecordOf);
  }
}
