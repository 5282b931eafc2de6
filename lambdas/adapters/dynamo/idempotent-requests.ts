import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyPersistenceLayerError,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { InFlightError, UnavailableError, UnprocessableError } from '#domain/errors.ts';
import { IDEMPOTENCY_HOURS, type IdempotencyScope, type IdempotentRequests } from '#domain/idempotency.ts';

/**
 * Idempotency keys on Powertools' idempotency utility with its DynamoDB persistence, on the
 * market's idempotency table (`id`, TTL `expiration`: Powertools' own layout). The record key is
 * Powertools' hash of the scope (tenant, method, path, key), so one tenant's key never meets
 * another's; the fingerprint is checked with its payload validation.
 */
export class PowertoolsIdempotentRequests implements IdempotentRequests {
  private readonly store: DynamoDBPersistenceLayer;

  constructor(client: DynamoDBClient, tableName: string) {
    this.store = new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: client });
  }

  async once<T extends Record<string, unknown>>(
    scope: IdempotencyScope,
    fingerprint: string,
    work: () => Promise<T>,
    inFlightMs: number,
  ): Promise<{ value: T; replayed: boolean }> {
    let ran = false;
    const config = new IdempotencyConfig({
      eventKeyJmesPath: 'scope',
      payloadValidationJmesPath: 'fingerprint',
      expiresAfterSeconds: IDEMPOTENCY_HOURS * 3600,
      // a first request that died leaves its record in progress only as long as it could have run
      lambdaContext: { getRemainingTimeInMillis: () => inFlightMs } as never,
    });
    const run = makeIdempotent(
      async (_request: { scope: IdempotencyScope; fingerprint: string }) => {
        ran = true;
        return work();
      },
      // one prefix wherever it runs (Powertools' default is the function name)
      { persistenceStore: this.store, config, keyPrefix: 'cvm' },
    );
    try {
      const value = (await run({ scope: { ...scope }, fingerprint })) as T;
      return { value, replayed: !ran };
    } catch (err) {
      if (err instanceof IdempotencyValidationError)
        throw new UnprocessableError('this Idempotency-Key was first used with another body', [
          { field: 'Idempotency-Key', message: 'reused with a different body' },
        ]);
      if (err instanceof IdempotencyAlreadyInProgressError)
        throw new InFlightError('a request with this Idempotency-Key is still being answered; retry shortly');
      if (err instanceof IdempotencyPersistenceLayerError)
        throw new UnavailableError('the idempotency store could not be reached; retry shortly', 1, { cause: err });
      throw err;
    }
  }
}
