import { dynamoClient } from '#adapters/dynamo/client.ts';
import { PowertoolsIdempotentRequests } from '#adapters/dynamo/idempotent-requests.ts';
import type { PlatformEnv } from './platform-env.ts';

/**
 * Idempotency-Key on POSTs (issue 18): Powertools records in the market's table, when it has one.
 * A module of its own: only the functions that take the key import it, and Powertools'
 * idempotency utility (~23 KiB) stays out of the other bundles.
 */
export function idempotencyFor(env: PlatformEnv): PowertoolsIdempotentRequests | undefined {
  if (!env.IDEMPOTENCY_TABLE) return undefined;
  return new PowertoolsIdempotentRequests(
    dynamoClient({ endpoint: env.DYNAMODB_ENDPOINT, region: env.AWS_REGION }),
    env.IDEMPOTENCY_TABLE,
  );
}
