import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TriggerStore } from '#domain/ports.ts';
import type { SeedTarget, StoredSeedItem } from '#domain/starter.ts';
import type { Trigger } from '#domain/triggers.ts';
import { guarded } from './errors.ts';
import { queryAll } from './query-all.ts';
import { seededIds, seedMarkOf, writeSeededItem } from './seed-items.ts';

/** Triggers live in the tenant's table as `T#<triggerId>`; gsi1 `TRIGGERS` lists them without a scan. */
export const triggerPk = (triggerId: string) => `T#${triggerId}`;
const TRIGGER_SK = 'T';
const LIST_PK = 'TRIGGERS';

const fromItem = (item: Record<string, unknown>): Trigger => {
  const { pk: _pk, sk: _sk, kind: _k, gsi1pk: _a, gsi1sk: _b, managedBy: _m, seedHash: _h, ...trigger } = item;
  return trigger as unknown as Trigger;
};

const triggerItem = (trigger: Trigger) => ({
  ...trigger,
  pk: triggerPk(trigger.triggerId),
  sk: TRIGGER_SK,
  kind: 'trigger',
  gsi1pk: LIST_PK,
  gsi1sk: trigger.triggerId,
});

export class DynamoTriggerStore implements TriggerStore, SeedTarget<Trigger> {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableOf: (tenant: string) => string,
  ) {}

  async get(tenant: string, triggerId: string): Promise<Trigger | undefined> {
    const out = await guarded(() =>
      this.db.send(
        new GetCommand({ TableName: this.tableOf(tenant), Key: { pk: triggerPk(triggerId), sk: TRIGGER_SK } }),
      ),
    );
    return out.Item ? fromItem(out.Item) : undefined;
  }

  async list(tenant: string): Promise<Trigger[]> {
    const items = await queryAll(this.db, {
      TableName: this.tableOf(tenant),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :t',
      ExpressionAttributeValues: { ':t': LIST_PK },
    });
    return items.map(fromItem);
  }

  /** Replaces the whole item, so a tenant's write also drops the seed mark (seed-items.ts). */
  async put(tenant: string, trigger: Trigger): Promise<void> {
    await guarded(() => this.db.send(new PutCommand({ TableName: this.tableOf(tenant), Item: triggerItem(trigger) })));
  }

  /** The trigger as stored, with the seed mark while the seeder still manages it. */
  async readSeeded(tenant: string, triggerId: string): Promise<StoredSeedItem<Trigger> | undefined> {
    const out = await guarded(() =>
      this.db.send(
        new GetCommand({
          TableName: this.tableOf(tenant),
          Key: { pk: triggerPk(triggerId), sk: TRIGGER_SK },
          ConsistentRead: true,
        }),
      ),
    );
    if (!out.Item) return undefined;
    const seed = seedMarkOf(out.Item);
    return { item: fromItem(out.Item), ...(seed ? { seed } : {}) };
  }

  seededIds(tenant: string): Promise<ReadonlySet<string>> {
    return seededIds(this.db, this.tableOf(tenant), 'triggers');
  }

  writeSeeded(tenant: string, trigger: Trigger, seedHash: string, expected?: string): Promise<boolean> {
    return writeSeededItem(
      this.db,
      this.tableOf(tenant),
      { kind: 'triggers', id: trigger.triggerId, hash: seedHash, expected },
      triggerItem(trigger),
    );
  }

  async remove(tenant: string, triggerId: string): Promise<boolean> {
    const out = await guarded(() =>
      this.db.send(
        new DeleteCommand({
          TableName: this.tableOf(tenant),
          Key: { pk: triggerPk(triggerId), sk: TRIGGER_SK },
          ReturnValues: 'ALL_OLD',
        }),
      ),
    );
    return out.Attributes !== undefined;
  }
}
