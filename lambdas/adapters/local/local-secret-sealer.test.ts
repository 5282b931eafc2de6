import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalSecretSealer } from './local-secret-sealer.ts';

describe('the local secret sealer', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'cvm-sealer-')), 'channel-secrets.key');

  it('seals so that only the same tenant and channel open it, with a key file only its owner reads', async () => {
    const sealer = new LocalSecretSealer(file);
    const sealed = await sealer.seal('acme', 'sms', 'whsec_x');
    expect(sealed).not.toContain('whsec_x');
    expect(await new LocalSecretSealer(file).open('acme', 'sms', sealed)).toBe('whsec_x');
    await expect(sealer.open('globex', 'sms', sealed)).rejects.toThrow();
    await expect(sealer.open('acme', 'email', sealed)).rejects.toThrow();
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
