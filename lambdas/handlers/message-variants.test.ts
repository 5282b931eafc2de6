import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SQSBatchResponse } from 'aws-lambda';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '#adapters/dynamo/client.ts';
import { DynamoDecisionReportSource } from '#adapters/dynamo/decision-log-indexes.ts';
import type { Caller } from '#domain/api-key.ts';
import { assignedVariant } from '#domain/decisioning/variants.ts';
import type { CvmEvent } from '#domain/events.ts';
import type { OutboundMessage } from '#domain/triggers.ts';
import { decisioningSettingsOf } from '#config/decisioning-settings.ts';
import { demoCatalog } from '#config/markets/demo-catalog.ts';
import { loadMarket } from '#config/markets/index.ts';
import { invoker, type Invoke } from '../test-support/api-event.ts';
import { testTables, type TestTables } from '../test-support/dynamo.ts';
import { anEvent } from '../test-support/event-builders.ts';
import { processorHarness } from '../test-support/processor-harness.ts';
import { sqsEvent, sqsRecord } from '../test-support/sqs-event.ts';

/**
 * Message variants through the decisions API, the decision log and the event processor on
 * DynamoDB Local: the bundle offer's SMS treatment in two versions, each customer sticky to one.
 */
// Midday in Johannesburg: outside quiet hours.
const NOW = '2030-03-04T10:00:00.000Z';
const acme: Caller = { tenant: 'acme', scope: 'admin', keyId: 'acme-admin' };
const settings = decisioningSettingsOf(loadMarket('demo'));
const DECISIONING = { ...settings, experiments: { ...settings.experiments, controlPercent: 0 } };

const bundle = demoCatalog.find((a) => a.actionId === 'bigger-bundle-offer')!;
const sms = bundle.treatments.sms!;
const variants = [
  { variantId: 'A', weight: 1, params: { tone: 'plain' } },
  {
    variantId: 'B',
    weight: 1,
    text: { en: 'Only 5 GB left to add: R79, {{profile.segment}}!' },
    params: { tone: 'warm' },
  },
];
const withVariants = {
  ...bundle,
  treatments: { ...bundle.treatments, sms: { ...sms, params: { offer: '5GB', tone: 'none' }, variants } },
};

let t: TestTables;
let dir: string;
let decisions: Invoke;
let customers: Invoke;
let processEvents: (e: ReturnType<typeof sqsEvent>) => Promise<SQSBatchResponse>;

beforeAll(async () => {
  t = await testTables(['acme']);
  ({ dir, processEvents, customers } = await processorHarness(t, {
    CVM_NOW: NOW,
    DECISIONING: JSON.stringify(DECISIONING),
  }));
  decisions = invoker((await import('./serve-decisions.ts')).handler as never);
  const res = await decisions({
    method: 'PUT',
    path: '/v1/actions/bigger-bundle-offer',
    body: withVariants,
    caller: acme,
  });
  expect(res.status, JSON.stringify(res.json)).toBe(201);
});

const putCustomer = (id: string) =>
  customers({
    method: 'PUT',
    path: `/v1/customers/${id}`,
    body: { segment: 'youth', contract: 'prepaid', language: 'en', consent: { sms: true, app: true } },
    caller: acme,
  });
/** Customers of each variant, by the assignment every path shares. */
const customersOf = (variantId: string, n: number, prefix: string) => {
  const out: string[] = [];
  for (let i = 0; out.length < n; i++)
    if (assignedVariant('acme', `${prefix}${i}`, 'bigger-bundle-offer', variants)?.variantId === variantId)
      out.push(`${prefix}${i}`);
  return out;
};
const smsSent = (): OutboundMessage[] => {
  const file = join(dir, 'outbound', 'sms.jsonl');
  return existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as OutboundMessage)
    : [];
};

