import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The local market's customer-reference salt, made once per data folder and kept (owner-only)
 * beside the data, so references in logs and redacted audit entries stay stable across restarts
 * as the stack id keeps them stable in AWS.
 */
export function localCustomerRefSalt(dir: string): string {
  const file = join(dir, 'customer-ref-salt');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const salt = randomBytes(32).toString('hex');
  writeFileSync(file, salt, { mode: 0o600 });
  return salt;
}
