import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SQSBatchResponse } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoAuditLog } from '#adapters/dynamo/audit-log.ts';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#adapters/dynamo/client.ts';
import type { Caller } from '#domain/api-key.ts';
import type { CvmEvent } from '#domain/events.ts';
import type { Invoke } from '../test-support/api-event.ts';
import { testTables, type TestTables } from '../test-support/dynamo.ts';
import { anEvent } from '../test-support/event-builders.ts';
import { processorHarness } from '../test-support/processor-harness.ts';
import { sqsEvent, sqsRecord } from '../test-support/sqs-event.ts';

/**
 * Opt-out replies (`message.inbound`) through the event processor on DynamoDB Local: the consent
 * change rides in the state's own write with its audit entry, so a redelivered reply changes
 * nothing twice, and the triggers of the same batch already see it.
 */
const NOW = '2026-03-02T10:00:00.000Z'; // midday in Johannesburg
let t: TestTables;
let dir: string;
let process_: (e: ReturnType<typeof sqsEvent>) => Promise<SQSBatchResponse>;
let customers: Invoke;
let audit: DynamoAuditLog;
const acme: Caller = { tenant: 'acme', scope: 'admin', keyId: 'acme-admin' };

beforeAll(async () => {
  t = await testTables(['acme']);
  ({
    dir,
    processEvents: process_,
    customers,
  } = await processorHarness(t, {
    CVM_NOW: NOW,
    MARKET_RULES: JSON.stringify({
      timezone: 'Africa/Johannesburg',
      quietHours: { start: '20:00', end: '08:00' },
      defaultLanguage: 'en',
      optOutKeywords: ['STOP', 'UNSUBSCRIBE', 'STOPP'],
    }),
  }));
  audit = new DynamoAuditLog(documentClient({ endpoint: t.endpoint }), (tenant) => t.tenantTables[tenant]!);
});

const reply = (customerId: string, text: string, channel: 'sms' | 'push' = 'sms'): CvmEvent => ({
  ...anEvent('message.inbound', { channel, text }, { now: NOW }),
  customerId,
});
const deliver = (events: CvmEvent[]) => process_(sqsEvent(events.map((e) => sqsRecord(t.market, 'acme', e))));
const customer = async (id: string) =>
  (await customers({ method: 'GET', path: `/v1/customers/${id}`, caller: acme })).json;
const consentAudits = async (id: string) =>
  (await audit.list('acme', NOW.slice(0, 7), { limit: 100 })).items.filter(
    (e) => e.what === 'customer.consent' && e.subject === id && e.keyId.startsWith('event:'),
  );
const smsOutbound = () => {
  const file = join(dir, 'outbound', 'sms.jsonl');
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [];
};

describe('an opt-out reply', () => {
  it("sets that channel's consent to false, once, with an audit entry naming the event", async () => {
    await customers({
      method: 'PUT',
      path: '/v1/customers/o-1',
      body: { consent: { sms: true, push: true } },
      caller: acme,
    });
    const stop = reply('o-1', '  stopp ');
    expect((await deliver([stop])).batchItemFailures).toEqual([]);
    const after = await customer('o-1');
    expect(after.consent).toEqual({ sms: false, push: true });
    expect(after.version).toBe(2);
    expect(await consentAudits('o-1')).toEqual([
      expect.objectContaining({
        keyId: `event:${stop.eventId}`,
        before: { sms: true, push: true },
        after: { sms: false, push: true },
      }),
    ]);

    // the customer opts in again through the operator's CRM; the redelivered reply is a duplicate
    await customers({
      method: 'PUT',
      path: '/v1/customers/o-1',
      body: { consent: { sms: true, push: true } },
      caller: acme,
    });
    expect((await deliver([stop])).batchItemFailures).toEqual([]);
    expect((await customer('o-1')).consent).toEqual({ sms: true, push: true });
    expect(await consentAudits('o-1')).toHaveLength(1);
  });

  it('leaves consent alone for a reply that only mentions the keyword', async () => {
    await customers({ method: 'PUT', path: '/v1/customers/o-2', body: { consent: { sms: true } }, caller: acme });
    await deliver([reply('o-2', 'please stop calling me at night')]);
    expect((await customer('o-2')).consent).toEqual({ sms: true });
    expect(await consentAudits('o-2')).toEqual([]);
  });

  it('keeps the triggers of the same batch from sending on the channel it switched off', async () => {
    await customers({ method: 'PUT', path: '/v1/customers/o-3', body: { consent: { sms: true } }, caller: acme });
    const before = smsOutbound().length;
    const usage: CvmEvent = {
      ...anEvent('usage.data', { usedMb: 900, bundleMb: 1000 }, { now: NOW, minutesAgo: 1 }),
      customerId: 'o-3',
    };
    // the reply comes first in time: the data-80% SMS offer that usage would fire is not sent
    const stop = { ...reply('o-3', 'STOP'), occurredAt: new Date(Date.parse(NOW) - 120_000).toISOString() };
    await deliver([usage, stop]);
    expect((await customer('o-3')).consent).toEqual({ sms: false });
    expect(
      smsOutbound()
        .slice(before)
        .filter((l) => l.includes('"o-3"')),
    ).toEqual([]);
    // the same usage without the reply does send it
    await customers({ method: 'PUT', path: '/v1/customers/o-4', body: { consent: { sms: true } }, caller: acme });
    await deliver([{ ...usage, eventId: 'usage-o-4', customerId: 'o-4' }]);
    expect(
      smsOutbound()
        .slice(before)
        .filter((l) => l.includes('"o-4"')),
    ).toHaveLength(1);
  });
  // a profile stored before versions has no version: it counts as 1, and the consent write expects that
  it('switches off consent on a profile stored before versions', async () => {
    const db = documentClient({ endpoint: t.endpoint });
    await db.send(
      new PutCommand({
        TableName: t.tenantTables['acme']!,
        Item: { pk: 'C#o-legacy', sk: 'P', kind: 'profile', customerId: 'o-legacy', consent: { sms: true } },
      }),
    );
    db.destroy();
    expect((await deliver([reply('o-legacy', 'STOP')])).batchItemFailures).toEqual([]);
    const after = await customer('o-legacy');
    expect(after.consent).toEqual({ sms: false });
    expect(after.version).toBe(2);
    expect(after.createdAt).toBeUndefined();
  });
});
