import { readFileSync } from 'node:fs';
import type { SQSBatchResponse } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoActionCatalog } from '#adapters/dynamo/action-catalog.ts';
import { documentClient } from '#adapters/dynamo/client.ts';
import { DynamoTriggerStore } from '#adapters/dynamo/trigger-store.ts';
import type { Action } from '#domain/action.ts';
import type { Caller } from '#domain/api-key.ts';
import { experimentGroup } from '#domain/decisioning/experiments.ts';
import { decisioningSettingsOf } from '#config/decisioning-settings.ts';
import { loadMarket } from '#config/markets/index.ts';
import { OPERATORS, RULE_LIMITS } from '#domain/rules.ts';
import { openApiDocument } from '#http/openapi.ts';
import type { Invoke } from '../test-support/api-event.ts';
import { invoker } from '../test-support/api-event.ts';
import { testTables, type TestTables } from '../test-support/dynamo.ts';
import { dropUnreadEmf, EMF_METER_ENV, emfBlobs } from '../test-support/emf.ts';
import { anEvent } from '../test-support/event-builders.ts';
import { processorHarness, type ProcessorHarness } from '../test-support/processor-harness.ts';
import { deepArrayForm, deepObjectForm, doublingBomb, RULE_BOMBS } from '../test-support/rule-bombs.ts';
import { sqsEvent, sqsRecord } from '../test-support/sqs-event.ts';

/**
 * Issue 17, items 1-3 at the HTTP edge and in the stored-rule paths, on DynamoDB Local: every rule
 * bomb is a 400 naming the field and the limit within a second and writes nothing; a rule at the
 * depth limit is stored where the deepest copies go (the item and its audit entry); a bomb stored
 * before the limits counts as false on a decision and in the event processor.
 */
const NOW = '2025-03-12T08:00:00.000Z';
const acme: Caller = { tenant: 'acme', scope: 'admin', keyId: 'acme-admin' };
const acmeChannel: Caller = { tenant: 'acme', scope: 'channel', keyId: 'acme-channel' };

const offer: Action = {
  actionId: 'rl-offer',
  name: 'Bundle',
  kind: 'offer',
  treatments: { sms: { templateKey: 'b', text: { en: 'Bundle' } }, app: { templateKey: 'b', text: { en: 'Bundle' } } },
  eligibility: true,
  propensity: { starting: 0.5 },
  value: 10,
  lever: 1,
  limits: { perCustomer: [] },
};
const { actionId: _id, ...actionBody } = offer;
const triggerBody = (condition: unknown) => ({
  eventType: 'network.call_dropped',
  condition,
  actionId: offer.actionId,
  channel: 'sms',
  cooldownHours: 1,
});
const campaignBody = (rule: unknown) => ({
  name: 'Rules',
  goal: 'take-up',
  audience: { rule },
  actionIds: [offer.actionId],
  channel: 'sms',
  controlGroupPercent: 10,
  pilot: { percent: 50, minUplift: 1 },
  responseWindow: 'P7D',
});

let t: TestTables;
let harness: ProcessorHarness;
let events: Invoke;
let decisions: Invoke;
let campaigns: Invoke;

afterAll(dropUnreadEmf());

beforeAll(async () => {
  t = await testTables();
  harness = await processorHarness(t, {
    CVM_NOW: NOW,
    DECISIONING: JSON.stringify(decisioningSettingsOf(loadMarket('demo'))),
    CVM_TIME_SCALE: '100000000',
    CAMPAIGN_SEGMENTS: '2',
    CAMPAIGN_SHARDS: '2',
    ...EMF_METER_ENV,
  });
  events = invoker((await import('./serve-events.ts')).handler as never);
  decisions = invoker((await import('./serve-decisions.ts')).handler as never);
  campaigns = invoker((await import('./serve-campaigns.ts')).handler as never);
  await new DynamoActionCatalog(documentClient({ endpoint: t.endpoint }), (tn) => t.tenantTables[tn]!).put(
    'acme',
    offer,
  );
});

