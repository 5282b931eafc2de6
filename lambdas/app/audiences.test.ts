import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoAudienceMemberships } from '#adapters/dynamo/audience-memberships.ts';
import { audienceIdsPk, audienceKey, DynamoAudienceStore } from '#adapters/dynamo/audience-store.ts';
import { documentClient } from '#adapters/dynamo/client.ts';
import { LocalAudienceUploads, receiveUpload, uploadFile } from '#adapters/local/local-uploads.ts';
import { fixedClock } from '#domain/clock.ts';
import { AUDIENCE_SHARDS } from '#domain/campaign/audience-upload.ts';
import { AUDIENCE_TTL_LAG_DAYS, ttlOf } from '#domain/campaign/retention.ts';
import { InvalidInputError, NotFoundError } from '#domain/errors.ts';
import { testTables, type TestTables } from '../test-support/dynamo.ts';
import {
  createAudience,
  DEFAULT_AUDIENCE_SETTINGS,
  getAudience,
  readyAudience,
  type AudiencePorts,
} from './audiences.ts';

const NOW = '2025-03-12T08:00:00.000Z';
const secret = Buffer.alloc(32, 7);
let t: TestTables;
let dir: string;
let db: DynamoDBDocumentClient;
let store: DynamoAudienceStore;
let memberships: DynamoAudienceMemberships;
let made = 0;
/** The platform clock erasure and export read the store at. */
const storeNow = new Date(NOW);
const DAY = 86_400_000;

beforeAll(async () => {
  t = await testTables();
  dir = mkdtempSync(join(tmpdir(), 'cvm-audiences-'));
  db = documentClient({ endpoint: t.endpoint });
  store = new DynamoAudienceStore(db, (tn) => t.tenantTables[tn]!);
  memberships = new DynamoAudienceMemberships(
    db,
    (tn) => t.tenantTables[tn]!,
    () => storeNow,
  );
});

/** Ports on DynamoDB Local and the local upload folder; `elapsed` advances as the test says. */
function ports(over: Partial<AudiencePorts['settings']> = {}) {
  let elapsed = 0;
  const clock = fixedClock(NOW);
  const p: AudiencePorts = {
    audiences: store,
    uploads: new LocalAudienceUploads(dir, secret, () => 'http://127.0.0.1:3000'),
    clock,
    elapsedMs: () => elapsed,
    randomId: () => `r${String(made++).padStart(7, '0')}`,
    settings: { ...DEFAULT_AUDIENCE_SETTINGS, ...over },
  };
  return { p, clock, tick: (ms: number) => (elapsed += ms) };
}

async function upload(url: string, text: string) {
  const token = new URL(url).pathname.split('/').at(-1)!;
  async function* body() {
    yield new TextEncoder().encode(text);
  }
  return receiveUpload(dir, secret, token, body(), new Date(NOW));
}

