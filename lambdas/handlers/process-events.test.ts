import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SQSBatchResponse } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '#adapters/dynamo/client.ts';
import type { Caller } from '#domain/api-key.ts';
import type { CvmEvent } from '#domain/events.ts';
import type { Invoke } from '../test-support/api-event.ts';
import { processorHarness } from '../test-support/processor-harness.ts';
import { testTables, type TestTables } from '../test-support/dynamo.ts';
import { anEvent } from '../test-support/event-builders.ts';
import { sqsEvent, sqsRecord } from '../test-support/sqs-event.ts';

// Midday in Johannesburg (UTC+2).
const NOW = '2026-03-02T10:00:00.000Z';
let t: TestTables;
let dir: string;
let process_: (e: ReturnType<typeof sqsEvent>) => Promise<SQSBatchResponse>;
let customers: Invoke;
const acme: Caller = { tenant: 'acme', scope: 'admin', keyId: 'acme-admin' };
const globex: Caller = { tenant: 'globex', scope: 'admin', keyId: 'globex-admin' };

beforeAll(async () => {
  t = await testTables();
  ({ dir, processEvents: process_, customers } = await processorHarness(t, { CVM_NOW: NOW }));
});

const ev = <E extends CvmEvent>(e: E, customerId: string): E => ({ ...e, customerId });
const deliver = (tenant: string, events: CvmEvent[]) =>
  process_(sqsEvent(events.map((e) => sqsRecord(t.market, tenant, e))));
const stateOf = async (id: string, caller: Caller = acme) =>
  (await customers({ method: 'GET', path: `/v1/customers/${id}`, caller })).json?.state;
const outbound = (channel: string) => {
  const file = join(dir, 'outbound', `${channel}.jsonl`);
  return existsSync(file)
    ? readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : [];
};
const putProfile = (id: string, body: unknown, caller: Caller = acme) =>
  customers({ method: 'PUT', path: `/v1/customers/${id}`, body, caller });

