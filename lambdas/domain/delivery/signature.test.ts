import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseSignatureHeader, signatureHeader, signatureOf, verifySignature } from './signature.ts';

const body = '{"messageId":"m-1","segments":1}';
const at = new Date('2026-03-03T06:00:00Z');
const t = at.getTime() / 1000;

describe('the webhook signature', () => {
  it('is the hex HMAC-SHA256 of "<t>.<raw body>" with the secret', () => {
    const expected = createHmac('sha256', 'whsec_a').update(`${t}.${body}`).digest('hex');
    expect(signatureOf('whsec_a', t, body)).toBe(expected);
    expect(signatureHeader(t, body, ['whsec_a'])).toBe(`t=${t},v1=${expected}`);
  });

  it('carries one v1 per secret in force, newest first, and either secret verifies it', () => {
    const header = signatureHeader(t, body, ['new', 'old']);
    expect(parseSignatureHeader(header)).toEqual({
      t,
      v1: [signatureOf('new', t, body), signatureOf('old', t, body)],
    });
    expect(verifySignature(header, body, 'new', { now: at })).toBe(true);
    expect(verifySignature(header, body, 'old', { now: at })).toBe(true);
    expect(verifySignature(header, body, 'other', { now: at })).toBe(false);
  });

  it('fails for a changed body, a stale timestamp or a header that is not one', () => {
    const header = signatureHeader(t, body, ['s']);
    expect(verifySignature(header, `${body} `, 's', { now: at })).toBe(false);
    expect(verifySignature(header, body, 's', { now: new Date(at.getTime() + 301_000) })).toBe(false);
    expect(verifySignature('v1=abc', body, 's', { now: at })).toBe(false);
    expect(parseSignatureHeader('t=x,v1=zz')).toBeUndefined();
  });

  it('refuses to sign without a secret', () => {
    expect(() => signatureHeader(t, body, [])).toThrow(/at least one secret/);
  });
});
