import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TriggerStore } from '#domain/ports/events.ts';
import type { SeedTarget, SeedWrite, StoredSeedItem } from '#domain/starter.ts';
import type { Trigger } from '#domain/triggers.ts';
import type { Page, PageRequest, PagedList } from '#domain/paging.ts';
import { nextStamp, type Stamp, type Versioned, type VersionedStore } from '#domain/versioned.ts';
import { guarded } from './errors.ts';
import { queryPage } from './page-token.ts';
import { queryAll } from './query-all.ts';
import { seededIds, seedMarkOf, writeSeededItem } from './seed-items.ts';
import { expectingVersion, stampAttributes, stampOf, versionedWrite } from './versioned-items.ts';

/**
 * Triggers live in the tenant's table as `T#<triggerId>`, their fields beside `version`,
 * `createdAt` and `updatedAt` (versioned-items.ts); gsi1 `TRIGGERS` lists them without a scan.
 */
export const triggerPk = (triggerId: string) => `T#${triggerId}`;
const TRIGGER_SK = 'T';
const LIST_PK = 'TRIGGERS';
const triggerKey = (triggerId: string) => ({ pk: triggerPk(triggerId), sk: TRIGGER_SK });

/** The trigger alone, as the trigger path reads it: no keys, seed mark or stamp. */
const fromItem = (item: Record<string, unknown>): Trigger => {
  const {
    pk: _pk,
    sk: _sk,
    kind: _k,
    gsi1pk: _a,
    gsi1sk: _b,
    managedBy: _m,
    seedHash: _h,
    version: _v,
    createdAt: _c,
    updatedAt: _u,
    ...trigger
  } = item;
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

export class DynamoTriggerStore
  implements TriggerStore, VersionedStore<Trigger>, SeedTarget<Trigger>, PagedList<Trigger & Stamp>
{
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableOf: (tenant: string) => string,
  ) {}

  async get(tenant: string, triggerId: string): Promise<Trigger | undefined> {
    return (await this.read(tenant, triggerId))?.value;
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
  /** One page in triggerId order (gsi1sk is the id), for `GET` of the list: each trigger with its stamp. */
  page(tenant: string, request: PageRequest): Promise<Page<Trigger & Stamp>> {
    return queryPage(
      this.db,
      tenant,
      { list: 'triggers', isKey: (k) => k['gsi1pk'] === LIST_PK },
      {
        TableName: this.tableOf(tenant),
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': LIST_PK },
      },
      request,
      (items) => items.map((item) => ({ ...fromItem(item), ...stampOf(item) })),
    );
  }

  async read(
    tenant: string,
    triggerId: string,
    options: { consistent?: boolean } = {},
  ): Promise<Versioned<Trigger> | undefined> {
    const out = await guarded(() =>
      this.db.send(
        new GetCommand({
          TableName: this.tableOf(tenant),
          Key: triggerKey(triggerId),
          ...(options.consistent ? { ConsistentRead: true } : {}),
        }),
      ),
    );
    return out.Item ? { value: fromItem(out.Item), ...stampOf(out.Item) } : undefined;
  }

  /** Replaces the whole item, so a tenant's write also drops the seed mark (seed-items.ts). */
  write(tenant: string, { value, ...stamp }: Versioned<Trigger>, expectedVersion: number): Promise<void> {
    return versionedWrite(`trigger ${value.triggerId}`, expectedVersion, () =>
      this.db.send(
        new PutCommand({
          TableName: this.tableOf(tenant),
          Item: { ...triggerItem(value), ...stampAttributes(stamp) },
          ...expectingVersion(expectedVersion),
        }),
      ),
    );
  }

  erase(tenant: string, triggerId: string, expectedVersion: number): Promise<void> {
    return versionedWrite(`trigger ${triggerId}`, expectedVersion, () =>
      this.db.send(
        new DeleteCommand({
          TableName: this.tableOf(tenant),
          Key: triggerKey(triggerId),
          ...expectingVersion(expectedVersion),
        }),
      ),
    );
  }

  /** Writes the next version whatever is stored: set-up and scripts (the API goes through app/events.ts). */
  async put(tenant: string, trigger: Trigger): Promise<void> {
    const current = await this.read(tenant, trigger.triggerId, { consistent: true });
    await this.write(
      tenant,
      { value: trigger, ...nextStamp(current, new Date().toISOString()) },
      current?.version ?? 0,
    );
  }

  /** The trigger as stored, with the seed mark while the seeder still manages it. */
  async readSeeded(
    tenant: string,
    triggerId: string,
  ): Promise<(StoredSeedItem<Trigger> & { stamp: Stamp }) | undefined> {
    const out = await guarded(() =>
      this.db.send(
        new GetCommand({
          TableName: this.tableOf(tenant),
          Key: triggerKey(triggerId),
          ConsistentRead: true,
        }),
      ),
    );
    if (!out.Item) return undefined;
    const seed = seedMarkOf(out.Item);
    return { item: fromItem(out.Item), stamp: stampOf(out.Item), ...(seed ? { seed } : {}) };
  }

  seededIds(tenant: string): Promise<ReadonlySet<string>> {
    return seededIds(this.db, this.tableOf(tenant), 'triggers');
  }

  writeSeeded(tenant: string, trigger: Trigger, write: SeedWrite): Promise<boolean> {
    return writeSeededItem(
      this.db,
      this.tableOf(tenant),
      { ...write, kind: 'triggers', id: trigger.triggerId },
      triggerItem(trigger),
    );
  }

  /** Deletes whatever is stored: set-up and scripts (the API goes through app/events.ts). */
  async remove(tenant: string, triggerId: string): Promise<boolean> {
    const out = await guarded(() =>
      this.db.send(
        new DeleteCommand({
          TableName: this.tableOf(tenant),
          Key: triggerKey(triggerId),
          ReturnValues: 'ALL_OLD',
        }),
      ),
    );
    return out.Attributes !== undefined;
  }
}
