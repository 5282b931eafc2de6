import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Channel } from '#domain/customer.ts';
import { SEALING_PURPOSE } from '#domain/delivery/connection.ts';
import type { SecretSealer } from '#domain/delivery/ports.ts';
import type { TenantId } from '#domain/ids.ts';

/**
 * The local runtime's stand-in for KMS: AES-256-GCM with a key kept in `<dir>/channel-secrets.key`
 * (mode 0600, made on first use), the tenant and channel as additional data so a sealed value
 * opens only where it was sealed, as KMS's encryption context does.
 */
export class LocalSecretSealer implements SecretSealer {
  private key: Buffer | undefined;

  constructor(private readonly keyFile: string) {}

  async seal(tenant: TenantId, channel: Channel, secret: string): Promise<string> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keyOf(), iv);
    cipher.setAAD(Buffer.from(`${SEALING_PURPOSE}\u0000${tenant}\u0000${channel}`));
    const data = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return `local:${Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64')}`;
  }

  async open(tenant: TenantId, channel: Channel, sealed: string): Promise<string> {
    if (!sealed.startsWith('local:')) throw new Error('not a locally sealed secret');
    const raw = Buffer.from(sealed.slice(6), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.keyOf(), raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(`${SEALING_PURPOSE}\u0000${tenant}\u0000${channel}`));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }

  private keyOf(): Buffer {
    if (this.key) return this.key;
    if (!existsSync(this.keyFile)) {
      mkdirSync(dirname(this.keyFile), { recursive: true });
      // 'wx': two processes starting at once cannot both write a key; the loser reads the winner's
      try {
        writeFileSync(this.keyFile, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
      } catch (err) {
        if ((err as { code?: string }).code !== 'EEXIST') throw err;
      }
    }
    this.key = Buffer.from(readFileSync(this.keyFile, 'utf8').trim(), 'base64');
    return this.key;
  }
}
