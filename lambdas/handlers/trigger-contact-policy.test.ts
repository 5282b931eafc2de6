import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SQSBatchResponse } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '#adapters/dynamo/client.ts';
import { DynamoContactLedgers } from '#adapters/dynamo/contact-ledger.ts';
import { ledgerRecords } from '#domain/contact-ledger.ts';
import type { Caller } from '#domain/api-key.ts';
import type { CvmEvent } from '#domain/events.ts';
import type { OutboundMessage } from '#domain/triggers.ts';
import { decisioningSettingsOf } from '#config/decisioning-settings.ts';
import { demoCatalog } from '#config/markets/demo-catalog.ts';
import { loadMarket } from '#config/markets/index.ts';
import { invoker, type Invoke } from '../test-support/api-event.ts';
import { testTables, type TestTables } from '../test-support/dynamo.ts';
import { anEvent } from '../test-support/event-builders.ts';
import { sqsEvent, sqsRecord } from '../test-support/sqs-event.ts';
import { processorHarness } from '../test-support/processor-harness.ts';

/**
 * Decisions and triggers share one contact policy over one ledger: the decisions API fills a
 * customer's SMS week and a decline, then the event processor, on the same DynamoDB Local tables,
 * holds back the data-80% trigger for that customer and sends it to one with a quiet week.
 */
// Midday in Johannesburg: outside quiet hours, so only the limits can hold a message back.
const NOW = '2026-03-02T10:00:00.000Z';
const acme: Caller = { tenant: 'acme', scope: 'admin', keyId: 'acme-admin' };
const settings = decisioningSettingsOf(loadMarket('demo'));
// every customer gets answers (no global control group), so each decision is a contact
const DECISIONING = { ...settings, experiments: { ...settings.experiments, controlPercent: 0 } };

let t: TestTables;
let dir: string;
let decisions: Invoke;
let customers: Invoke;
let processEvents: (e: ReturnType<typeof sqsEvent>) => Promise<SQSBatchResponse>;

/** SMS offers that outrank the bundle offer, each shown at most once a week: three decisions, three SMS contacts. */
const weekly = (id: string) => ({
  name: id,
  kind: 'offer',
  treatments: { sms: { templateKey: id, text: { en: `Offer ${id}` } } },
  eligibility: true,
  propensity: { starting: 0.9 },
  value: 500,
  lever: 1,
  limits: { perCustomer: [{ max: 1, days: 7 }] },
});

beforeAll(async () => {
  t = await testTables(['acme']);
  ({ dir, processEvents, customers } = await processorHarness(t, {
    CVM_NOW: NOW,
    DECISIONING: JSON.stringify(DECISIONING),
  }));
  decisions = invoker((await import('./serve-decisions.ts')).handler as never);
  const bundle = demoCatalog.find((a) => a.actionId === 'bigger-bundle-offer')!;
  for (const [id, body] of [
    ['bigger-bundle-offer', bundle],
    ...['sms-a', 'sms-b', 'sms-c'].map((id) => [id, weekly(id)] as const),
  ] as const) {
    const res = await decisions({ method: 'PUT', path: `/v1/actions/${id}`, body, caller: acme });
    expect(res.status, JSON.stringify(res.json)).toBe(201);
  }
});

const putCustomer = (id: string) =>
  customers({
    method: 'PUT',
    path: `/v1/customers/${id}`,
    body: { segment: 'youth', contract: 'prepaid', language: 'en', consent: { sms: true, app: true } },
    caller: acme,
  });
const decide = async (customerId: string, channel: string) => {
  const res = await decisions({
    method: 'POST',
    path: '/v1/decisions',
    body: { customerId, channel, limit: 1 },
    caller: acme,
  });
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  return res.json as { decisionId: string; actions: { actionId: string }[] };
};
const dataAt85 = (customerId: string): CvmEvent => ({
  ...anEvent('usage.data', { usedMb: 850, bundleMb: 1000 }, { now: NOW }),
  customerId,
});
const deliver = (events: CvmEvent[]) => processEvents(sqsEvent(events.map((e) => sqsRecord(t.market, 'acme', e))));
const smsSent = (): OutboundMessage[] => {
  const file = join(dir, 'outbound', 'sms.jsonl');
  return existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as OutboundMessage)
    : [];
};