/** The three writes that take a rule, each with the field its rule goes in. */
const writes = [
  {
    name: 'PUT /v1/triggers/{id}',
    field: 'condition',
    send: (rule: unknown, id: string) =>
      events({ method: 'PUT', path: `/v1/triggers/${id}`, body: triggerBody(rule), caller: acme }),
    stored: async (id: string) =>
      (await events({ method: 'GET', path: `/v1/triggers/${id}`, caller: acme })).status !== 404,
  },
  {
    name: 'PUT /v1/actions/{id}',
    field: 'eligibility',
    send: (rule: unknown, id: string) =>
      decisions({ method: 'PUT', path: `/v1/actions/${id}`, body: { ...actionBody, eligibility: rule }, caller: acme }),
    stored: async (id: string) =>
      (await decisions({ method: 'GET', path: `/v1/actions/${id}`, caller: acme })).status !== 404,
  },
  {
    name: 'POST /v1/campaigns',
    field: 'audience.rule',
    send: (rule: unknown, _id: string) =>
      campaigns({ method: 'POST', path: '/v1/campaigns', body: campaignBody(rule), caller: acme }),
    stored: async (_id: string) =>
      ((await campaigns({ method: 'GET', path: '/v1/campaigns', caller: acme })).json.items as unknown[]).length > 0,
  },
] as const;