describe('the event processor', () => {
  it('builds state for a customer, folding a batch into counters, and shows it in GET', async () => {
    await putProfile('p-1', { segment: 'youth', consent: { sms: true } });
    const res = await deliver('acme', [
      ev(anEvent('billing.topup', { amount: 50 }, { now: NOW }), 'p-1'),
      ev(anEvent('survey.nps', { score: 4 }, { now: NOW }), 'p-1'),
      ev(anEvent('network.call_dropped', {}, { now: NOW }), 'p-1'),
    ]);
    expect(res.batchItemFailures).toEqual([]);
    expect(await stateOf('p-1')).toMatchObject({
      topups30d: { count: 1, amount: 50 },
      lastNps: { score: 4 },
      droppedCalls24h: 1,
    });
  });

  it('gives a duplicate inside the window no effect, in the same batch or a later one', async () => {
    await putProfile('p-2', { segment: 'youth' });
    const topup = ev(anEvent('billing.topup', { amount: 20 }, { now: NOW }), 'p-2');
    await deliver('acme', [topup, topup]);
    await deliver('acme', [topup]);
    expect((await stateOf('p-2')).topups30d).toEqual({ count: 1, amount: 20 });
  });

  it('builds state for a customer without a profile, and keeps it from another tenant', async () => {
    await deliver('acme', [ev(anEvent('network.call_dropped', {}, { now: NOW }), 'ghost')]);
    await putProfile('ghost', { segment: 'late' });
    expect((await stateOf('ghost')).droppedCalls24h).toBe(1);
    // globex has its own table: the same customer id there has no state
    await putProfile('ghost', { segment: 'other' }, globex);
    expect(await stateOf('ghost', globex)).toEqual({});
    expect((await customers({ method: 'GET', path: '/v1/customers/p-1', caller: globex })).status).toBe(404);
  });

  it('drops the events of an erased customer without failing them', async () => {
    await putProfile('gone', { segment: 'x' });
    await customers({ method: 'DELETE', path: '/v1/customers/gone', caller: acme });
    const res = await deliver('acme', [ev(anEvent('billing.topup', { amount: 5 }, { now: NOW }), 'gone')]);
    expect(res.batchItemFailures).toEqual([]);
    const items = await customers({ method: 'GET', path: '/v1/customers/gone/export', caller: acme });
    expect(items.status).toBe(404);
  });

  it("fails only a poison message and a message from another tenant's queue, not the rest of the batch", async () => {
    const good = sqsRecord(t.market, 'acme', ev(anEvent('usage.voice', { seconds: 60 }, { now: NOW }), 'p-3'));
    const poison = sqsRecord(t.market, 'acme', '{"tenant":"acme","event":');
    const stray = {
      ...sqsRecord(t.market, 'globex', ev(anEvent('usage.voice', { seconds: 1 }, { now: NOW }), 'p-3')),
      eventSourceARN: good.eventSourceARN,
    };
    const res = await process_(sqsEvent([good, poison, stray]));
    expect(res.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      [poison.messageId, stray.messageId].sort(),
    );
    expect((await stateOf('ghost')).droppedCalls24h).toBe(1);
  });

  it('sends the third dropped call within 24 hours to care, once, and records the contact', async () => {
    await putProfile('dc-1', { segment: 'youth', consent: { 'call-centre': true }, language: 'en' });
    const calls = [1, 2, 3, 4].map((i) =>
      ev(anEvent('network.call_dropped', {}, { now: NOW, minutesAgo: 60 * i }), 'dc-1'),
    );
    await deliver('acme', calls.slice(0, 2));
    expect(outbound('call-centre').filter((m) => m.customerId === 'dc-1')).toEqual([]);
    await deliver('acme', [calls[2]!]);
    await deliver('acme', [calls[2]!, calls[3]!]); // a redelivery and a fourth call: cooldown
    const sentToCare = outbound('call-centre').filter((m) => m.customerId === 'dc-1');
    expect(sentToCare).toEqual([
      expect.objectContaining({
        tenant: 'acme',
        channel: 'call-centre',
        actionId: 'care-health-check-call',
        treatment: 'care-health-check-call',
        reason: { type: 'trigger', id: 'third-dropped-call' },
        language: 'en',
      }),
    ]);
    // midday in Johannesburg: not quiet, so it may go at once
    expect(sentToCare[0].sendAfter).toBe(sentToCare[0].createdAt);
    expect(Date.parse(sentToCare[0].createdAt) - Date.parse(NOW)).toBeLessThan(60_000);
    const view = await customers({ method: 'GET', path: '/v1/customers/dc-1', caller: acme });
    expect(view.json.recentContacts).toEqual([
      expect.objectContaining({
        id: sentToCare[0].messageId,
        source: 'trigger',
        channel: 'call-centre',
        actionId: 'care-health-check-call',
      }),
    ]);
  });

  it('offers a bigger bundle at 85% of data only with SMS consent', async () => {
    await putProfile('d-yes', { consent: { sms: true } });
    await putProfile('d-no', { consent: { sms: false } });
    await deliver(
      'acme',
      ['d-yes', 'd-no'].map((id) => ev(anEvent('usage.data', { usedMb: 850, bundleMb: 1000 }, { now: NOW }), id)),
    );
    const sms = outbound('sms');
    expect(sms.filter((m) => m.customerId === 'd-yes')).toHaveLength(1);
    expect(sms.filter((m) => m.customerId === 'd-no')).toHaveLength(0);
  });
});

describe('erasure racing the first event', () => {
  it('refuses to create state once a tombstone is written after the processor read', async () => {
    const { DynamoStateRepo } = await import('#adapters/dynamo/state-repo.ts');
    const { DynamoCustomerRepo } = await import('#adapters/dynamo/customer-repo.ts');
    const db = documentClient({ endpoint: t.endpoint });
    const repo = new DynamoStateRepo(db, () => t.tenantTables['acme']!);
    const loaded = await repo.loadForEvents('acme', 'race-1');
    expect(loaded).toEqual({ erased: false });
    await new DynamoCustomerRepo(db, () => t.tenantTables['acme']!).erase('acme', 'race-1', new Date(NOW));
    const { applyEvents } = await import('#domain/customer-state.ts');
    const { state } = applyEvents(
      undefined,
      [ev(anEvent('billing.topup', { amount: 1 }, { now: NOW }), 'race-1')],
      new Date(NOW),
      { dedupeWindowHours: 48 },
    );
    expect(await repo.saveState('acme', 'race-1', state, [], 0)).toBe(false);
    expect((await repo.loadForEvents('acme', 'race-1')).erased).toBe(true);
  });
});
