import {
  BatchWriteCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { ContactRecord } from '#domain/action.ts';
import type { CustomerRecord } from '#domain/customer.ts';
import type { CustomerState } from '#domain/customer-state.ts';
import type { CustomerStateRepo, StoredState } from '#domain/ports.ts';
import type { OutboundMessage } from '#domain/triggers.ts';
import { CONTACT_PREFIX, customerPk, PROFILE_SK, STATE_SK } from './customer-repo.ts';
import { householdContactKeys, householdOutboxKeys } from './household-contacts.ts';
import { guarded } from './errors.ts';

type TableNameOf = (tenant: string) => string;

/** Totals of what the writes cost, from ReturnConsumedCapacity (benchmarks and tests read it). */
export interface WriteMeter {
  writeUnits: number;
  readUnits: number;
}

const isConditionalFailure = (err: unknown) =>
  ['ConditionalCheckFailedException', 'TransactionCanceledException'].includes((err as { name?: string })?.name ?? '');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const INTERNAL = new Set(['pk', 'sk', 'kind', 'version', 'outbox', 'expiresAt', 'gsi1pk', 'gsi1sk']);

/**
 * The state item `S` under `C#<customerId>`: the folded state, the ids of recently applied
 * events (inside the state) and an outbox of firings, replaced by one conditional Put on
 * `version`: one write per customer per batch, whatever the number of events folded into it.
 */
export class DynamoStateRepo implements CustomerStateRepo {
  readonly meter: WriteMeter = { writeUnits: 0, readUnits: 0 };

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableOf: TableNameOf,
    private readonly contactTtlDays = 180,
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
        else {
          const { pk: _pk, sk: _sk, kind: _k, gsi1pk: _a, gsi1sk: _b, ...record } = item;
          profile = record as CustomerRecord;
        }
      } else if (item['sk'] === STATE_SK) {
        const state = Object.fromEntries(
          Object.entries(item).filter(([k]) => !INTERNAL.has(k)),
        ) as unknown as CustomerState;
        stored = {
          state,
          version: Number(item['version'] ?? 0),
          outbox: (item['outbox'] as OutboundMessage[] | undefined) ?? [],
        };
      }
    }
    return { ...(profile ? { profile } : {}), erased, ...(stored ? { stored } : {}) };
  }

  async saveState(
    tenant: string,
    customerId: string,
    state: CustomerState,
    outbox: OutboundMessage[],
    expectedVersion: number,
    householdId?: string,
  ): Promise<boolean> {
    const table = this.tableOf(tenant);
    const item = {
      ...state,
      pk: customerPk(customerId),
      sk: STATE_SK,
      kind: 'state',
      version: expectedVersion + 1,
      ...(outbox.length ? { outbox } : {}),
      ...householdOutboxKeys(householdId, customerId, outbox),
    };
    try {
      if (expectedVersion === 0) {
        // The customer's first state: also check, in the same transaction, that no tombstone was
        // written since the read, so a late event cannot recreate an erased customer's state.
        // Once per customer; later writes are guarded by `version` (erasure deletes the item).
        const out = await guarded(() =>
          this.db.send(
            new TransactWriteCommand({
              ReturnConsumedCapacity: 'TOTAL',
              TransactItems: [
                {
                  ConditionCheck: {
                    TableName: table,
                    Key: { pk: customerPk(customerId), sk: PROFILE_SK },
                    ConditionExpression: 'attribute_not_exists(pk) OR kind <> :tomb',
                    ExpressionAttributeValues: { ':tomb': 'tombstone' },
                  },
                },
                { Put: { TableName: table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
              ],
            }),
          ),
        );
        this.count(out, 'write');
        return true;
      }
      const out = await guarded(() =>
        this.db.send(
          new PutCommand({
            TableName: table,
            Item: item,
            ConditionExpression: 'version = :v',
            ExpressionAttributeValues: { ':v': expectedVersion },
            ReturnConsumedCapacity: 'TOTAL',
          }),
        ),
      );
      this.count(out, 'write');
      return true;
    } catch (err) {
      if (isConditionalFailure(err)) return false;
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
            UpdateExpression: 'REMOVE outbox, gsi1pk, gsi1sk',
            ConditionExpression: 'version = :v',
            ExpressionAttributeValues: { ':v': version },
            ReturnConsumedCapacity: 'TOTAL',
          }),
        ),
      );
      this.count(out, 'write');
    } catch (err) {
      // The state moved on: whoever wrote it carried the outbox and hands it off.
      if (!isConditionalFailure(err)) throw err;
    }
  }

  async recordContacts(
    tenant: string,
    customerId: string,
    contacts: ContactRecord[],
    householdId?: string,
  ): Promise<void> {
    const table = this.tableOf(tenant);
    for (let i = 0; i < contacts.length; i += 25) {
      let pending = contacts.slice(i, i + 25).map((c) => ({
        PutRequest: {
          Item: {
            pk: customerPk(customerId),
            sk: `${CONTACT_PREFIX}${c.at}#${c.id}`,
            ...c,
            expiresAt: Math.floor(Date.parse(c.at) / 1000) + this.contactTtlDays * 86_400,
            ...householdContactKeys(householdId, c.at, c.id, [c.kind]),
          },
        },
      }));
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt === 8) throw new Error('contact history writes kept being throttled');
        const out = await guarded(() =>
          this.db.send(new BatchWriteCommand({ RequestItems: { [table]: pending }, ReturnConsumedCapacity: 'TOTAL' })),
        );
        this.count(out, 'write');
        pending = (out.UnprocessedItems?.[table] ?? []) as typeof pending;
        if (pending.length) await sleep(Math.min(2000, 25 * 2 ** attempt));
      }
    }
  }
}
