import { DecryptCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '#adapters/dynamo/client.ts';
import type { Caller } from '#domain/api-key.ts';
import { invoker, type Invoke } from '../test-support/api-event.ts';
import { testTables, type TestTables } from '../test-support/dynamo.ts';

// In AWS mode (no CVM_LOCAL_DIR): KMS seals, and webhook targets follow the strict policy. The
// fake KMS "encrypts" reversibly, bound to the context, so tests can see what was sealed.
const kms = mockClient(KMSClient);
kms.on(EncryptCommand).callsFake((input) => ({
  CiphertextBlob: Buffer.from(`${JSON.stringify(input.EncryptionContext)}|${Buffer.from(input.Plaintext).toString()}`),
}));
kms.on(DecryptCommand).callsFake((input) => {
  const [context, plain] = Buffer.from(input.CiphertextBlob).toString().split('|');
  if (context !== JSON.stringify(input.EncryptionContext)) throw new Error('InvalidCiphertextException');
  return { Plaintext: Buffer.from(plain!) };
});

const NOW = '2026-03-03T10:00:00.000Z';
const acme: Caller = { tenant: 'acme', scope: 'admin', keyId: 'acme-admin' };
const acmeChannel: Caller = { tenant: 'acme', scope: 'channel', keyId: 'acme-channel' };
const globex: Caller = { tenant: 'globex', scope: 'admin', keyId: 'globex-admin' };
const hook = (path = 'hook') => `https://93.184.216.34/${path}`;

let t: TestTables;
let channels: Invoke;
let audit: Invoke;
beforeAll(async () => {
  t = await testTables();
  Object.assign(process.env, t.env, {
    CVM_NOW: NOW,
    DELIVERY: JSON.stringify({
      channels: {},
      tenants: {},
      allowPrivateTargets: false,
      marketChannels: ['sms', 'call-centre', 'email', 'push'],
      region: 'af-south-1',
    }),
    CHANNEL_KEYS: JSON.stringify({ acme: 'arn:aws:kms:local:1:key/acme', globex: 'arn:aws:kms:local:1:key/globex' }),
  });
  delete process.env['CVM_LOCAL_DIR'];
  channels = invoker((await import('./serve-channels.ts')).handler as never);
  audit = invoker((await import('./serve-audit.ts')).handler as never);
});

const put = (channel: string, body: unknown, caller = acme) =>
  channels({ method: 'PUT', path: `/v1/channels/${channel}`, body, caller });
const get = (channel: string, caller = acme) => channels({ method: 'GET', path: `/v1/channels/${channel}`, caller });
const rotate = (channel: string, caller = acme) =>
  channels({ method: 'POST', path: `/v1/channels/${channel}/rotate-secret`, caller });
const storedItem = async (tenant: string, channel: string) =>
  (
    await documentClient({ endpoint: t.endpoint }).send(
      new GetCommand({ TableName: t.tenantTables[tenant], Key: { pk: `CH#${channel}`, sk: 'CH' } }),
    )
  ).Item;

describe('PUT /v1/channels/{channel}', () => {
  it('creates a webhook connection with 201 and its secret, shown once and stored only sealed', async () => {
    const res = await put('sms', { type: 'webhook', url: hook(), timeoutMs: 3000 });
    expect(res.status).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json).toMatchObject({ channel: 'sms', type: 'webhook', url: hook(), timeoutMs: 3000, configured: true });
    expect(res.json.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const item = await storedItem('acme', 'sms');
    expect(item!['secrets'].current.sealed).toMatch(/^kms:/);
    expect(JSON.stringify(item)).not.toContain(res.json.secret);
  });

  it('replaces it with 200, keeping the secret and not showing it', async () => {
    const before = await storedItem('acme', 'sms');
    const res = await put('sms', { type: 'webhook', url: hook('v2') });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ url: hook('v2'), timeoutMs: 5000 });
    expect(res.json.secret).toBeUndefined();
    expect((await storedItem('acme', 'sms'))!['secrets']).toEqual(before!['secrets']);
  });

  it('never shows a secret on GET, one channel or all of them (unconnected ones use the queue)', async () => {
    const one = await get('sms');
    expect(one.status).toBe(200);
    expect(one.json).not.toHaveProperty('secret');
    expect(one.json).not.toHaveProperty('secrets');
    const all = await channels({ method: 'GET', path: '/v1/channels', caller: acme });
    expect(all.json.items.map((c: { channel: string; type: string }) => [c.channel, c.type])).toEqual([
      ['sms', 'webhook'],
      ['call-centre', 'queue'],
      ['email', 'queue'],
      ['push', 'queue'],
    ]);
    expect(JSON.stringify(all.json)).not.toMatch(/secret"|sealed|kms:/);
  });

  it('creates a queue connection with 201 and no secret', async () => {
    const res = await put('email', { type: 'queue' });
    expect(res.status).toBe(201);
    expect(res.json).toEqual(expect.objectContaining({ channel: 'email', type: 'queue', configured: true }));
    expect(res.json.secret).toBeUndefined();
  });

  it.each([
    ['an unknown type', { type: 'carrier-pigeon' }, 'type'],
    ['a webhook without a url', { type: 'webhook' }, 'url'],
    ['a time-out under 100 ms', { type: 'webhook', url: hook(), timeoutMs: 50 }, 'timeoutMs'],
    ['a time-out over 10 s', { type: 'webhook', url: hook(), timeoutMs: 10_001 }, 'timeoutMs'],
    ['an unknown field', { type: 'queue', colour: 'blue' }, 'colour'],
    ['plain http', { type: 'webhook', url: 'http://93.184.216.34/hook' }, 'url'],
    ['a loopback address', { type: 'webhook', url: 'https://127.0.0.1:8443/hook' }, 'url'],
    ['an IPv6 loopback address', { type: 'webhook', url: 'https://[::1]/hook' }, 'url'],
    ['a private address', { type: 'webhook', url: 'https://10.1.2.3/hook' }, 'url'],
    ['the metadata service', { type: 'webhook', url: 'https://169.254.169.254/latest/meta-data' }, 'url'],
    ['credentials in the URL', { type: 'webhook', url: 'https://user:pw@93.184.216.34/' }, 'url'],
  ])('answers %s with 400 problem+json naming the field, and writes nothing', async (_what, body, field) => {
    const res = await put('call-centre', body);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.json.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(await storedItem('acme', 'call-centre')).toBeUndefined();
  });

  it('answers 400 for a channel that does not exist and 404 for one the market does not have', async () => {
    expect((await put('fax', { type: 'queue' })).status).toBe(400);
    const app = await put('app', { type: 'queue' });
    expect(app.status).toBe(404);
    expect(app.json.detail).toMatch(/app is not one of this market's/);
  });

  it('is for admin keys only', async () => {
    expect((await put('sms', { type: 'queue' }, acmeChannel)).status).toBe(403);
    expect((await get('sms', acmeChannel)).status).toBe(403);
    expect((await channels({ method: 'GET', path: '/v1/channels/sms' })).status).toBe(401);
  });
});

describe('POST /v1/channels/{channel}/rotate-secret', () => {
  it('returns a new secret once and keeps the old one valid for a day', async () => {
    const before = await storedItem('acme', 'sms');
    const res = await rotate('sms');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ secret: expect.stringMatching(/^whsec_/), previousValidUntil: expect.any(String) });
    // the platform clock started at NOW and runs on: a day from now, give or take the test's run
    const overlap = Date.parse(res.json.previousValidUntil) - Date.parse(NOW);
    expect(overlap).toBeGreaterThanOrEqual(86_400_000);
    expect(overlap).toBeLessThan(86_400_000 + 60_000);
    const after = await storedItem('acme', 'sms');
    expect(after!['secrets'].previous).toEqual({
      ...before!['secrets'].current,
      validUntil: res.json.previousValidUntil,
    });
    expect(after!['secrets'].current.sealed).not.toBe(before!['secrets'].current.sealed);
    expect((await get('sms')).json).toMatchObject({ previousValidUntil: res.json.previousValidUntil });
  });

  it('answers 409 for a queue connection and 404 for a channel without one', async () => {
    expect((await rotate('email')).status).toBe(409);
    expect((await rotate('call-centre')).status).toBe(404);
  });

  it('gives a webhook replacing a queue a secret of its own, returned with 200', async () => {
    const res = await put('email', { type: 'webhook', url: hook('mail') });
    expect(res.status).toBe(200);
    expect(res.json.secret).toMatch(/^whsec_/);
  });
});

