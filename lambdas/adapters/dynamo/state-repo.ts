import {
  BatchGetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { CustomerRecord } from '#domain/customer.ts';
import { fromStored, type CustomerState } from '#domain/customer-state.ts';
import type { ConsentWrite, CustomerStateRepo, StoredState } from '#domain/ports/events.ts';
import type { LedgerWrites } from '#domain/ports/contact-ledgers.ts';
import type { OutboundMessage } from '#domain/triggers.ts';
import { auditEntryItems } from './audit-log.ts';
import { profileAtVersion } from './versioned-items.ts';
import { untilProcessed } from './batch-retry.ts';
import { isLostRace, ledgerPuts } from './contact-ledger.ts';
import { customerRecordOf } from './customer-item.ts';
import { customerPk, PROFILE_SK, STATE_SK } from './customer-keys.ts';
import { guarded } from './errors.ts';
import { storedAs, StoredOutboundMessage } from './stored-items.ts';

type TableNameOf = (tenant: string) => string;

/** Totals of what the writes cost, from ReturnConsumedCapacity (benchmarks and tests read it). */
export interface WriteMeter {
  writeUnits: number;
  readUnits: number;
}

const INTERNAL = new Set(['pk', 'sk', 'kind', 'version', 'outbox', 'outboxInLedger', 'expiresAt', 'gsi1pk', 'gsi1sk']);

/**
 * What the state item carries beside the folded state. A state of before versioning reads as
 * version 0, as before; an outbox written before the ledger existed has no `outboxInLedger`: it is
 * not in the ledger yet.
 */
const StateBookkeeping = z.object({
  version: z.number().default(0),
  outbox: z.array(StoredOutboundMessage).default([]),
  outboxInLedger: z.boolean().default(false),
}) satisfies z.ZodType<Omit<StoredState, 'state'>, unknown>;

/** A heavy sender's id record: `E#<event key>` under the customer, kept until its dedupe window ends (TTL). */
export const ID_RECORD_PREFIX = 'E#';

/**
 * The customer's first state also checks, in the same transaction, that no tombstone was written
 * since the read, so a late event cannot recreate an erased customer's state. Once per customer;
 * later writes are guarded by `version` (erasure deletes the item).
 */
const noTombstone = (table: string, pk: string) => ({
  ConditionCheck: {
    TableName: table,
    Key: { pk, sk: PROFILE_SK },
    ConditionExpression: 'attribute_not_exists(pk) OR kind <> :tomb',
    ExpressionAttributeValues: { ':tomb': 'tombstone' },
  },
});

/** An opt-out: the profile's consent and version moved on (if unchanged since read), and its audit entry. */
function consentUpdate(table: string, pk: string, write: ConsentWrite) {
  const { ConditionExpression, ExpressionAttributeValues } = profileAtVersion(write.expectedVersion);
  return [
    {
      Update: {
        TableName: table,
        Key: { pk, sk: PROFILE_SK },
        UpdateExpression: 'SET consent = :c, version = :next, updatedAt = :at',
        ConditionExpression,
        ExpressionAttributeValues: {
          ...ExpressionAttributeValues,
          ':c': write.consent,
          ':next': write.expectedVersion + 1,
          ':at': write.at,
        },
      },
    },
    ...auditEntryItems(write.audit).map((Item) => ({
      Put: { TableName: table, Item, ConditionExpression: 'attribute_not_exists(pk)' },
    })),
  ];
}

/**
 * The state item `S` under `C#<customerId>`: the folded state, the keys of recently applied
 * events (inside the state) and an outbox of firings, replaced by one conditional Put on
 * `version`: one write per customer per batch, whatever the number of events folded into it.
 * A heavy sender's keys go to id records (`E#<key>`) instead, written in one transaction with the
 * state, so a key is stored if and only if its event was applied; and a batch that fires commits
 * its firings to the contact ledgers in the same transaction, each conditional on its version.
 */
export class DynamoStateRepo implements CustomerStateRepo {
  readonly meter: WriteMeter = { writeUnits: 0, readUnits: 0 };

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableOf: TableNameOf,
  ) {}

  private count(
    out: {
      ConsumedCapacity?:
        | { CapacityUnits?: number; WriteCapacityUnits?: number; ReadCapacityUnits?: number }
        | { CapacityUnits?: number }[];
    },
    kind: 'write' | 'read',
  ) {
    const list = Array.isArray(out.ConsumedCapacity)
      ? out.ConsumedCapacity
      : out.ConsumedCapacity
        ? [out.ConsumedCapacity]
        : [];
    const units = list.reduce((s, c) => s + (c.CapacityUnits ?? 0), 0);
    if (kind === 'write') this.meter.writeUnits += units;
    else this.meter.readUnits += units;
  }

  async loadForEvents(
    tenant: string,
    customerId: string,
  ): Promise<{ profile?: CustomerRecord; erased: boolean; stored?: StoredState }> {
    // P and S sort next to each other: one Query reads both (and nothing else).
    const out = await guarded(() =>
      this.db.send(
        new QueryCommand({
          TableName: this.tableOf(tenant),
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :p AND :s',
          ExpressionAttributeValues: { ':pk': customerPk(customerId), ':p': PROFILE_SK, ':s': STATE_SK },
          ConsistentRead: true,
          ReturnConsumedCapacity: 'TOTAL',
        }),
      ),
    );
    this.count(out, 'read');
    let profile: CustomerRecord | undefined;
    let erased = false;
    let stored: StoredState | undefined;
    for (const item of out.Items ?? []) {
      if (item['sk'] === PROFILE_SK) {
        if (item['kind'] === 'tombstone') erased = true;
        else profile = customerRecordOf(item);
      } else if (item['sk'] === STATE_SK) {
        const state = fromStored(Object.fromEntries(Object.entries(item).filter(([k]) => !INTERNAL.has(k))));
        stored = { state, ...storedAs(StateBookkeeping, item, 'customer state') };
      }
    }
    return { ...(profile ? { profile } : {}), erased, ...(stored ? { stored } : {}) };
  }

  async recordedIds(tenant: string, customerId: string, keys: readonly string[], now: Date): Promise<Set<string>> {
    const table = this.tableOf(tenant);
    const nowS = Math.floor(now.getTime() / 1000);
    const found = new Set<string>();
    for (let i = 0; i < keys.length; i += 100) {
      const batch: Record<string, unknown>[] = keys
        .slice(i, i + 100)
        .map((key) => ({ pk: customerPk(customerId), sk: `${ID_RECORD_PREFIX}${key}` }));
      // the shared retry (batch-retry.ts): keys still unprocessed throw the 503-class UnprocessedItemsError,
      // so the batch's records go back to the queue, as for any throttled store
      await untilProcessed('BatchGetItem', batch, async (Keys) => {
        const out = await guarded(() =>
          this.db.send(
            new BatchGetCommand({
              // strongly consistent: a record written by the transaction that wrote the state just read
              RequestItems: { [table]: { Keys, ConsistentRead: true, ProjectionExpression: 'sk, expiresAt' } },
              ReturnConsumedCapacity: 'TOTAL',
            }),
          ),
        );
        this.count(out, 'read');
        for (const item of out.Responses?.[table] ?? [])
          if (Number(item['expiresAt']) > nowS) found.add(String(item['sk']).slice(ID_RECORD_PREFIX.length));
        return out.UnprocessedKeys?.[table]?.Keys;
      });
    }
    return found;
  }

  async saveState(
    tenant: string,
    customerId: string,
    state: CustomerState,
    outbox: OutboundMessage[],
    expectedVersion: number,
    ledger?: LedgerWrites,
    consent?: ConsentWrite,
  ): Promise<boolean> {
    const table = this.tableOf(tenant);
    const { newIdRecords = [], ...kept } = state;
    const pk = customerPk(customerId);
    const item = {
      ...kept,
      pk,
      sk: STATE_SK,
      kind: 'state',
      version: expectedVersion + 1,
      ...(outbox.length ? { outbox, outboxInLedger: true } : {}),
    };
    // Each record lives until the window of the keys written now ends (the state's idRecordsUntil).
    const records = newIdRecords.map((key) => ({
      Put: { TableName: table, Item: { pk, sk: `${ID_RECORD_PREFIX}${key}`, expiresAt: state.idRecordsUntil } },
    }));
    const statePut =
      expectedVersion === 0
        ? { TableName: table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }
        : {
            TableName: table,
            Item: item,
            ConditionExpression: 'version = :v',
            ExpressionAttributeValues: { ':v': expectedVersion },
          };
    // an opt-out's profile update is conditional on the profile's version, which a tombstone has not:
    // it stands in for the tombstone check (one transaction cannot name the profile item twice)
    const consentWrites = consent ? consentUpdate(table, pk, consent) : [];
    const tombstoneCheck = expectedVersion === 0 && !consent ? [noTombstone(table, pk)] : [];
    const ledgers = ledger ? ledgerPuts(table, ledger).map((Put) => ({ Put })) : [];
    try {
      if (tombstoneCheck.length === 0 && records.length === 0 && ledgers.length === 0 && !consent) {
        const out = await guarded(() => this.db.send(new PutCommand({ ...statePut, ReturnConsumedCapacity: 'TOTAL' })));
        this.count(out, 'write');
        return true;
      }
      const out = await guarded(() =>
        this.db.send(
          new TransactWriteCommand({
            ReturnConsumedCapacity: 'TOTAL',
            TransactItems: [...tombstoneCheck, ...consentWrites, { Put: statePut }, ...records, ...ledgers],
          }),
        ),
      );
      this.count(out, 'write');
      return true;
    } catch (err) {
      if (isLostRace(err)) return false;
      throw err;
    }
  }

  async clearOutbox(tenant: string, customerId: string, version: number): Promise<void> {
    try {
      const out = await guarded(() =>
        this.db.send(
          new UpdateCommand({
            TableName: this.tableOf(tenant),
            Key: { pk: customerPk(customerId), sk: STATE_SK },
            // gsi1: a state item of before the ledger was indexed under its household while it held firings
            UpdateExpression: 'REMOVE outbox, outboxInLedger, gsi1pk, gsi1sk',
            ConditionExpression: 'version = :v',
            ExpressionAttributeValues: { ':v': version },
            ReturnConsumedCapacity: 'TOTAL',
          }),
        ),
      );
      this.count(out, 'write');
    } catch (err) {
      // The state moved on: whoever wrote it carried the outbox and hands it off.
      if (!isLostRace(err)) throw err;
    }
  }
}
