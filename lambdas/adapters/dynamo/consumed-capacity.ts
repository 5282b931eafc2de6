import type { ConsumedCapacity, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { TenantId } from '#domain/ids.ts';
import type { Meter } from '#domain/usage-readings.ts';

/** The commands that take `ReturnConsumedCapacity`, and which meter their units go to. */
const READS = new Set([
  'GetItemCommand',
  'QueryCommand',
  'ScanCommand',
  'BatchGetItemCommand',
  'TransactGetItemsCommand',
]);
const WRITES = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
]);

export const CONSUMED_CAPACITY_MIDDLEWARE = 'cvmConsumedCapacity';

/** `arn:aws:dynamodb:<region>:<account>:table/<name>` or a plain name -> the name. */
const tableNameOf = (nameOrArn: string) =>
  nameOrArn.slice(nameOrArn.lastIndexOf(':table/') + 1).replace(/^table\//, '');

/**
 * Meters the DynamoDB capacity each call consumed to the tenant that owns the table: asks every
 * read and write command for `ReturnConsumedCapacity: 'TOTAL'` (unless the caller chose already)
 * and meters the answer as `ReadCapacityUnits` / `WriteCapacityUnits`. The figure rides on the
 * response the call gets anyway: no extra call, no extra write, and one summed EMF line per
 * invocation (the meter buffers).
 *
 * Only tables of `tenantOfTable` are metered. Shared tables (the API key table) are skipped on
 * purpose: their cost is a shared cost that the split already spreads by ApiRequest, and metering
 * them to a pseudo-tenant would make it a party of the split that pays nothing.
 */
export function meterConsumedCapacity(
  client: DynamoDBClient,
  meter: Meter,
  tenantOfTable: (table: string) => TenantId | undefined,
): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? '';
      const isRead = READS.has(command);
      if (!isRead && !WRITES.has(command)) return next(args);
      const input = args.input as { ReturnConsumedCapacity?: string };
      const asked =
        input.ReturnConsumedCapacity === undefined
          ? { ...args, input: { ...input, ReturnConsumedCapacity: 'TOTAL' } }
          : args;
      const result = await next(asked);
      try {
        const consumed = (result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] })
          .ConsumedCapacity;
        for (const c of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
          const tenant = c.TableName ? tenantOfTable(tableNameOf(c.TableName)) : undefined;
          if (!tenant) continue;
          // Transactions answer read and write units apart; single calls only the total.
          const read = c.ReadCapacityUnits ?? (isRead ? c.CapacityUnits : 0) ?? 0;
          const write = c.WriteCapacityUnits ?? (isRead ? 0 : c.CapacityUnits) ?? 0;
          if (read > 0) meter.meter(tenant, 'ReadCapacityUnits', read);
          if (write > 0) meter.meter(tenant, 'WriteCapacityUnits', write);
        }
      } catch {
        // metering never fails the call it meters
      }
      return result;
    },
    { step: 'initialize', name: CONSUMED_CAPACITY_MIDDLEWARE, override: true },
  );
}
