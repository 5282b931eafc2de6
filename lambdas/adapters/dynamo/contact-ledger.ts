import {
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { ledgerFromRecords, noLedger, type StoredLedger } from '#domain/contact-ledger.ts';
import type { OfferResponse } from '#domain/decisioning/decision-record.ts';
import type { ContactLedgers, LedgerWrites, LegacyWindow } from '#domain/ports/contact-ledgers.ts';
import { customerPk } from './customer-keys.ts';
import { guarded, isConditionalFailure } from './errors.ts';
import { householdContacts } from './household-contacts.ts';
import { legacyCustomerContacts } from './legacy-contacts.ts';
import { householdLedgerPk, LEDGER_SK, ledgerPut, storedLedgerOf } from './ledger-item.ts';

type TableNameOf = (tenant: string) => string;

/** A lost race: a condition on a version failed, or another transaction held one of the items. */
export const isLostRace = (err: unknown): boolean =>
  ['ConditionalCheckFailedException', 'TransactionCanceledException', 'TransactionConflictException'].includes(
    (err as { name?: string })?.name ?? '',
  );

/** The Puts of one commit: the customer's ledger and, with a household's share, the household's. */
export function ledgerPuts(table: string, writes: LedgerWrites) {
  const puts = [
    ledgerPut(table, customerPk(writes.customerId), writes.customer.ledger, writes.customer.expectedVersion),
  ];
  const h = writes.household;
  if (h) puts.push(ledgerPut(table, householdLedgerPk(h.householdId), h.ledger, h.expectedVersion));
  return puts;
}

/** A ledger built from items of before the ledger: stored by the first commit, so built once. */
const fromLegacy = (ledger: StoredLedger['ledger']): StoredLedger =>
  ledger.contacts.length || Object.keys(ledger.declined).length || Object.keys(ledger.accepted).length
    ? { ledger, version: 0, fromLegacy: true }
    : noLedger();

/** The ledger of a customer with none stored: from its `H#` items of before the ledger, if it has any. */
export async function legacyCustomerLedger(
  db: DynamoDBDocumentClient,
  table: string,
  customerId: string,
  legacy: LegacyWindow,
): Promise<StoredLedger> {
  const records = await legacyCustomerContacts(db, table, customerId, legacy.since);
  return fromLegacy(ledgerFromRecords(records, legacy.bounds, legacy.now));
}

/**
 * The contact ledgers in the tenant table. A commit is one conditional PutItem of the customer's
 * ledger, or a TransactWriteItems with the household's when a household member's marketing
 * contact counts against the household cap too; a response is one UpdateItem that moves the
 * version on.
 */
export class DynamoContactLedgers implements ContactLedgers {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableOf: TableNameOf,
  ) {}

  private async get(table: string, pk: string, consistent: boolean) {
    const out = await guarded(() =>
      this.db.send(new GetCommand({ TableName: table, Key: { pk, sk: LEDGER_SK }, ConsistentRead: consistent })),
    );
    return out.Item;
  }

  async customer(tenant: string, customerId: string, legacy: LegacyWindow): Promise<StoredLedger> {
    const table = this.tableOf(tenant);
    const item = await this.get(table, customerPk(customerId), true);
    return item ? storedLedgerOf(item) : legacyCustomerLedger(this.db, table, customerId, legacy);
  }

  async household(tenant: string, householdId: string, legacy: LegacyWindow, consistent: boolean) {
    const table = this.tableOf(tenant);
    const item = await this.get(table, householdLedgerPk(householdId), consistent);
    if (item) return storedLedgerOf(item);
    // the members' marketing contacts of before the ledger, indexed under the household (gsi1 HC#)
    const records = await householdContacts(this.db, table, householdId, legacy.since);
    return fromLegacy(ledgerFromRecords(records, legacy.bounds, legacy.now));
  }

  async commit(tenant: string, writes: LedgerWrites): Promise<boolean> {
    const puts = ledgerPuts(this.tableOf(tenant), writes);
    try {
      if (puts.length === 1) await guarded(() => this.db.send(new PutCommand(puts[0]!)));
      else await guarded(() => this.db.send(new TransactWriteCommand({ TransactItems: puts.map((Put) => ({ Put })) })));
      return true;
    } catch (err) {
      if (isLostRace(err)) return false;
      throw err;
    }
  }

  async recordResponse(
    tenant: string,
    customerId: string,
    actionId: string,
    response: OfferResponse,
    at: string,
  ): Promise<void> {
    if (response === 'ignored') return;
    try {
      await guarded(() =>
        this.db.send(
          new UpdateCommand({
            TableName: this.tableOf(tenant),
            Key: { pk: customerPk(customerId), sk: LEDGER_SK },
            UpdateExpression: 'SET #r.#a = :at ADD version :one',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: { '#r': response === 'declined' ? 'd' : 'a', '#a': actionId },
            ExpressionAttributeValues: { ':at': Date.parse(at), ':one': 1 },
          }),
        ),
      );
    } catch (err) {
      // no ledger yet: a legacy decision's customer, whose response stays on the decision's own item
      if (!isConditionalFailure(err)) throw err;
    }
  }
}
