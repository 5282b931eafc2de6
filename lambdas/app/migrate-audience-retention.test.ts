import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoAudienceMemberships } from '#adapters/dynamo/audience-memberships.ts';
import { DynamoAudienceRetentionMigration } from '#adapters/dynamo/audience-retention-migration.ts';
import { audienceIdsPk, audienceKey, DynamoAudienceStore } from '#adapters/dynamo/audience-store.ts';
import { batchWriteAll } from '#adapters/dynamo/batch-write.ts';
import { documentClient } from '#adapters/dynamo/client.ts';
import { LEASE_SKEW_MS, migratedRetainedUntil, readerMayHold } from '#domain/campaign/audience-migration.ts';
import { AUDIENCE_SHARDS, audienceShardOf } from '#domain/campaign/audience-upload.ts';
import { AUDIENCE_TTL_LAG_DAYS, ttlOf } from '#domain/campaign/retention.ts';
import { fixedClock } from '#domain/clock.ts';
import { testTables, type TestTables } from '../test-support/dynamo.ts';
import { migrateAudienceRetention } from './migrate-audience-retention.ts';

const NOW = '2025-06-01T12:00:00.000Z';
const DAY = 86_400_000;
const DAYS = 90;
const at = (ms: number) => new Date(Date.parse(NOW) + ms).toISOString();

let t: TestTables;
let db: DynamoDBDocumentClient;
const table = (tenant: string) => t.tenantTables[tenant]!;

beforeAll(async () => {
  t = await testTables(['acme', 'globex', 'initech', 'umbrella']);
  db = documentClient({ endpoint: t.endpoint });
});

/** What the code of before retention stored: the record in the `AUDIENCES` list, ids without a TTL. */
async function oldAudience(
  tenant: string,
  audienceId: string,
  createdAt: string,
  ids: string[],
  state: { status?: string; leaseUntil?: string } = {},
) {
  const status = state.status ?? 'ready';
  await db.send(
    new PutCommand({
      TableName: table(tenant),
      Item: {
        ...audienceKey(audienceId),
        kind: 'audience',
        gsi1pk: 'AUDIENCES',
        gsi1sk: `${createdAt}#${audienceId}`,
        audienceId,
        status,
        createdAt,
        updatedAt: createdAt,
        expiresAt: new Date(Date.parse(createdAt) + 3_600_000).toISOString(),
        shards: AUDIENCE_SHARDS,
        ...(status === 'ready' ? { size: ids.length, rejected: 0, rejectedLines: [] } : {}),
        ...(status === 'processing'
          ? { cursor: { offset: 10, etag: 'e1', lines: ids.length, rejected: 0 }, leaseUntil: state.leaseUntil }
          : {}),
      },
    }),
  );
  await batchWriteAll(
    db,
    table(tenant),
    ids.map((id) => ({
      PutRequest: {
        Item: { pk: audienceIdsPk(audienceId, audienceShardOf(id, AUDIENCE_SHARDS)), sk: id, kind: 'audience-member' },
      },
    })),
  );
}

const migration = (clock = fixedClock(NOW), client = db) =>
  migrateAudienceRetention({
    store: new DynamoAudienceRetentionMigration(client, table),
    clock,
    audienceDays: DAYS,
  });

const rawRecord = async (tenant: string, audienceId: string) =>
  (await db.send(new GetCommand({ TableName: table(tenant), Key: audienceKey(audienceId), ConsistentRead: true })))
    .Item!;

async function idItems(tenant: string, audienceId: string) {
  const items: Record<string, unknown>[] = [];
  for (let shard = 0; shard < AUDIENCE_SHARDS; shard++) {
    const out = await db.send(
      new QueryCommand({
        TableName: table(tenant),
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: { ':p': audienceIdsPk(audienceId, shard) },
        ConsistentRead: true,
      }),
    );
    items.push(...(out.Items ?? []));
  }
  return items;
}

async function listed(tenant: string, list: string) {
  const out = await db.send(
    new QueryCommand({
      TableName: table(tenant),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :p',
      ExpressionAttributeValues: { ':p': list },
    }),
  );
  return (out.Items ?? []).map((i) => i['audienceId'] as string);
}

