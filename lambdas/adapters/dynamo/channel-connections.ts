import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { CHANNELS, type Channel } from '#domain/customer.ts';
import type { ChannelConnection } from '#domain/delivery/connection.ts';
import type { ChannelConnectionStore } from '#domain/delivery/ports.ts';
import type { TenantId } from '#domain/ids.ts';
import { guarded } from './errors.ts';
import { queryAll } from './query-all.ts';
import { storedAs } from './stored-items.ts';
import { expectingVersion, versionedWrite } from './versioned-items.ts';

/** A tenant's channel connection lives in its table as `CH#<channel>`; gsi1 `CHANNELS` lists them. */
export const connectionKey = (channel: string) => ({ pk: `CH#${channel}`, sk: 'CH' });
const LIST_PK = 'CHANNELS';

const Sealed = z.looseObject({ sealed: z.string(), createdAt: z.string() });
/** A connection as written (loose: keys a later version adds are kept, as before). */
const StoredConnection: z.ZodType<ChannelConnection> = z.looseObject({
  channel: z.enum(CHANNELS),
  settings: z.discriminatedUnion('type', [
    z.looseObject({ type: z.literal('queue') }),
    z.looseObject({ type: z.literal('webhook'), url: z.string(), timeoutMs: z.number() }),
    z.looseObject({
      type: z.literal('sms'),
      originationIdentity: z.string(),
      configurationSetName: z.string(),
      phoneAttribute: z.string(),
    }),
    z.looseObject({
      type: z.literal('email'),
      fromAddress: z.string(),
      configurationSetName: z.string(),
      addressAttribute: z.string(),
    }),
    z.looseObject({ type: z.literal('push'), platformApplicationArn: z.string(), endpointAttribute: z.string() }),
  ]),
  secrets: z
    .looseObject({ current: Sealed, previous: Sealed.extend({ validUntil: z.string() }).optional() })
    .optional(),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const fromItem = (item: Record<string, unknown>): ChannelConnection => {
  const { pk: _pk, sk: _sk, kind: _k, gsi1pk: _a, gsi1sk: _b, ...connection } = item;
  return storedAs(StoredConnection, connection, 'channel connection');
};

/** Connections with their sealed secrets (never plain ones): only the sender and the channels API read them. */
export class DynamoChannelConnections implements ChannelConnectionStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableOf: (tenant: TenantId) => string,
  ) {}

  async get(tenant: TenantId, channel: Channel): Promise<ChannelConnection | undefined> {
    const out = await guarded(() =>
      this.db.send(
        new GetCommand({ TableName: this.tableOf(tenant), Key: connectionKey(channel), ConsistentRead: true }),
      ),
    );
    return out.Item ? fromItem(out.Item) : undefined;
  }

  async list(tenant: TenantId): Promise<ChannelConnection[]> {
    const items = await queryAll(this.db, {
      TableName: this.tableOf(tenant),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :c',
      ExpressionAttributeValues: { ':c': LIST_PK },
    });
    return items.map(fromItem);
  }

  async save(tenant: TenantId, connection: ChannelConnection, expectedVersion: number): Promise<void> {
    await versionedWrite(`the ${connection.channel} connection`, expectedVersion, () =>
      this.db.send(
        new PutCommand({
          TableName: this.tableOf(tenant),
          Item: {
            ...connection,
            ...connectionKey(connection.channel),
            kind: 'channel',
            gsi1pk: LIST_PK,
            gsi1sk: connection.channel,
          },
          ...expectingVersion(expectedVersion),
        }),
      ),
    );
  }
}
