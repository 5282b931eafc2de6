import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Action } from '#domain/action.ts';
import type { ActionCatalog } from '#domain/ports.ts';
import type { SeedTarget, StoredSeedItem } from '#domain/starter.ts';
import { guarded } from './errors.ts';
import { queryAll } from './query-all.ts';
import { seededIds, seedMarkOf, writeSeededItem } from './seed-items.ts';

/**
 * Catalog items live in the tenant's table: `A#<actionId>` / `A`, the action in one map
 * attribute; gsi1 (`gsi1pk = ACTIONS`, `gsi1sk = <actionId>`) lists the catalog in one Query.
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

export class DynamoActionCatalog implements ActionCatalog, SeedTarget<Action> {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableOf: (tenant: string) => string,
  ) {}

  async get(tenant: string, actionId: string): Promise<Action | undefined> {
    const out = await guarded(() =>
      this.db.send(new GetCommand({ TableName: this.tableOf(tenant), Key: actionKey(actionId) })),
    );
    return out.Item?.['action'] as Action | undefined;
  }

  async list(tenant: string): Promise<Action[]> {
    const items = await queryAll(this.db, {
      TableName: this.tableOf(tenant),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :a',
      ExpressionAttributeValues: { ':a': ACTIONS_GSI_PK },
    });
    return items.filter((item) => item['action']).map((item) => item['action'] as Action);
  }

  /** Replaces the whole item, so a tenant's write also drops the seed mark (seed-items.ts). */
  async put(tenant: string, action: Action): Promise<void> {
    await guarded(() => this.db.send(new PutCommand({ TableName: this.tableOf(tenant), Item: actionItem(action) })));
  }

  /** The action as stored, with the seed mark while the seeder still manages it. */
  async readSeeded(tenant: string, actionId: string): Promise<StoredSeedItem<Action> | undefined> {
    const out = await guarded(() =>
      this.db.send(new GetCommand({ TableName: this.tableOf(tenant), Key: actionKey(actionId), ConsistentRead: true })),
    );
    if (!out.Item?.['action']) return undefined;
    const seed = seedMarkOf(out.Item);
    return { item: out.Item['action'] as Action, ...(seed ? { seed } : {}) };
  }

  seededIds(tenant: string): Promise<ReadonlySet<string>> {
    return seededIds(this.db, this.tableOf(tenant), 'actions');
  }

  writeSeeded(tenant: string, action: Action, seedHash: string, expected?: string): Promise<boolean> {
    return writeSeededItem(
      this.db,
      this.tableOf(tenant),
      { kind: 'actions', id: action.actionId, hash: seedHash, expected },
      actionItem(action),
    );
  }

  async remove(tenant: string, actionId: string): Promise<boolean> {
    const out = await guarded(() =>
      this.db.send(
        new DeleteCommand({ TableName: this.tableOf(tenant), Key: actionKey(actionId), ReturnValues: 'ALL_OLD' }),
      ),
    );
    return !!out.Attributes;
  }
}
