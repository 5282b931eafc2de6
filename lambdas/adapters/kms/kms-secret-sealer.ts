import { DecryptCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import type { Channel } from '#domain/customer.ts';
import { SEALING_PURPOSE } from '#domain/delivery/connection.ts';
import type { SecretSealer } from '#domain/delivery/ports.ts';
import { UnavailableError } from '#domain/errors.ts';
import type { TenantId } from '#domain/ids.ts';

/** What a sealed channel secret is bound to: KMS refuses to open it under any other context. */
export const sealingContext = (tenant: TenantId, channel: Channel) => ({ purpose: SEALING_PURPOSE, tenant, channel });

/**
 * Channel secrets sealed with the tenant's own KMS key (CHANNEL_KEYS: tenant -> key ARN), the key
 * that already encrypts its tables: no extra key or secret to pay for, crypto-shredded with the
 * tenant's data, and every opening is a Decrypt in CloudTrail naming tenant and channel. The
 * encryption context binds a sealed value to its tenant and channel.
 */
export class KmsSecretSealer implements SecretSealer {
  constructor(
    private readonly keyArns: Record<TenantId, string>,
    private readonly kms: KMSClient = new KMSClient({ maxAttempts: 5 }),
  ) {}

  async seal(tenant: TenantId, channel: Channel, secret: string): Promise<string> {
    const keyId = this.keyArns[tenant];
    if (!keyId) throw new Error(`no channel key is configured for tenant ${tenant}`);
    const out = await this.call(() =>
      this.kms.send(
        new EncryptCommand({
          KeyId: keyId,
          Plaintext: Buffer.from(secret, 'utf8'),
          EncryptionContext: sealingContext(tenant, channel),
        }),
      ),
    );
    return `kms:${Buffer.from(out.CiphertextBlob!).toString('base64')}`;
  }

  async open(tenant: TenantId, channel: Channel, sealed: string): Promise<string> {
    if (!sealed.startsWith('kms:')) throw new Error('not a KMS-sealed secret');
    const out = await this.call(() =>
      this.kms.send(
        new DecryptCommand({
          CiphertextBlob: Buffer.from(sealed.slice(4), 'base64'),
          EncryptionContext: sealingContext(tenant, channel),
          ...(this.keyArns[tenant] ? { KeyId: this.keyArns[tenant] } : {}),
        }),
      ),
    );
    return Buffer.from(out.Plaintext!).toString('utf8');
  }

  private async call<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      const name = (err as { name?: string }).name ?? '';
      if (['ThrottlingException', 'KMSInternalException', 'DependencyTimeoutException'].includes(name))
        throw new UnavailableError('the key service is unavailable, retry shortly', 2, { cause: err });
      throw err;
    }
  }
}
