import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { Action } from '#domain/action.ts';
import type { ActionCatalog } from '#domain/ports/catalog.ts';
import type { SeedTarget, SeedWrite, StoredSeedItem } from '#domain/starter.ts';
import type { Page, PageRequest, PagedList } from '#domain/paging.ts';
import { nextStamp, type Stamp, type Versioned, type VersionedStore } from '#domain/versioned.ts';
import { guarded } from './errors.ts';
import { queryPage } from './page-token.ts';
import { queryAll } from './query-all.ts';
import { seededIds, seedMarkOf, writeSeededItem } from './seed-items.ts';
import { StoredActionKind, StoredChannel, StoredRule, storedAs } from './stored-items.ts';
import { expectingVersion, stampAttributes, stampOf, versionedWrite } from './versioned-items.ts';

/**
 * Catalog items live in the tenant's table: `A#<actionId>` / `A`, the action in one map
 * attribute beside its `version`, `createdAt` and `updatedAt` (versioned-items.ts); gsi1
 * (`gsi1pk = ACTIONS`, `gsi1sk = <actionId>`) lists the catalog in one Query.
 */
export const ACTIONS_GSI_PK = 'ACTIONS';
export const actionKey = (actionId: string) => ({ pk: `A#${actionId}`, sk: 'A' });
export const actionItem = (action: Action) => ({
  ...actionKey(action.actionId),
  gsi1pk: ACTIONS_GSI_PK,
  gsi1sk: action.actionId,
  kind: 'action',
  action,
});

const Texts = z.record(z.string(), z.string());
const Params = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

/**
 * The action as the API wrote it (its defaults applied), types only: its limits are checked on the
 * way in, and one tightened later must not make a stored catalog unreadable. Loose, as before.
 */
const StoredAction = z.looseObject({
  actionId: z.string(),
  name: z.string(),
  kind: StoredActionKind,
  treatments: z.partialRecord(
    StoredChannel,
    z.looseObject({
      templateKey: z.string(),
      text: Texts,
      params: Params.optional(),
      variants: z
        .array(
          z.looseObject({
            variantId: z.string(),
            weight: z.number(),
            text: Texts.optional(),
            params: Params.optional(),
          }),
        )
        .optional(),
    }),
  ),
  eligibility: StoredRule,
  propensity: z.union([z.looseObject({ model: z.string() }), z.looseObject({ starting: z.number() })]),
  value: z.number(),
  validFrom: z.string().optional(),
  validTo: z.string().optional(),
  lever: z.number(),
  limits: z.looseObject({
    perCustomer: z.array(z.looseObject({ channel: StoredChannel.optional(), max: z.number(), days: z.number() })),
    perDay: z.number().optional(),
  }),
  mandatory: z.boolean().optional(),
}) satisfies z.ZodType<Action, unknown>;

const actionOf = (item: Record<string, unknown>): Action => storedAs(StoredAction, item['action'], 'action');

export class DynamoActionCatalog
  implements ActionCatalog, VersionedStore<Action>, SeedTarget<Action>, PagedList<Action & Stamp>
{
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableOf: (tenant: string) => string,
  ) {}

  async get(tenant: string, actionId: string): Promise<Action | undefined> {
    return (await this.read(tenant, actionId))?.value;
  }

  async list(tenant: string): Promise<Action[]> {
    const items = await queryAll(this.db, {
      TableName: this.tableOf(tenant),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :a',
      ExpressionAttributeValues: { ':a': ACTIONS_GSI_PK },
    });
    return items.filter((item) => item['action']).map(actionOf);
  }
  /** One page in actionId order (gsi1sk is the id), for `GET` of the list: each action with its stamp. */
  page(tenant: string, request: PageRequest): Promise<Page<Action & Stamp>> {
    return queryPage(
      this.db,
      tenant,
      { list: 'actions', isKey: (k) => k['gsi1pk'] === ACTIONS_GSI_PK },
      {
        TableName: this.tableOf(tenant),
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': ACTIONS_GSI_PK },
      },
      request,
      (items) => items.filter((item) => item['action']).map((item) => ({ ...actionOf(item), ...stampOf(item) })),
    );
  }

  async read(
    tenant: string,
    actionId: string,
    options: { consistent?: boolean } = {},
  ): Promise<Versioned<Action> | undefined> {
    const out = await guarded(() =>
      this.db.send(
        new GetCommand({
          TableName: this.tableOf(tenant),
          Key: actionKey(actionId),
          ...(options.consistent ? { ConsistentRead: true } : {}),
        }),
      ),
    );
    if (!out.Item?.['action']) return undefined;
    return { value: actionOf(out.Item), ...stampOf(out.Item) };
  }

  /** Replaces the whole item, so a tenant's write also drops the seed mark (seed-items.ts). */
  write(tenant: string, { value, ...stamp }: Versioned<Action>, expectedVersion: number): Promise<void> {
    return versionedWrite(`action ${value.actionId}`, expectedVersion, () =>
      this.db.send(
        new PutCommand({
          TableName: this.tableOf(tenant),
          Item: { ...actionItem(value), ...stampAttributes(stamp) },
          ...expectingVersion(expectedVersion),
        }),
      ),
    );
  }

  erase(tenant: string, actionId: string, expectedVersion: number): Promise<void> {
    return versionedWrite(`action ${actionId}`, expectedVersion, () =>
      this.db.send(
        new DeleteCommand({
          TableName: this.tableOf(tenant),
          Key: actionKey(actionId),
          ...expectingVersion(expectedVersion),
        }),
      ),
    );
  }

  /** Writes the next version whatever is stored: set-up and scripts (the API goes through app/actions.ts). */
  async put(tenant: string, action: Action): Promise<void> {
    const current = await this.read(tenant, action.actionId, { consistent: true });
    await this.write(tenant, { value: action, ...nextStamp(current, new Date().toISOString()) }, current?.version ?? 0);
  }

  /** The action as stored, with the seed mark while the seeder still manages it. */
  async readSeeded(tenant: string, actionId: string): Promise<(StoredSeedItem<Action> & { stamp: Stamp }) | undefined> {
    const out = await guarded(() =>
      this.db.send(new GetCommand({ TableName: this.tableOf(tenant), Key: actionKey(actionId), ConsistentRead: true })),
    );
    if (!out.Item?.['action']) return undefined;
    const seed = seedMarkOf(out.Item);
    return { item: actionOf(out.Item), stamp: stampOf(out.Item), ...(seed ? { seed } : {}) };
  }

  seededIds(tenant: string): Promise<ReadonlySet<string>> {
    return seededIds(this.db, this.tableOf(tenant), 'actions');
  }

  writeSeeded(tenant: string, action: Action, write: SeedWrite): Promise<boolean> {
    return writeSeededItem(
      this.db,
      this.tableOf(tenant),
      { ...write, kind: 'actions', id: action.actionId },
      actionItem(action),
    );
  }

  /** Deletes whatever is stored: set-up and scripts (the API goes through app/actions.ts). */
  async remove(tenant: string, actionId: string): Promise<boolean> {
    const out = await guarded(() =>
      this.db.send(
        new DeleteCommand({ TableName: this.tableOf(tenant), Key: actionKey(actionId), ReturnValues: 'ALL_OLD' }),
      ),
    );
    return !!out.Attributes;
  }
}
