import { describe, expect, it } from 'vitest';
import { checkWebhookTarget, classifyAddress, STRICT_TARGETS, webhookUrlProblem } from './webhook-target.ts';

const LOCAL = { allowPrivateTargets: false, allowLoopback: true };
const PRIVATE_OK = { allowPrivateTargets: true, allowLoopback: false };
const url = (s: string) => new URL(s);

describe('address classes', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['192.0.2.10', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['[::1]', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['fd00::1', 'private'],
    ['fe80::1%eth0', 'link-local'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'reserved'],
    ['2a00:1450:4001:81b::200e', 'public'],
    ['not-an-ip', 'reserved'],
    ['1.2.3', 'reserved'],
    ['1:2:3', 'reserved'],
  ])('%s is %s', (ip, cls) => {
    expect(classifyAddress(ip)).toBe(cls);
  });
});

describe('webhook targets', () => {
  it('take public https URLs only, with no credentials', () => {
    expect(webhookUrlProblem('https://smsc.example.com/hook', STRICT_TARGETS)).toBeUndefined();
    expect(webhookUrlProblem('http://smsc.example.com/hook', STRICT_TARGETS)).toMatch(/https/);
    expect(webhookUrlProblem('ftp://x', STRICT_TARGETS)).toMatch(/https/);
    expect(webhookUrlProblem('https://u:p@smsc.example.com', STRICT_TARGETS)).toMatch(/user name/);
    expect(webhookUrlProblem('smsc.example.com', STRICT_TARGETS)).toMatch(/absolute/);
    expect(webhookUrlProblem(`https://x.example.com/${'a'.repeat(2048)}`, STRICT_TARGETS)).toMatch(/2048/);
  });

  it('refuse loopback, private and link-local addresses in AWS, naming the class', () => {
    for (const [ip, cls] of [
      ['127.0.0.1', 'loopback'],
      ['10.0.0.5', 'private'],
      ['169.254.169.254', 'link-local'],
      ['::1', 'loopback'],
    ] as const) {
      const verdict = checkWebhookTarget(url('https://gw.example.com/'), [ip], STRICT_TARGETS);
      expect(verdict).toEqual({ ok: false, reason: expect.stringContaining(`a ${cls} address (${ip})`) });
    }
    expect(checkWebhookTarget(url('https://gw.example.com/'), ['93.184.216.34'], STRICT_TARGETS)).toEqual({ ok: true });
  });

  it('refuse a name when any of its addresses is refused, and a name that resolves to nothing', () => {
    expect(checkWebhookTarget(url('https://gw.example.com/'), ['93.184.216.34', '10.0.0.1'], STRICT_TARGETS).ok).toBe(
      false,
    );
    expect(checkWebhookTarget(url('https://gw.example.com/'), [], STRICT_TARGETS)).toEqual({
      ok: false,
      reason: 'does not resolve to any address',
    });
  });

  it('take private targets when the market allows them, but never unspecified, multicast or reserved ones', () => {
    expect(checkWebhookTarget(url('https://10.0.0.5/'), ['10.0.0.5'], PRIVATE_OK)).toEqual({ ok: true });
    expect(checkWebhookTarget(url('https://169.254.10.1/'), ['169.254.10.1'], PRIVATE_OK)).toEqual({ ok: true });
    expect(checkWebhookTarget(url('https://0.0.0.0/'), ['0.0.0.0'], PRIVATE_OK).ok).toBe(false);
    expect(checkWebhookTarget(url('https://gw/'), ['224.0.0.1'], PRIVATE_OK).ok).toBe(false);
  });

  it('take loopback over plain http in the local runtime, and nothing else over http', () => {
    expect(webhookUrlProblem('http://127.0.0.1:8080/sink', LOCAL)).toBeUndefined();
    expect(checkWebhookTarget(url('http://127.0.0.1:8080/sink'), ['127.0.0.1'], LOCAL)).toEqual({ ok: true });
    expect(checkWebhookTarget(url('http://localhost:8080/'), ['::1', '127.0.0.1'], LOCAL)).toEqual({ ok: true });
    expect(checkWebhookTarget(url('http://gw.example.com/'), ['93.184.216.34'], LOCAL).ok).toBe(false);
    expect(checkWebhookTarget(url('https://10.0.0.1/'), ['10.0.0.1'], LOCAL).ok).toBe(false);
  });
});
