import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { documentClient } from '#adapters/dynamo/client.ts';
import { DynamoStateRepo } from '#adapters/dynamo/state-repo.ts';
import { fixedClock } from '#domain/clock.ts';
import { applyEvents } from '#domain/customer-state.ts';
import type { ActionCatalog } from '#domain/ports/catalog.ts';
import type { TriggerStore } from '#domain/ports/events.ts';
import { senderAt } from '../../scripts/bench/write-units.ts';
import { testTables } from '../test-support/dynamo.ts';
import { processEventBatch } from './process-events.ts';

const none = { get: async () => undefined, list: async () => [], put: async () => {}, remove: async () => false };

describe('a heavy sender over days (DynamoDB Local)', () => {
  it('stays exact and exactly-once at 2,000 events a day for 4 days while the clock moves on, and its item sheds the in-item keys', async () => {
    const t = await testTables(['acme']);
    const db = documentClient({ endpoint: t.endpoint });
    const tableOf = () => t.tenantTables['acme']!;
    const end = new Date('2026-03-05T10:00:00Z');
    const events = senderAt('h-1', 2000, 8000, end);
    const clock = fixedClock(events[0]!.occurredAt);
    const repo = new DynamoStateRepo(db, tableOf);
    const run = processEventBatch({
      states: repo,
      outbound: { send: async () => {} },
      triggers: none as TriggerStore,
      catalog: none as ActionCatalog,
      clock,
      market: { timezone: 'UTC', quietHours: { start: '20:00', end: '08:00' }, defaultLanguage: 'en' },
      stateConfig: { dedupeWindowHours: 48 },
    });
    // batches of 25 as they come, each a minute after its last event, every tenth one redelivered later
    const redeliver: typeof events = [];
    for (let i = 0; i < events.length; i += 25) {
      const batch = events.slice(i, i + 25);
      clock.set(new Date(Date.parse(batch[batch.length - 1]!.occurredAt) + 60_000));
      await Promise.all(run('acme', [...batch, ...redeliver.splice(0)]).values());
      if ((i / 25) % 10 === 0) redeliver.push(...batch);
    }
    const stored = (await repo.loadForEvents('acme', 'h-1')).stored!;
    const expected = applyEvents(undefined, events, clock.now(), { dedupeWindowHours: 48 }).state;
    expect(stored.state.totals).toEqual(expected.totals);
    for (const counter of [
      'droppedCalls24h',
      'droppedCalls7d',
      'topups30d',
      'spend30d',
      'voiceSeconds30d',
      'careContacts30d',
      'unresolvedContacts30d',
    ] as const)
      expect(stored.state[counter], counter).toEqual(expected[counter]);
    // two days on in spill mode: the keys it kept in the item have expired
    expect(stored.state.ids).toEqual({});

    // every event of the last 47 hours again: nothing changes
    const recent = events.filter((e) => Date.parse(e.occurredAt) > clock.now().getTime() - 47 * 3_600_000);
    for (let i = 0; i < recent.length; i += 25) await Promise.all(run('acme', recent.slice(i, i + 25)).values());
    expect((await repo.loadForEvents('acme', 'h-1')).stored).toEqual(stored);
    const records = await db.send(
      new QueryCommand({
        TableName: tableOf(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :e)',
        ExpressionAttributeValues: { ':pk': 'C#h-1', ':e': 'E#' },
        Select: 'COUNT',
      }),
    );
    expect(records.Count).toBe(8000 - 256);
  });
});
