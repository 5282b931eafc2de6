import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TenantId } from '#domain/ids.ts';
import type { Meter } from '#domain/usage-readings.ts';
import { meterConsumedCapacity } from './consumed-capacity.ts';

export interface DynamoSettings {
  /** Set locally (DynamoDB Local); absent in AWS. */
  endpoint?: string;
  region?: string;
  /**
   * Meter the capacity every call consumes to the tenant owning the table (tenant -> its table or
   * tables: its table and its decision log); tables not listed there (the shared key table) are
   * not metered.
   */
  metering?: { meter: Meter; tenantTables: Record<TenantId, string | readonly string[]> };
}

/** The plain client, for libraries that take one (Powertools idempotency); metered when asked. */
export function dynamoClient(settings: DynamoSettings = {}): DynamoDBClient {
  const client = new DynamoDBClient({
    ...(settings.endpoint
      ? { endpoint: settings.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
    region: settings.region ?? 'af-south-1',
    // Throttling and transient faults: the SDK retries with jittered exponential backoff.
    maxAttempts: 5,
  });
  if (settings.metering) {
    const tenantOf = new Map(
      Object.entries(settings.metering.tenantTables).flatMap(([tenant, tables]) =>
        [tables].flat().map((table) => [table, tenant] as const),
      ),
    );
    meterConsumedCapacity(client, settings.metering.meter, (table) => tenantOf.get(table));
  }
  return client;
}

export function documentClient(settings: DynamoSettings = {}): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(dynamoClient(settings), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}
