import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface DynamoSettings {
  /** Set locally (DynamoDB Local); absent in AWS. */
  endpoint?: string;
  region?: string;
}

export function documentClient(settings: DynamoSettings = {}): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    ...(settings.endpoint
      ? { endpoint: settings.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
    region: settings.region ?? 'af-south-1',
    // Throttling and transient faults: the SDK retries with jittered exponential backoff.
    maxAttempts: 5,
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}
