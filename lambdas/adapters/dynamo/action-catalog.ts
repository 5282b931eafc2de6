import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Action } from '#domain/action.ts';
import type { ActionCatalog } from '#domain/ports.ts';
import { guarded } from './errors.ts';
import { queryAll } from './query-all.ts';

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

export class DynamoActionCatalog implements ActionCatalog {
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

  async put(tenant: string, action: Action): Promise<void> {
    await guarded(() => this.db.send(new PutCommand({ TableName: this.tableOf(tenant), Item: actionItem(action) })));
  }

  /** Seeding: writes the action only when the tenant has none of that id (keeps tenant edits). */
  async putIfAbsent(tenant: string, action: Action): Promise<boolean> {
    try {
      await guarded(() =>
        this.db.send(
          new PutCommand({
            TableName: this.tableOf(tenant),
            Item: actionItem(action),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
      return true;
    } catch (err) {
      if ((err as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw err;
    }
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