describe('saving an action with message variants', () => {
  const put = (sms: unknown) =>
    decisions({
      method: 'PUT',
      path: '/v1/actions/variant-check',
      body: { ...withVariants, actionId: 'variant-check', treatments: { sms } },
      caller: acme,
    });

  it('refuses an id listed twice, a weight of 0 and a variant SMS text over the segments, naming each, and writes nothing', async () => {
    const twice = await put({ ...sms, variants: [variants[0], { ...variants[1], variantId: 'A' }] });
    expect(twice.status).toBe(400);
    expect(JSON.stringify(twice.json)).toMatch(/treatments\.sms\.variants\.1\.variantId.*variant A is listed twice/);
    const zero = await put({ ...sms, variants: [{ ...variants[0], weight: 0 }, variants[1]] });
    expect(zero.status).toBe(400);
    expect(JSON.stringify(zero.json)).toContain('treatments.sms.variants.0.weight');
    const long = await put({ ...sms, variants: [variants[0], { ...variants[1], text: { en: 'ж'.repeat(400) } }] });
    expect(long.status).toBe(400);
    expect(JSON.stringify(long.json)).toMatch(/treatments\.sms\.variants\.1\.text\.en.*segments/);
    expect((await decisions({ method: 'GET', path: '/v1/actions/variant-check', caller: acme })).status).toBe(404);
  });

  it('reads the variants back as saved', async () => {
    const got = await decisions({ method: 'GET', path: '/v1/actions/bigger-bundle-offer', caller: acme });
    expect(got.json.treatments.sms.variants).toEqual(variants);
  });
});

describe('a decision with message variants', () => {
  it("answers each customer's sticky variant with its text and params, and logs it for the record and the reports", async () => {
    const [a] = customersOf('A', 1, 'va-');
    const [b] = customersOf('B', 1, 'vb-');
    const answers = [];
    for (const id of [a!, b!]) {
      await putCustomer(id);
      const res = await decisions({
        method: 'POST',
        path: '/v1/decisions',
        body: { customerId: id, channel: 'sms', limit: 1, context: { intent: 'offer' } },
        caller: acme,
      });
      expect(res.status, JSON.stringify(res.json)).toBe(200);
      answers.push(res.json);
    }
    const [ofA, ofB] = answers;
    expect(ofA.actions[0]).toMatchObject({
      actionId: 'bigger-bundle-offer',
      variantId: 'A',
      treatment: { text: 'Running low on data? Add 5 GB for R79 now.', params: { offer: '5GB', tone: 'plain' } },
    });
    // the variant's text is sent as written: its placeholders are filled where the message is rendered
    expect(ofB.actions[0]).toMatchObject({
      variantId: 'B',
      treatment: { text: variants[1]!.text!.en, params: { offer: '5GB', tone: 'warm' } },
    });

    const logged = await decisions({ method: 'GET', path: `/v1/decisions/${ofB.decisionId}`, caller: acme });
    expect(logged.json.actions[0]).toMatchObject({ actionId: 'bigger-bundle-offer', variantId: 'B' });
    // the record as the API shows it keeps its experiment as it was; the variants it stores for the reports stay inside
    expect(logged.json.experiment).toEqual(ofB.experiment);
    const item = await documentClient({ endpoint: t.endpoint }).send(
      new GetCommand({ TableName: t.decisionTables['acme']!, Key: { id: ofB.decisionId } }),
    );
    expect(item.Item?.['experiment']).toMatchObject({ variants: { 'bigger-bundle-offer': 'B' } });

    const responded = await decisions({
      method: 'POST',
      path: `/v1/decisions/${ofB.decisionId}/responses`,
      body: { actionId: 'bigger-bundle-offer', response: 'accepted' },
      caller: acme,
    });
    expect(responded.status).toBe(200);
    const source = new DynamoDecisionReportSource(
      documentClient({ endpoint: t.endpoint }),
      () => t.decisionTables['acme']!,
    );
    const read = [];
    for await (const d of source.decisionsOn('acme', [NOW.slice(0, 10)])) read.push(d);
    expect(read.find((d) => d.customerId === b)?.offers).toEqual([
      { actionId: 'bigger-bundle-offer', variantId: 'B', response: 'accepted' },
    ]);
    expect(read.find((d) => d.customerId === a)?.offers).toEqual([{ actionId: 'bigger-bundle-offer', variantId: 'A' }]);
  });
});

describe('a trigger firing with message variants', () => {
  it("hands off the customer's variant, with its rendered text and params, the same one a decision gives", async () => {
    const [b] = customersOf('B', 1, 'tb-');
    await putCustomer(b!);
    const event: CvmEvent = { ...anEvent('usage.data', { usedMb: 850, bundleMb: 1000 }, { now: NOW }), customerId: b! };
    expect((await processEvents(sqsEvent([sqsRecord(t.market, 'acme', event)]))).batchItemFailures).toEqual([]);
    expect(smsSent().filter((m) => m.customerId === b)).toEqual([
      expect.objectContaining({
        actionId: 'bigger-bundle-offer',
        variantId: 'B',
        text: 'Only 5 GB left to add: R79, youth!',
        params: { offer: '5GB', tone: 'warm' },
        reason: { type: 'trigger', id: 'data-80-percent' },
      }),
    ]);
  });
});
