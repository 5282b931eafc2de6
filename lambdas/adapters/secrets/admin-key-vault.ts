import { DescribeSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { TenantId } from '#domain/ids.ts';
import type { AdminKeyVault } from '#domain/starter.ts';

/**
 * Each tenant's first admin key in its own Secrets Manager secret, which the stack creates
 * without a value (lib/constructs/market-seed.ts). Only DescribeSecret and PutSecretValue: the
 * seeder can tell whether a key is there and write one, never read one back.
 */
export class SecretsAdminKeyVault implements AdminKeyVault {
  constructor(
    private readonly secretArns: Record<TenantId, string>,
    private readonly client = new SecretsManagerClient({}),
  ) {}

  async hasKey(tenant: TenantId): Promise<boolean> {
    const out = await this.client.send(new DescribeSecretCommand({ SecretId: this.arnOf(tenant) }));
    // a secret created without a value has no version; the first PutSecretValue makes AWSCURRENT
    return Object.values(out.VersionIdsToStages ?? {}).some((stages) => stages.includes('AWSCURRENT'));
  }

  async store(tenant: TenantId, apiKey: string): Promise<void> {
    await this.client.send(new PutSecretValueCommand({ SecretId: this.arnOf(tenant), SecretString: apiKey }));
  }

  private arnOf(tenant: TenantId): string {
    const arn = this.secretArns[tenant];
    if (!arn) throw new Error(`no admin-key secret is configured for tenant ${tenant}`);
    return arn;
  }
}