describe('a rule that breaks a limit', () => {
  for (const write of writes) {
    it(`is refused by ${write.name} with 400 naming ${write.field} and the limit, within a second, storing nothing`, async () => {
      for (const [name, rule] of Object.entries(RULE_BOMBS)) {
        const id = `bomb-${name.replace(/[^a-z0-9]+/g, '-').slice(0, 40)}`;
        const started = performance.now();
        const res = await write.send(rule, id);
        const ms = performance.now() - started;
        expect(res.status, `${name}: ${JSON.stringify(res.json)}`).toBe(400);
        expect(res.headers['content-type']).toBe('application/problem+json');
        const errors = res.json.errors as { field: string; message: string }[];
        expect(errors.length, name).toBeGreaterThan(0);
        for (const e of errors) {
          expect(e.field, name).toBe(write.field);
          expect(e.message, name).toMatch(/\(limit (operator|depth|steps|arrayLength)/);
        }
        expect(ms, name).toBeLessThan(1000);
        expect(await write.stored(id), name).toBe(false);
      }
    });
  }

  it('is refused by the campaign preview too', async () => {
    const res = await campaigns({
      method: 'POST',
      path: '/v1/campaigns/preview',
      body: campaignBody(doublingBomb()),
      caller: acme,
    });
    expect(res.status).toBe(400);
    expect(res.json.errors[0].field).toBe('audience.rule');
  });
});

describe('a rule at the depth limit', () => {
  it('is stored by every write, with its audit entry (the deepest copy), and read back whole', async () => {
    for (const rule of [deepObjectForm(20), deepArrayForm(10)]) {
      const trigger = await writes[0].send(rule, 'deep-trigger');
      expect(trigger.status, JSON.stringify(trigger.json)).toBeLessThan(300);
      expect((await events({ method: 'GET', path: '/v1/triggers/deep-trigger', caller: acme })).json.condition).toEqual(
        rule,
      );
      const action = await writes[1].send(rule, 'deep-action');
      expect(action.status, JSON.stringify(action.json)).toBeLessThan(300);
      const campaign = await writes[2].send(rule, '');
      expect(campaign.status, JSON.stringify(campaign.json)).toBe(202);
    }
  });
});

describe('a rule stored before the limits', () => {
  it('counts as false on a decision: the action is excluded as over budget, counted, and the answer is 200', async () => {
    const catalog = new DynamoActionCatalog(documentClient({ endpoint: t.endpoint }), (tn) => t.tenantTables[tn]!);
    await catalog.put('acme', { ...offer, actionId: 'rl-bomb', eligibility: doublingBomb(25) });
    // a customer outside the control group, so the decision asks every action
    const experiments = decisioningSettingsOf(loadMarket('demo')).experiments;
    const customerId = ['rl-1', 'rl-2', 'rl-3', 'rl-4', 'rl-5'].find(
      (id) => experimentGroup('acme', id, experiments) !== 'control',
    )!;
    const profile = { segment: 'youth', consent: { app: true, sms: true }, products: [], language: 'en' };
    expect(
      (await harness.customers({ method: 'PUT', path: `/v1/customers/${customerId}`, body: profile, caller: acme }))
        .status,
    ).toBe(201);
    const started = performance.now();
    let res!: Awaited<ReturnType<typeof decisions>>;
    const blobs = await emfBlobs(async () => {
      res = await decisions({
        method: 'POST',
        path: '/v1/decisions',
        body: { customerId, channel: 'app', limit: 5 },
        caller: acmeChannel,
      });
    });
    expect(performance.now() - started).toBeLessThan(1000);
    // and it shows in RuleOverBudget, as the processor's runaway rules do
    expect(blobs.filter((b) => 'RuleOverBudget' in b)).toEqual([
      expect.objectContaining({ tenant: 'acme', RuleOverBudget: 1 }),
    ]);
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    const offered = res.json.actions.map((a: { actionId: string }) => a.actionId);
    expect(offered).toContain('rl-offer');
    expect(offered).not.toContain('rl-bomb');
    const logged = await decisions({
      method: 'GET',
      path: `/v1/decisions/${encodeURIComponent(res.json.decisionId)}`,
      caller: acmeChannel,
    });
    expect(logged.json.excluded).toContainEqual({ actionId: 'rl-bomb', code: 'rule-over-budget' });
    await catalog.remove('acme', 'rl-bomb');
  });

  it('counts as false in the event processor, never fails the SQS batch, and shows in RuleOverBudget', async () => {
    const store = new DynamoTriggerStore(documentClient({ endpoint: t.endpoint }), (tn) => t.tenantTables[tn]!);
    await store.put('acme', {
      triggerId: 'rl-bomb',
      ...triggerBody({ if: [{ var: 'event' }, doublingBomb(28), false] }),
      channel: 'sms',
      priority: 1000,
      enabled: true,
    } as never);
    const started = performance.now();
    let res: SQSBatchResponse | undefined;
    const blobs = await emfBlobs(async () => {
      res = await harness.processEvents(
        sqsEvent([
          sqsRecord(t.market, 'acme', { ...anEvent('network.call_dropped', {}, { now: NOW }), customerId: 'rl-c' }),
        ]),
      );
    });
    expect(res!.batchItemFailures).toEqual([]);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(blobs.filter((b) => 'RuleOverBudget' in b)).toEqual([
      expect.objectContaining({ tenant: 'acme', RuleOverBudget: 1 }),
    ]);
    await store.remove('acme', 'rl-bomb');
  });
});

describe('the rule language as published', () => {
  const fmt = (n: number) => n.toLocaleString('en-US');
  const numbers = [
    `${fmt(RULE_LIMITS.bytes)} bytes`,
    `${fmt(RULE_LIMITS.nodes)} values`,
    `${RULE_LIMITS.depth} levels`,
    `${RULE_LIMITS.arrayLength} items`,
    `${fmt(RULE_LIMITS.steps)}`,
  ];

  it('describes the whitelist and the limits on every rule field of the OpenAPI document', () => {
    const doc = JSON.stringify(openApiDocument());
    const descriptions = doc.match(/"description":"JSON Logic over[^"]*"/g) ?? [];
    // trigger (request and answer), action (request and answer), campaign audience
    expect(descriptions.length).toBeGreaterThanOrEqual(5);
    for (const d of descriptions) {
      for (const n of numbers) expect(d).toContain(n);
      for (const op of OPERATORS.keys()) expect(d).toContain(` ${op} `);
      expect(d).toContain('(not log)');
    }
  });

  it('lists the same operators and limits in the README', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const rules = readme.slice(readme.indexOf('### Rules: the tenant rule language'));
    for (const n of numbers) expect(rules).toContain(n);
    for (const op of OPERATORS.keys()) expect(rules).toContain(`\`${op}\``);
  });
});
