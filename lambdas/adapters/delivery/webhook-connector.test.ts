import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '#domain/clock.ts';
import type { DeliverableMessage } from '#domain/delivery/hold.ts';
import type { OpenConnection } from '#domain/delivery/ports.ts';
import { verifySignature } from '#domain/delivery/signature.ts';
import { STRICT_TARGETS } from '#domain/delivery/webhook-target.ts';
import { WebhookConnector } from './webhook-connector.ts';
import { ResolvingWebhookTargets } from './webhook-targets.ts';

const NOW = new Date('2026-03-03T06:00:05Z');
const LOCAL = { allowPrivateTargets: false, allowLoopback: true };
const message: DeliverableMessage = {
  messageId: 'm-1',
  tenant: 'acme',
  customerId: '27820000001',
  channel: 'sms',
  actionId: 'bigger-bundle-offer',
  kind: 'offer',
  treatment: 'bundle',
  language: 'en',
  text: 'A bigger bundle?',
  reason: { type: 'trigger', id: 'data-80-percent' },
  createdAt: '2026-03-03T06:00:00Z',
  sendAfter: '2026-03-03T06:00:00Z',
};

/** A gateway on 127.0.0.1 answering by path: /ok 200, /busy 429, /down 500, /gone 404, /slow never. */
let server: Server;
let port: number;
const received: { path: string; headers: IncomingMessage['headers']; body: string }[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body });
      if (req.url === '/slow') return;
      const status = { '/ok': 200, '/busy': 429, '/down': 500, '/gone': 404, '/moved': 302 }[req.url ?? ''] ?? 200;
      res.writeHead(status, status === 429 ? { 'retry-after': '120' } : {}).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const connection = (path: string, host = '127.0.0.1', timeoutMs = 2000): OpenConnection => ({
  tenant: 'acme',
  channel: 'sms',
  settings: { type: 'webhook', url: `http://${host}:${port}${path}`, timeoutMs },
  secrets: ['whsec_new', 'whsec_old'],
});
const connector = (policy = LOCAL, resolve?: (h: string) => Promise<{ address: string; family: 4 | 6 }[]>) =>
  new WebhookConnector({ policy, clock: fixedClock(NOW), ...(resolve ? { resolve } : {}) });

describe('the webhook connector against a real HTTP server', () => {
  it('POSTs the message as JSON with segments, its id and a signature both secrets verify', async () => {
    const c = connector();
    expect(await c.send(connection('/ok'), [message])).toEqual([{ outcome: 'accepted' }]);
    c.close();
    const got = received.at(-1)!;
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['x-cvm-message-id']).toBe('m-1');
    expect(JSON.parse(got.body)).toEqual({ ...message, segments: 1 });
    const header = String(got.headers['x-cvm-signature']);
    expect(header.startsWith(`t=${NOW.getTime() / 1000},v1=`)).toBe(true);
    expect(verifySignature(header, got.body, 'whsec_new', { now: NOW })).toBe(true);
    expect(verifySignature(header, got.body, 'whsec_old', { now: NOW })).toBe(true);
  });

  it('retries 429 (with its Retry-After), 500 and a time-out, and fails a 404 or a redirect', async () => {
    const c = connector();
    expect(await c.send(connection('/busy'), [message])).toEqual([
      { outcome: 'retry', reason: 'http-429', retryAfterSeconds: 120 },
    ]);
    expect(await c.send(connection('/down'), [message])).toEqual([{ outcome: 'retry', reason: 'http-500' }]);
    expect(await c.send(connection('/gone'), [message])).toEqual([{ outcome: 'failed', reason: 'http-404' }]);
    expect(await c.send(connection('/moved'), [message])).toEqual([{ outcome: 'failed', reason: 'http-redirect' }]);
    const started = Date.now();
    expect(await c.send(connection('/slow', '127.0.0.1', 200), [message])).toEqual([
      { outcome: 'retry', reason: 'timeout' },
    ]);
    expect(Date.now() - started).toBeLessThan(2000);
    c.close();
  });

  it('retries a connection nobody answers', async () => {
    const c = connector();
    const closed = {
      ...connection('/ok'),
      settings: { type: 'webhook' as const, url: 'http://127.0.0.1:1/x', timeoutMs: 1000 },
    };
    expect(await c.send(closed, [message])).toEqual([{ outcome: 'retry', reason: 'connection' }]);
    c.close();
  });

  it('resolves the host again before sending and refuses it when it now points inside (DNS rebinding)', async () => {
    const rebound = connector(STRICT_TARGETS, async () => [{ address: '10.0.0.7', family: 4 }]);
    const before = received.length;
    const https = {
      ...connection('/ok'),
      settings: { type: 'webhook' as const, url: 'https://gw.example.com/x', timeoutMs: 1000 },
    };
    expect(await rebound.send(https, [message])).toEqual([{ outcome: 'failed', reason: 'target-refused' }]);
    expect(received.length).toBe(before);
  });

  it('connects to the address it checked, not to a second resolution', async () => {
    const c = connector(LOCAL, async () => [{ address: '127.0.0.1', family: 4 }]);
    expect(await c.send(connection('/ok', 'gateway.invalid'), [message])).toEqual([{ outcome: 'accepted' }]);
    expect(received.at(-1)!.headers['host']).toBe(`gateway.invalid:${port}`);
    c.close();
  });
});

describe('checking a webhook URL when it is saved', () => {
  const resolver = (map: Record<string, string[]>) => async (host: string) => {
    const addresses = map[host];
    if (!addresses) throw new Error('ENOTFOUND');
    return addresses.map((address) => ({ address, family: (address.includes(':') ? 6 : 4) as 4 | 6 }));
  };
  const targets = new ResolvingWebhookTargets(
    STRICT_TARGETS,
    resolver({
      'gw.example.com': ['93.184.216.34'],
      'inside.example.com': ['192.168.0.9'],
      'v6.example.com': ['fd12::1'],
    }),
  );

  it('takes a public https host and refuses names that resolve inside, or nowhere', async () => {
    expect(await targets.check('https://gw.example.com/hook')).toEqual({ ok: true });
    expect(await targets.check('https://inside.example.com/hook')).toMatchObject({
      ok: false,
      reason: /private address/,
    });
    expect(await targets.check('https://v6.example.com/hook')).toMatchObject({ ok: false, reason: /private address/ });
    expect(await targets.check('https://nowhere.example.com/hook')).toMatchObject({
      ok: false,
      reason: /does not resolve/,
    });
  });

  it('refuses IP literals of the loopback, private and link-local ranges, and plain http', async () => {
    for (const url of ['https://127.0.0.1/', 'https://[::1]/', 'https://10.2.3.4/', 'https://169.254.169.254/latest'])
      expect((await targets.check(url)).ok, url).toBe(false);
    expect(await targets.check('http://gw.example.com/hook')).toMatchObject({ ok: false, reason: /https/ });
  });
});
