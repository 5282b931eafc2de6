import { SQSClient } from '@aws-sdk/client-sqs';

/** Throttling and transient faults are retried by the SDK with jittered backoff. */
export const sqsClient = (region?: string): SQSClient =>
  new SQSClient({ ...(region ? { region } : {}), maxAttempts: 5 });
