import { SQSClient } from '@aws-sdk/client-sqs';
import { traced } from '#adapters/tracing.ts';

/** Throttling and transient faults are retried by the SDK with jittered backoff. */
export const sqsClient = (region?: string): SQSClient =>
  traced(new SQSClient({ ...(region ? { region } : {}), maxAttempts: 5 }));
