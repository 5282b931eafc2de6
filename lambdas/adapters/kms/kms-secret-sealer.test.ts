import { DecryptCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { UnavailableError } from '#domain/errors.ts';
import { KmsSecretSealer } from './kms-secret-sealer.ts';

const kms = mockClient(KMSClient);
const KEY = 'arn:aws:kms:af-south-1:111122223333:key/acme';
const sealer = new KmsSecretSealer({ acme: KEY }, new KMSClient({ region: 'af-south-1' }));
const context = { purpose: 'cvm-channel-secret', tenant: 'acme', channel: 'sms' };

beforeEach(() => kms.reset());

describe('channel secrets sealed with KMS', () => {
  it("encrypt with the tenant's key under a context naming tenant and channel", async () => {
    kms.on(EncryptCommand).resolves({ CiphertextBlob: Buffer.from('cipher') });
    expect(await sealer.seal('acme', 'sms', 'whsec_x')).toBe(`kms:${Buffer.from('cipher').toString('base64')}`);
    const input = kms.commandCalls(EncryptCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ KeyId: KEY, EncryptionContext: context });
    expect(Buffer.from(input.Plaintext!).toString()).toBe('whsec_x');
  });

  it('decrypt under the same context, so a value moved to another tenant or channel does not open', async () => {
    kms.on(DecryptCommand).resolves({ Plaintext: Buffer.from('whsec_x') });
    expect(await sealer.open('acme', 'sms', `kms:${Buffer.from('cipher').toString('base64')}`)).toBe('whsec_x');
    expect(kms.commandCalls(DecryptCommand)[0]!.args[0].input).toMatchObject({
      EncryptionContext: context,
      KeyId: KEY,
    });
    await expect(sealer.open('acme', 'sms', 'local:abc')).rejects.toThrow(/not a KMS-sealed/);
  });

  it('answer a throttled key service as unavailable, and refuse a tenant without a key', async () => {
    kms.on(EncryptCommand).rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    await expect(sealer.seal('acme', 'sms', 's')).rejects.toBeInstanceOf(UnavailableError);
    await expect(sealer.seal('globex', 'sms', 's')).rejects.toThrow(/no channel key/);
  });
});
