import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * Each tenant's API Gateway usage-plan key lives in Secrets Manager; the authorizer hands it to
 * API Gateway (usageIdentifierKey) so usage plans throttle and meter per tenant, while the
 * callers' own keys stay hashes in our key store.
 */
export class SecretsUsageKeys {
  private readonly cache = new Map<string, Promise<string>>();
  constructor(
    private readonly secretArns: Record<string, string>,
    private readonly client = new SecretsManagerClient({}),
  ) {}

  keyFor(tenant: string): Promise<string | undefined> {
    const arn = this.secretArns[tenant];
    if (!arn) return Promise.resolve(undefined);
    let value = this.cache.get(tenant);
    if (!value) {
      value = this.client.send(new GetSecretValueCommand({ SecretId: arn })).then((o) => o.SecretString ?? '');
      value.catch(() => this.cache.delete(tenant));
      this.cache.set(tenant, value);
    }
    return value;
  }
}