describe('uploaded audiences (DynamoDB Local, local upload store)', () => {
  it('awaits its upload, then reads it: distinct valid ids, rejected lines counted and numbered, file deleted', async () => {
    const { p } = ports();
    const created = await createAudience(p)('acme');
    expect(created.uploadUrl).toMatch(/^http:\/\/127\.0\.0\.1:3000\/local\/uploads\/[\w-]+\.[\w-]+$/);
    expect(created.expiresAt).toBe('2025-03-12T09:00:00.000Z');
    expect((await getAudience(p)('acme', created.audienceId)).status).toBe('awaiting-upload');
    const ids = Array.from({ length: 300 }, (_, i) => `c${i}`);
    const text = ['customerId', ...ids, 'bad id', '', 'c1', '"c2"', '../x', ...ids.slice(0, 10)].join('\r\n');
    expect((await upload(created.uploadUrl, text)).status).toBe(200);
    const ready = await getAudience(p)('acme', created.audienceId);
    expect(ready).toMatchObject({ status: 'ready', size: 300, rejected: 2, rejectedLines: [302, 306] });
    expect(await p.uploads.stat('acme', created.audienceId)).toBeUndefined();
    // read back by segment, each id once
    const seen: string[] = [];
    for (let shard = 0; shard < 64; shard++)
      for await (const page of store.idsOfShard('acme', created.audienceId, shard)) seen.push(...page);
    expect(seen.sort()).toEqual([...ids].sort());
  });

  it('reads a large upload over several calls, each bounded, resuming where the last stopped', async () => {
    const { p, tick } = ports({ processSeconds: 1, batchIds: 100 });
    const { audienceId, uploadUrl } = await createAudience(p)('acme');
    const ids = Array.from({ length: 1000 }, (_, i) => `r${i}`);
    await upload(uploadUrl, `${ids.join('\n')}\nnot valid!\n`);
    // every batch "takes" 600 ms: a call stores two batches and stops
    const slow: AudiencePorts = { ...p, elapsedMs: () => tick(600) };
    const first = await getAudience(slow)('acme', audienceId);
    expect(first).toMatchObject({ status: 'processing', linesRead: 200 });
    let view = first;
    for (let i = 0; i < 10 && view.status === 'processing'; i++) view = await getAudience(slow)('acme', audienceId);
    expect(view).toMatchObject({ status: 'ready', size: 1000, rejected: 1, rejectedLines: [1001] });
  });

  it('lets one reader hold the processing: another call answers what is stored meanwhile', async () => {
    const { p, clock } = ports();
    const { audienceId, uploadUrl } = await createAudience(p)('acme');
    await upload(uploadUrl, 'a1\na2\n');
    const lease = new Date(clock.now().getTime() + 60_000).toISOString();
    expect(await store.claim('acme', audienceId, clock.now().toISOString(), lease, 'someone-else')).toBeDefined();
    expect((await getAudience(p)('acme', audienceId)).status).toBe('processing');
    // the other reader died: after its lease the next call takes over (and finds another file than it saw)
    clock.advance(61_000);
    const after = await getAudience(p)('acme', audienceId);
    expect(after.status).toBe('failed');
    expect(after.reason).toMatch(/replaced/);
  });

  it('fails an upload replaced while it is read, and one without a valid id', async () => {
    const { p, tick } = ports({ processSeconds: 0, batchIds: 1 });
    const { audienceId, uploadUrl } = await createAudience(p)('acme');
    await upload(uploadUrl, 'x1\nx2\nx3\n');
    const once: AudiencePorts = { ...p, elapsedMs: () => tick(10) };
    expect((await getAudience(once)('acme', audienceId)).status).toBe('processing');
    await new Promise((r) => setTimeout(r, 5));
    await upload(uploadUrl, 'y1\n');
    // the lease of the first call (processSeconds + 30 s) runs out before another call reads on
    const expired: AudiencePorts = { ...ports().p, clock: fixedClock(new Date(Date.parse(NOW) + 31_000)) };
    const failed = await getAudience(expired)('acme', audienceId);
    expect(failed).toMatchObject({ status: 'failed' });
    expect(failed.reason).toMatch(/replaced/);

    const empty = await createAudience(p)('acme');
    await upload(empty.uploadUrl, 'customerId\n\n!!\n');
    const none = await getAudience(p)('acme', empty.audienceId);
    expect(none).toMatchObject({ status: 'failed', rejected: 1 });
    expect(none.reason).toMatch(/no valid customer id/);
  });

  it("answers 404 for another tenant's audience, and a campaign can use only its own ready one", async () => {
    const { p } = ports();
    const { audienceId, uploadUrl } = await createAudience(p)('acme');
    await expect(getAudience(p)('globex', audienceId)).rejects.toBeInstanceOf(NotFoundError);
    await expect(readyAudience(store, 'acme', audienceId, new Date(NOW))).rejects.toThrow(/awaiting-upload/);
    await upload(uploadUrl, 'k1\n');
    await getAudience(p)('acme', audienceId);
    expect((await readyAudience(store, 'acme', audienceId, new Date(NOW))).size).toBe(1);
    await expect(readyAudience(store, 'globex', audienceId, new Date(NOW))).rejects.toMatchObject({
      errors: [{ field: 'audience.audienceId', message: `no audience ${audienceId}` }],
    });
  });

  it('reaches uploaded lists on erasure and names them on export', async () => {
    const { p } = ports();
    const a = await createAudience(p)('acme');
    const b = await createAudience(p)('acme');
    await upload(a.uploadUrl, 'e1\ne2\n');
    await upload(b.uploadUrl, 'e2\ne3\n');
    await getAudience(p)('acme', a.audienceId);
    await getAudience(p)('acme', b.audienceId);
    expect(await memberships.audiencesNaming('acme', 'e2')).toEqual([a.audienceId, b.audienceId].sort());
    expect(await memberships.forgetCustomer('acme', 'e2')).toBe(2);
    expect(await memberships.audiencesNaming('acme', 'e2')).toEqual([]);
    expect(await memberships.forgetCustomer('acme', 'e2')).toBe(0);
    expect(await store.countIds('acme', a.audienceId, 64)).toBe(1);
  });

  it('gives the record and every stored id the TTL of its expiry, retention.audienceDays after creation', async () => {
    const { p } = ports({ retentionDays: 30 });
    const { audienceId, uploadUrl } = await createAudience(p)('acme');
    const ids = Array.from({ length: 130 }, (_, i) => `t${i}`);
    await upload(uploadUrl, ids.join('\n'));
    const view = await getAudience(p)('acme', audienceId);
    const retainedUntil = new Date(Date.parse(NOW) + 30 * DAY).toISOString();
    expect(view).toMatchObject({ status: 'ready', size: 130, retainedUntil, expiresAt: '2025-03-12T09:00:00.000Z' });
    const table = t.tenantTables['acme']!;
    const record = await db.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: { ':p': audienceKey(audienceId).pk },
      }),
    );
    // the table's TTL attribute, in epoch seconds; the upload URL's expiry kept beside it
    expect(record.Items?.[0]).toMatchObject({
      expiresAt: ttlOf(retainedUntil),
      uploadExpiresAt: '2025-03-12T09:00:00.000Z',
      gsi1sk: `${retainedUntil}#${audienceId}`,
    });
    const items: Record<string, unknown>[] = [];
    for (let shard = 0; shard < AUDIENCE_SHARDS; shard++) {
      const out = await db.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :p',
          ExpressionAttributeValues: { ':p': audienceIdsPk(audienceId, shard) },
        }),
      );
      items.push(...(out.Items ?? []));
    }
    expect(items).toHaveLength(130);
    expect(items.every((i) => i['expiresAt'] === ttlOf(retainedUntil))).toBe(true);
  });

  it('answers an expired audience as not found, naming its expiry, and a campaign refuses it', async () => {
    const { p, clock } = ports({ retentionDays: 7 });
    const { audienceId, uploadUrl } = await createAudience(p)('acme');
    await upload(uploadUrl, 'g1\ng2\n');
    expect((await getAudience(p)('acme', audienceId)).status).toBe('ready');
    clock.advance(7 * DAY);
    const gone = getAudience(p)('acme', audienceId);
    await expect(gone).rejects.toBeInstanceOf(NotFoundError);
    await expect(gone).rejects.toThrow(/expired at 2025-03-19T08:00:00.000Z \(uploaded audiences are kept 7 days\)/);
    const refused = readyAudience(store, 'acme', audienceId, clock.now());
    await expect(refused).rejects.toBeInstanceOf(InvalidInputError);
    await expect(refused).rejects.toMatchObject({
      errors: [{ field: 'audience.audienceId', message: expect.stringMatching(/expired at 2025-03-19/) }],
    });
  });

  it('reads only the audiences still held on erasure and export: expired ones cost nothing', async () => {
    // another tenant's table, so this file's other audiences do not count
    const tenant = 'globex';
    const short = ports({ retentionDays: 7 }).p;
    const long = ports({ retentionDays: 90 }).p;
    const created: string[] = [];
    for (const p of [short, short, short, long]) {
      const { audienceId, uploadUrl } = await createAudience(p)(tenant);
      await upload(uploadUrl, 'h1\nh2\n');
      await getAudience(p)(tenant, audienceId);
      created.push(audienceId);
    }
    const lived = created.at(-1)!;
    let deletes = 0;
    const counting = {
      send: (cmd: unknown) => {
        if (cmd instanceof DeleteCommand) deletes++;
        return db.send(cmd as never);
      },
    } as unknown as DynamoDBDocumentClient;
    const at = (ms: number) =>
      new DynamoAudienceMemberships(
        counting,
        (tn) => t.tenantTables[tn]!,
        () => new Date(ms),
      );
    // expired, but within the TTL's lag: its ids may still be stored, so erasure still reaches them
    const lagging = at(Date.parse(NOW) + 8 * DAY);
    expect(await lagging.audiencesNaming(tenant, 'h1')).toEqual([...created].sort());
    // past the lag: only the live one is read, one delete for one live audience
    const later = at(Date.parse(NOW) + (7 + AUDIENCE_TTL_LAG_DAYS) * DAY + 1);
    expect(await later.audiencesNaming(tenant, 'h2')).toEqual([lived]);
    deletes = 0;
    expect(await later.forgetCustomer(tenant, 'h2')).toBe(1);
    expect(deletes).toBe(1);
    expect(await later.audiencesNaming(tenant, 'h2')).toEqual([]);
  });

  it('still reaches an audience stored before retention on erasure (it has no expiry to list it by)', async () => {
    const audienceId = 'aud-legacy-1';
    await store.create('acme', {
      audienceId,
      status: 'ready',
      createdAt: '2024-01-01T00:00:00.000Z',
      updatedAt: '2024-01-01T00:00:00.000Z',
      expiresAt: '2024-01-01T01:00:00.000Z',
      shards: AUDIENCE_SHARDS,
      size: 1,
    });
    await store.putIds('acme', { audienceId, shards: AUDIENCE_SHARDS }, ['legacy-1']);
    expect((await store.get('acme', audienceId))?.expiresAt).toBe('2024-01-01T01:00:00.000Z');
    expect(await memberships.audiencesNaming('acme', 'legacy-1')).toEqual([audienceId]);
    expect(await memberships.forgetCustomer('acme', 'legacy-1')).toBe(1);
  });

  it('keeps uploads to the file its ids name', () => {
    expect(uploadFile(dir, 'acme', 'aud-1')).toBe(join(dir, 'uploads', 'acme', 'aud-1.csv'));
    writeFileSync(join(dir, 'marker'), '');
    for (const [tenant, id] of [
      ['..', 'x'],
      ['acme', '..'],
      ['acme', '../x'],
      ['acme/..', 'x'],
      ['acme', '/etc/passwd'],
    ])
      expect(() => uploadFile(dir, tenant!, id!)).toThrow();
  });
});