describe('tenants and the audit trail', () => {
  it("keeps each tenant's connections to itself", async () => {
    expect((await get('sms', globex)).json).toMatchObject({ type: 'queue', configured: false });
    expect((await rotate('sms', globex)).status).toBe(404);
    expect(await storedItem('globex', 'sms')).toBeUndefined();
    const res = await put('sms', { type: 'webhook', url: hook('globex') }, globex);
    expect(res.status).toBe(201);
    expect((await get('sms')).json.url).toBe(hook('v2'));
  });

  it('records every change with the key, before and after, and never a secret', async () => {
    const res = await audit({ method: 'GET', path: '/v1/audit', query: { month: '2026-03' }, caller: acme });
    const entries = res.json.items.filter((e: { what: string }) => e.what.startsWith('channel.'));
    expect(entries.map((e: { what: string; subject: string; keyId: string }) => [e.what, e.subject, e.keyId])).toEqual(
      expect.arrayContaining([
        ['channel.put', 'sms', 'acme-admin'],
        ['channel.put', 'email', 'acme-admin'],
        ['channel.secret-rotated', 'sms', 'acme-admin'],
      ]),
    );
    expect(entries).toHaveLength(5);
    expect(JSON.stringify(entries)).not.toMatch(/whsec_|sealed|kms:/);
  });
});