describe('a trigger under the contact policy decisions filled', () => {
  it('holds back the SMS bundle offer from a customer whose SMS week decisions used up, and sends it to one with a quiet week', async () => {
    await putCustomer('busy-1');
    await putCustomer('quiet-1');
    const shown = [];
    for (let i = 0; i < 3; i++) shown.push(...(await decide('busy-1', 'sms')).actions.map((a) => a.actionId));
    expect(shown.sort()).toEqual(['sms-a', 'sms-b', 'sms-c']);
    // the decisions API itself now answers nothing more on SMS this week
    expect((await decide('busy-1', 'sms')).actions).toEqual([]);

    const res = await deliver([dataAt85('busy-1'), dataAt85('quiet-1')]);
    expect(res.batchItemFailures).toEqual([]);
    const sent = smsSent();
    expect(sent.filter((m) => m.customerId === 'busy-1')).toEqual([]);
    expect(sent.filter((m) => m.customerId === 'quiet-1')).toEqual([
      expect.objectContaining({
        actionId: 'bigger-bundle-offer',
        reason: { type: 'trigger', id: 'data-80-percent' },
        text: 'Running low on data? Add 5 GB for R79 now.',
      }),
    ]);
    // the firing joined the ledger decisions read: the bundle offer is not shown again this week on SMS
    const view = await customers({ method: 'GET', path: '/v1/customers/quiet-1', caller: acme });
    expect(view.json.recentContacts).toEqual([
      expect.objectContaining({ source: 'trigger', actionId: 'bigger-bundle-offer', channel: 'sms' }),
    ]);
  });

  it('keeps the bundle offer from a customer who declined it in the app, on any channel', async () => {
    await putCustomer('declined-1');
    const answer = await decide('declined-1', 'app');
    expect(answer.actions.map((a) => a.actionId)).toEqual(['bigger-bundle-offer']);
    const declined = await decisions({
      method: 'POST',
      path: `/v1/decisions/${encodeURIComponent(answer.decisionId)}/responses`,
      body: { actionId: 'bigger-bundle-offer', response: 'declined' },
      caller: acme,
    });
    expect(declined.status, JSON.stringify(declined.json)).toBe(200);
    expect((await deliver([dataAt85('declined-1')])).batchItemFailures).toEqual([]);
    expect(smsSent().filter((m) => m.customerId === 'declined-1')).toEqual([]);
  });

  it("counts a household member's trigger firing in the household ledger decisions read", async () => {
    const res = await customers({
      method: 'PUT',
      path: '/v1/customers/family-1',
      caller: acme,
      body: {
        segment: 'youth',
        contract: 'prepaid',
        language: 'en',
        householdId: 'fam-7',
        consent: { sms: true, app: true },
      },
    });
    expect(res.status, JSON.stringify(res.json)).toBeLessThan(300);
    expect((await deliver([dataAt85('family-1')])).batchItemFailures).toEqual([]);
    expect(smsSent().filter((m) => m.customerId === 'family-1')).toHaveLength(1);
    const household = await new DynamoContactLedgers(
      documentClient({ endpoint: t.endpoint }),
      () => t.tenantTables['acme']!,
    ).household(
      'acme',
      'fam-7',
      { since: '2026-03-01T00:00:00.000Z', bounds: { limits: [], declineDays: 0, acceptDays: 0 }, now: new Date() },
      true,
    );
    expect(ledgerRecords(household.ledger)).toEqual([
      expect.objectContaining({ source: 'trigger', actionId: 'bigger-bundle-offer', channel: 'sms' }),
    ]);
  });
});
