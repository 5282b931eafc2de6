import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TriggerStore } from '#domain/ports.ts';
import type { Trigger } from '#domain/triggers.ts';
import { guarded } from './errors.ts';
import { queryAll } from './query-all.ts';

/** Triggers live in the tenant's table as `T#<triggerId>`; gsi1 `TRIGGERS` lists them without a scan. */
export const triggerPk = (triggerId: string) => `T#${triggerId}`;
const TRIGGER_SK = 'T';
const LIST_PK = 'TRIGGERS';

const fromItem = (item: Record<string, unknown>): Trigger => {
  const { pk: _pk, sk: _sk, kind: _k, gsi1pk: _a, gsi1sk: _b, ...trigger } = item;
  return trigger as unknown as Trigger;
};

export class DynamoTriggerStore implements TriggerStore {
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

  async put(tenant: string, trigger: Trigger): Promise<void> {
    await guarded(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tableOf(tenant),
          Item: {
            ...trigger,
            pk: triggerPk(trigger.triggerId),
            sk: TRIGGER_SK,
            kind: 'trigger',
            gsi1pk: LIST_PK,
            gsi1sk: trigger.triggerId,
          },
        }),
      ),
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
