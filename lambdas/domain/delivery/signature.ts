import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** The headers of a webhook request (the OpenAPI and the README name them from here). */
export const SIGNATURE_HEADER = 'x-cvm-signature';
export const MESSAGE_ID_HEADER = 'x-cvm-message-id';

/** A new webhook signing secret: 32 random bytes, url-safe, with a prefix a secret scanner can find. */
export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64url')}`;

/** `v1`: hex HMAC-SHA256 of `<t>.<raw body>` with the secret (t: unix seconds). */
export const signatureOf = (secret: string, t: number, rawBody: string): string =>
  createHmac('sha256', secret).update(`${t}.${rawBody}`, 'utf8').digest('hex');

/**
 * `t=<t>,v1=<hmac>[,v1=<hmac>]`: one `v1` per secret in force, the newest first, so a receiver
 * that knows either secret of a rotation's overlap accepts the request.
 */
export function signatureHeader(t: number, rawBody: string, secrets: readonly string[]): string {
  if (secrets.length === 0) throw new Error('a webhook request needs at least one secret to sign with');
  return [`t=${t}`, ...secrets.map((s) => `v1=${signatureOf(s, t, rawBody)}`)].join(',');
}

/** The parts of a signature header, or undefined when it is not one. */
export function parseSignatureHeader(header: string): { t: number; v1: string[] } | undefined {
  let t: number | undefined;
  const v1: string[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && value && /^\d{1,12}$/.test(value)) t = Number(value);
    else if (key === 'v1' && value && /^[0-9a-f]{64}$/.test(value)) v1.push(value);
  }
  return t !== undefined && v1.length > 0 ? { t, v1 } : undefined;
}

/**
 * What a receiver does: some `v1` matches the secret (compared in constant time) and `t` is within
 * `toleranceSeconds` of its clock, so a captured request cannot be replayed later.
 */
export function verifySignature(
  header: string,
  rawBody: string,
  secret: string,
  opts: { now: Date; toleranceSeconds?: number },
): boolean {
  const parsed = parseSignatureHeader(header);
  if (!parsed) return false;
  if (Math.abs(opts.now.getTime() / 1000 - parsed.t) > (opts.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signatureOf(secret, parsed.t, rawBody), 'hex');
  return parsed.v1.some((v) => timingSafeEqual(Buffer.from(v, 'hex'), expected));
}