const everything = async (tenant: string) =>
  ((await db.send(new ScanCommand({ TableName: table(tenant), ConsistentRead: true }))).Items ?? []).sort((a, b) =>
    `${a['pk']}|${a['sk']}`.localeCompare(`${b['pk']}|${b['sk']}`),
  );

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('the expiry a migrated audience gets', () => {
  it('is its retention from creation, or the migration for one already older than the retention', () => {
    expect(migratedRetainedUntil(at(-10 * DAY), DAYS, new Date(NOW))).toBe(at(80 * DAY));
    expect(migratedRetainedUntil(at(-200 * DAY), DAYS, new Date(NOW))).toBe(NOW);
  });

  it('waits for a reader whose lease, with the clock skew allowed, has not run out', () => {
    const now = new Date(NOW);
    expect(readerMayHold({ status: 'processing', leaseUntil: at(-LEASE_SKEW_MS + 1) }, now)).toBe(true);
    expect(readerMayHold({ status: 'processing', leaseUntil: at(-LEASE_SKEW_MS) }, now)).toBe(false);
    expect(readerMayHold({ status: 'processing' }, now)).toBe(false);
    expect(readerMayHold({ status: 'ready', leaseUntil: at(DAY) }, now)).toBe(false);
  });
});

describe('the audience retention migration (DynamoDB Local, audiences as the code of before retention stored them)', () => {
  it('gives every old audience its expiry and a TTL on the record and every id, and empties the old list', async () => {
    await oldAudience('acme', 'aud-recent', at(-10 * DAY), ids('r', 130));
    await oldAudience('acme', 'aud-ancient', at(-200 * DAY), ids('a', 40));
    await oldAudience('acme', 'aud-waiting', at(-1 * DAY), [], { status: 'awaiting-upload' });

    const summary = await migration()('acme');

    expect(summary).toMatchObject({ listed: 3, migrated: 3, expiredNow: 1, ids: 170, deferred: [], skipped: 0 });
    expect(await listed('acme', 'AUDIENCES')).toEqual([]);
    expect((await listed('acme', 'AUDIENCES_BY_EXPIRY')).sort()).toEqual(['aud-ancient', 'aud-recent', 'aud-waiting']);
    for (const [audienceId, retainedUntil, n] of [
      ['aud-recent', at(80 * DAY), 130],
      ['aud-ancient', NOW, 40],
      ['aud-waiting', at(89 * DAY), 0],
    ] as const) {
      expect(await rawRecord('acme', audienceId)).toMatchObject({
        retainedUntil,
        expiresAt: ttlOf(retainedUntil),
        gsi1sk: `${retainedUntil}#${audienceId}`,
      });
      const items = await idItems('acme', audienceId);
      expect(items).toHaveLength(n);
      for (const item of items) expect(item['expiresAt']).toBe(ttlOf(retainedUntil));
    }
    // the store reads the upload URL's expiry where it was, the TTL apart
    const store = new DynamoAudienceStore(db, table);
    expect(await store.get('acme', 'aud-recent')).toMatchObject({
      expiresAt: at(-10 * DAY + 3_600_000),
      retainedUntil: at(80 * DAY),
      status: 'ready',
      size: 130,
    });
  });

  it('changes nothing when it runs again', async () => {
    await oldAudience('globex', 'aud-1', at(-30 * DAY), ids('g', 60));
    await migration()('globex');
    const before = await everything('globex');

    const again = await migration(fixedClock(at(DAY)))('globex');

    expect(again).toMatchObject({ listed: 0, migrated: 0, ids: 0, deferred: [] });
    expect(await everything('globex')).toEqual(before);
  });

  it('resumes an interrupted run with the expiry it had set, without writing the ids twice', async () => {
    await oldAudience('globex', 'aud-cut', at(-100 * DAY), ids('k', 50));
    const clock = fixedClock(NOW);
    // the first run stops after the ids' TTL, before the record moves (as a crash would)
    const store = new DynamoAudienceRetentionMigration(db, table);
    const cut = migrateAudienceRetention({
      store: Object.assign(Object.create(store), {
        relist: () => Promise.reject(new Error('killed')),
      }),
      clock,
      audienceDays: DAYS,
    });
    await expect(cut('globex')).rejects.toThrow('killed');
    expect(await rawRecord('globex', 'aud-cut')).toMatchObject({ retainedUntil: NOW, gsi1pk: 'AUDIENCES' });

    clock.advance(DAY);
    const resumed = await migration(clock)('globex');

    expect(resumed).toMatchObject({ migrated: 1, expiredNow: 1, ids: 0 });
    for (const item of await idItems('globex', 'aud-cut')) expect(item['expiresAt']).toBe(ttlOf(NOW));
    expect(await rawRecord('globex', 'aud-cut')).toMatchObject({ retainedUntil: NOW, expiresAt: ttlOf(NOW) });
  });

  it('leaves erasure and subject access to the list by expiry, which stops reading an audience once TTL has had time', async () => {
    await oldAudience('initech', 'aud-live', at(-10 * DAY), ['kim', ...ids('x', 20)]);
    await oldAudience('initech', 'aud-old', at(-300 * DAY), ['kim', 'lee', ...ids('y', 20)]);
    await migration()('initech');
    expect(await listed('initech', 'AUDIENCES')).toEqual([]);

    const store = (now: string) => new DynamoAudienceMemberships(db, table, () => new Date(now));
    // expired at the migration: still read while TTL may not have deleted its ids
    expect(await store(NOW).audiencesNaming('initech', 'kim')).toEqual(['aud-live', 'aud-old']);
    expect(await store(NOW).forgetCustomer('initech', 'kim')).toBe(2);
    expect(await store(NOW).audiencesNaming('initech', 'kim')).toEqual([]);
    // after the lag only the live audience is read (DynamoDB Local deletes nothing by TTL)
    const later = at((AUDIENCE_TTL_LAG_DAYS + 1) * DAY);
    expect(await store(NOW).audiencesNaming('initech', 'lee')).toEqual(['aud-old']);
    expect(await store(later).audiencesNaming('initech', 'lee')).toEqual([]);
  });

  it('does not bring back an id erased while the migration writes the TTLs', async () => {
    await oldAudience('initech', 'aud-erasing', at(-5 * DAY), ['pat', ...ids('z', 10)]);
    const erasingKey = { pk: audienceIdsPk('aud-erasing', audienceShardOf('pat', AUDIENCE_SHARDS)), sk: 'pat' };
    // a client that lets erasure delete the id just before the migration writes its TTL
    const racing = documentClient({ endpoint: t.endpoint });
    racing.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { Key?: { pk?: string; sk?: string }; UpdateExpression?: string };
        if (input.Key?.sk === 'pat' && input.UpdateExpression?.includes('expiresAt'))
          await db.send(new DeleteCommand({ TableName: table('initech'), Key: erasingKey }));
        return next(args);
      },
      { step: 'initialize' },
    );

    const summary = await migration(fixedClock(NOW), racing)('initech');

    expect(summary).toMatchObject({ migrated: 1, ids: 10 });
    expect((await db.send(new GetCommand({ TableName: table('initech'), Key: erasingKey }))).Item).toBeUndefined();
  });

  it('waits for an audience read mid-upload, then migrates it, and a reader that claims it next stores ids with the TTL', async () => {
    const clock = fixedClock(NOW);
    await oldAudience('umbrella', 'aud-reading', at(-3 * DAY), ids('m', 30), {
      status: 'processing',
      leaseUntil: at(40_000),
    });
    const untouched = await everything('umbrella');

    const first = await migration(clock)('umbrella');

    expect(first).toMatchObject({ migrated: 0, deferred: [{ audienceId: 'aud-reading', leaseUntil: at(40_000) }] });
    expect(await everything('umbrella')).toEqual(untouched);
    expect(await listed('umbrella', 'AUDIENCES')).toEqual(['aud-reading']);

    // the reader's lease has run out (and the skew allowed): nobody writes ids without a TTL any more
    clock.advance(40_000 + LEASE_SKEW_MS + 1);
    const second = await migration(clock)('umbrella');
    expect(second).toMatchObject({ migrated: 1, ids: 30, deferred: [] });
    const retainedUntil = at(87 * DAY);
    expect(await rawRecord('umbrella', 'aud-reading')).toMatchObject({
      status: 'processing',
      cursor: { offset: 10, etag: 'e1', lines: 30, rejected: 0 },
      retainedUntil,
      gsi1pk: 'AUDIENCES_BY_EXPIRY',
    });

    const store = new DynamoAudienceStore(db, table);
    const now = clock.now().toISOString();
    const held = await store.claim('umbrella', 'aud-reading', now, at(10 * 60_000), 'e1');
    expect(held).toMatchObject({ retainedUntil, cursor: { offset: 10 } });
    await store.putIds('umbrella', held!, ['m-late']);
    for (const item of await idItems('umbrella', 'aud-reading')) expect(item['expiresAt']).toBe(ttlOf(retainedUntil));
  });

  it('defers an audience a reader claims between its read and the expiry write', async () => {
    await oldAudience('umbrella', 'aud-claimed', at(-2 * DAY), ids('n', 5), { status: 'awaiting-upload' });
    const real = new DynamoAudienceRetentionMigration(db, table);
    const audiences = new DynamoAudienceStore(db, table);
    const racing = Object.assign(Object.create(real), {
      read: async (tenant: string, audienceId: string) => {
        const found = await real.read(tenant, audienceId);
        await audiences.claim(tenant, audienceId, NOW, at(50_000), 'e2');
        return found;
      },
    });

    const summary = await migrateAudienceRetention({ store: racing, clock: fixedClock(NOW), audienceDays: DAYS })(
      'umbrella',
    );

    expect(summary.deferred).toEqual([{ audienceId: 'aud-claimed', leaseUntil: at(50_000) }]);
    expect(await rawRecord('umbrella', 'aud-claimed')).not.toHaveProperty('retainedUntil');
    for (const item of await idItems('umbrella', 'aud-claimed')) expect(item).not.toHaveProperty('expiresAt');
  });
});