describe('the AWS connection types', () => {
  const APP = 'arn:aws:sns:af-south-1:123456789012:app/GCM/cvm-app';

  it('connects SMS, e-mail and push without a secret, with the default address attributes filled in', async () => {
    const sms = await put(
      'sms',
      { type: 'sms', originationIdentity: 'CVMDEMO', configurationSetName: 'cvm-demo' },
      globex,
    );
    // globex's sms was a webhook: replaced (200), its secret dropped with it
    expect(sms.status).toBe(200);
    expect(sms.json).toEqual(
      expect.objectContaining({ type: 'sms', originationIdentity: 'CVMDEMO', phoneAttribute: 'msisdn' }),
    );
    expect(sms.json.secret).toBeUndefined();
    expect((await storedItem('globex', 'sms'))!['secrets']).toBeUndefined();
    expect((await rotate('sms', globex)).status).toBe(409);
    const email = await put(
      'email',
      { type: 'email', fromAddress: 'offers@cvm.example.com', configurationSetName: 'cvm-demo' },
      globex,
    );
    expect(email.status).toBe(201);
    expect(email.json).toMatchObject({ fromAddress: 'offers@cvm.example.com', addressAttribute: 'email' });
    const push = await put(
      'push',
      { type: 'push', platformApplicationArn: APP, endpointAttribute: 'pushEndpoint' },
      globex,
    );
    expect(push.status).toBe(201);
    expect((await get('push', globex)).json).toMatchObject({
      type: 'push',
      platformApplicationArn: APP,
      endpointAttribute: 'pushEndpoint',
      configured: true,
    });
  });

  it.each([
    ['sms without a configuration set', { type: 'sms', originationIdentity: 'CVMDEMO' }, 'configurationSetName'],
    [
      'an origination identity with spaces',
      { type: 'sms', originationIdentity: 'CVM DEMO', configurationSetName: 'c' },
      'originationIdentity',
    ],
    [
      'a sender with a display name',
      { type: 'email', fromAddress: 'CVM <offers@cvm.example.com>', configurationSetName: 'c' },
      'fromAddress',
    ],
    [
      'an attribute name with a space',
      { type: 'email', fromAddress: 'o@cvm.example.com', configurationSetName: 'c', addressAttribute: 'e mail' },
      'addressAttribute',
    ],
    [
      'a topic instead of a platform application',
      { type: 'push', platformApplicationArn: 'arn:aws:sns:af-south-1:123456789012:offers', endpointAttribute: 'p' },
      'platformApplicationArn',
    ],
    [
      "a platform application outside the market's region",
      { type: 'push', platformApplicationArn: APP.replace('af-south-1', 'eu-west-1'), endpointAttribute: 'p' },
      'platformApplicationArn',
    ],
    ['push without its endpoint attribute', { type: 'push', platformApplicationArn: APP }, 'endpointAttribute'],
  ])('answers %s with 400 naming the field, and writes nothing', async (_what, body, field) => {
    const res = await put('call-centre', body, globex);
    expect(res.status).toBe(400);
    expect(res.json.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(await storedItem('globex', 'call-centre')).toBeUndefined();
  });
});
