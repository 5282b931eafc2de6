import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoActionCatalog } from '#adapters/dynamo/action-catalog.ts';
import { DynamoTriggerStore } from '#adapters/dynamo/trigger-store.ts';
import { campaignSteps, type CampaignStepPorts, type ContactResult } from '#app/campaign-steps.ts';
import { createCampaign, getCampaign, type CampaignPorts } from '#app/campaigns.ts';
import { decide } from '#app/decisions.ts';
import { processEventBatch } from '#app/process-events.ts';
import type { Action } from '#domain/action.ts';
import { AUDIENCE_SHARDS } from '#domain/campaign/audience-upload.ts';
import { fixedClock } from '#domain/clock.ts';
import type { CustomerRecord } from '#domain/customer.ts';
import type { OutboundMessage } from '#domain/triggers.ts';
import { decisioningSettingsOf } from '#config/decisioning-settings.ts';
import { demoCatalog } from '#config/markets/demo-catalog.ts';
import { DEMO_TRIGGERS } from '#config/markets/demo-triggers.ts';
import { loadMarket } from '#config/markets/index.ts';
import { campaignsEnv, campaignPortsFor, campaignStepPortsFor } from '#composition/campaigns.ts';
import { contactSettingsOf, eventAdaptersFor } from '#composition/events.ts';
import { testTables } from '../test-support/dynamo.ts';
import { doublingBomb } from '../test-support/rule-bombs.ts';
import { anEvent } from '../test-support/event-builders.ts';

/**
 * A campaign hand-off asks the same contact policy, over the same ledger, as decisions and
 * triggers: a customer whose SMS week a trigger firing and two decisions used up is skipped, and
 * the campaign report counts why. DynamoDB Local; the workflow's steps called one by one.
 */
// 10:00 in Johannesburg: outside quiet hours.
const NOW = '2025-03-12T08:00:00.000Z';
const TENANT = 'acme';

const offer = (actionId: string, over: Partial<Action> = {}): Action => ({
  actionId,
  name: actionId,
  kind: 'offer',
  treatments: { sms: { templateKey: actionId, text: { en: `Offer ${actionId}` } } },
  eligibility: true,
  propensity: { starting: 0.2 },
  value: 29,
  lever: 1,
  limits: { perCustomer: [] },
  ...over,
});
// what decisions show on SMS first: each once a week
const weekly = (id: string) =>
  offer(id, { propensity: { starting: 0.9 }, value: 500, limits: { perCustomer: [{ max: 1, days: 7 }] } });

const customer = (customerId: string): CustomerRecord =>
  ({
    customerId,
    segment: 'youth',
    contract: 'prepaid',
    language: 'en',
    consent: { sms: true },
    version: 1,
    createdAt: NOW,
    updatedAt: NOW,
  }) as CustomerRecord;

let stepPorts: CampaignStepPorts;
let apiPorts: CampaignPorts;
let inject: ReturnType<typeof processEventBatch>;
const sent: OutboundMessage[] = [];

beforeAll(async () => {
  const t = await testTables([TENANT]);
  const settings = decisioningSettingsOf(loadMarket('demo'));
  const cenv = campaignsEnv({
    ...t.env,
    DECISIONING: JSON.stringify({ ...settings, experiments: { ...settings.experiments, controlPercent: 0 } }),
    CVM_NOW: NOW,
    CVM_TIME_SCALE: '10000000',
    CVM_LOCAL_DIR: mkdtempSync(join(tmpdir(), 'cvm-campaign-policy-')),
    CAMPAIGN_SEGMENTS: '1',
    CAMPAIGN_SHARDS: '1',
  });
  const base = await campaignStepPortsFor(cenv);
  stepPorts = {
    ...base,
    outbound: {
      send: async (m) => {
        sent.push(...m);
        await base.outbound.send(m);
      },
    },
  };
  apiPorts = { ...(await campaignPortsFor(cenv)), starter: { start: async () => ({ executionId: 'test' }) } };
  const events = eventAdaptersFor(cenv.decisions.platform, contactSettingsOf(cenv.decisions));
  inject = processEventBatch({ ...events, triggerCacheMs: 0 });
  const tableOf = (tn: string) => t.tenantTables[tn]!;
  const catalog = new DynamoActionCatalog(events.db, tableOf);
  for (const a of [
    demoCatalog.find((x) => x.actionId === 'bigger-bundle-offer')!,
    offer('cmp-offer'),
    weekly('weekly-a'),
    weekly('weekly-b'),
  ])
    await catalog.put(TENANT, a);
  await new DynamoTriggerStore(events.db, tableOf).put(
    TENANT,
    DEMO_TRIGGERS.find((x) => x.triggerId === 'data-80-percent')!,
  );
  await stepPorts.customers.saveMany(TENANT, [customer('busy'), customer('quiet')]);
}, 60_000);

describe('a campaign hand-off under the contact policy', () => {
  it('skips a customer whose SMS week a trigger and decisions used up, and counts the reason in the report', async () => {
    // one SMS from the data-80% trigger, two from decisions: the week's three
    const fired = await inject(TENANT, [
      anEvent('usage.data', { usedMb: 900, bundleMb: 1000 }, { customerId: 'busy', now: NOW }),
    ]).get('busy');
    expect(fired).toMatchObject({ messages: 1 });
    const shown = [];
    for (let i = 0; i < 2; i++)
      shown.push(
        ...(await decide(stepPorts.decisions)(TENANT, { customerId: 'busy', channel: 'sms', limit: 1 })).actions.map(
          (a) => a.actionId,
        ),
      );
    expect(shown.sort()).toEqual(['weekly-a', 'weekly-b']);

    const { campaignId } = await createCampaign(apiPorts)(TENANT, {
      name: 'Bundle push',
      goal: 'take-up',
      audience: { customerIds: ['busy', 'quiet'] },
      actionIds: ['cmp-offer'],
      channel: 'sms',
      controlGroupPercent: 0,
      pilot: { percent: 100, minUplift: 5 },
      responseWindow: 'P7D',
    });
    const steps = campaignSteps(stepPorts);
    await steps({ step: 'prepare', tenant: TENANT, campaignId });
    await steps({
      step: 'selected',
      tenant: TENANT,
      campaignId,
      results: [(await steps({ step: 'select', tenant: TENANT, campaignId, segment: 0, totalSegments: 1 })) as never],
    });
    expect(await steps({ step: 'gate', tenant: TENANT, campaignId, phase: 'pilot' })).toEqual({ go: 'continue' });
    const contacted = (await steps({
      step: 'contact',
      tenant: TENANT,
      campaignId,
      phase: 'pilot',
      shard: 0,
      totalShards: 1,
    })) as ContactResult;
    expect(contacted).toMatchObject({ contacted: 1, suppressed: 1, failed: 0, control: 0 });
    expect(sent.filter((m) => m.reason.id === campaignId).map((m) => m.customerId)).toEqual(['quiet']);
    const [busy] = (await stepPorts.campaigns.members(TENANT, campaignId, 0)).filter((m) => m.customerId === 'busy');
    expect(busy).toMatchObject({ status: 'suppressed', reason: 'channel-limit' });

    await steps({ step: 'measure', tenant: TENANT, campaignId, phase: 'pilot', totalShards: 1 });
    const report = (await getCampaign(apiPorts)(TENANT, campaignId)).report!;
    expect(report.phases.pilot!.treatment).toMatchObject({
      audience: 2,
      contacted: 1,
      suppressed: { 'channel-limit': 1 },
      failed: 0,
    });
  });
});

describe('a campaign hand-off renders its text', () => {
  it('fills placeholders from the customer the decision read and skips one whose value is missing', async () => {
    const catalog = stepPorts.decisions.catalog;
    await catalog.put(
      TENANT,
      offer('named-offer', {
        treatments: {
          sms: {
            templateKey: 'named',
            text: { en: 'Hi {{profile.attributes.firstName}}: {{action.name}} at R{{action.value}}' },
          },
        },
      }),
    );
    await stepPorts.customers.saveMany(TENANT, [
      { ...customer('named'), attributes: { firstName: 'Thandi' } },
      customer('anon'),
    ]);
    const { campaignId } = await createCampaign(apiPorts)(TENANT, {
      name: 'Named push',
      goal: 'take-up',
      audience: { customerIds: ['named', 'anon'] },
      actionIds: ['named-offer'],
      channel: 'sms',
      controlGroupPercent: 0,
      pilot: { percent: 100, minUplift: 5 },
      responseWindow: 'P7D',
    });
    const steps = campaignSteps(stepPorts);
    await steps({ step: 'prepare', tenant: TENANT, campaignId });
    await steps({
      step: 'selected',
      tenant: TENANT,
      campaignId,
      results: [(await steps({ step: 'select', tenant: TENANT, campaignId, segment: 0, totalSegments: 1 })) as never],
    });
    await steps({ step: 'gate', tenant: TENANT, campaignId, phase: 'pilot' });
    const contacted = await steps({
      step: 'contact',
      tenant: TENANT,
      campaignId,
      phase: 'pilot',
      shard: 0,
      totalShards: 1,
    });
    expect(contacted).toMatchObject({ contacted: 1, suppressed: 1 });
    expect(sent.filter((m) => m.reason.id === campaignId)).toEqual([
      expect.objectContaining({ customerId: 'named', text: 'Hi Thandi: named-offer at R29', segments: 1 }),
    ]);
    const [anon] = (await stepPorts.campaigns.members(TENANT, campaignId, 0)).filter((m) => m.customerId === 'anon');
    expect(anon).toMatchObject({ status: 'suppressed', reason: 'missing-placeholder' });
  });
});

describe('an audience rule stored before the limits', () => {
  it('selects nobody and counts each customer it ran out of steps on in RuleOverBudget', async () => {
    const { campaignId } = await createCampaign(apiPorts)(TENANT, {
      name: 'Old rule',
      goal: 'take-up',
      audience: { rule: { '==': [{ var: 'profile.segment' }, 'youth'] } },
      actionIds: ['cmp-offer'],
      channel: 'sms',
      controlGroupPercent: 0,
      pilot: { percent: 100, minUplift: 5 },
      responseWindow: 'P7D',
    });
    // as if stored before the static bound existed: only the evaluation budget stops it now
    await stepPorts.campaigns.update(TENANT, campaignId, { audience: { rule: doublingBomb(25) } });
    const counted: [string, number][] = [];
    const steps = campaignSteps({ ...stepPorts, rulesOverBudget: (tenant, n) => counted.push([tenant, n]) });
    await steps({ step: 'prepare', tenant: TENANT, campaignId });
    const selected = (await steps({ step: 'select', tenant: TENANT, campaignId, segment: 0, totalSegments: 1 })) as {
      audience: number;
    };
    expect(selected.audience).toBe(0);
    // every customer of the tenant's table was asked, and each ran out (busy, quiet and the others of this file)
    expect(counted).toHaveLength(1);
    expect(counted[0]![0]).toBe(TENANT);
    expect(counted[0]![1]).toBeGreaterThanOrEqual(2);
  });
});

describe('a campaign on an uploaded audience that expires', () => {
  const DAY = 86_400_000;
  const at = (days: number) => new Date(Date.parse(NOW) + days * DAY);
  /** A ready uploaded audience naming this file's two customers, kept until `retainedUntil`. */
  async function uploaded(audienceId: string, retainedUntil: Date) {
    const audiences = apiPorts.audiences!;
    const record = {
      audienceId,
      status: 'ready' as const,
      createdAt: NOW,
      updatedAt: NOW,
      expiresAt: NOW,
      retainedUntil: retainedUntil.toISOString(),
      shards: AUDIENCE_SHARDS,
      size: 2,
    };
    await audiences.create(TENANT, record);
    await audiences.putIds(TENANT, record, ['busy', 'quiet']);
  }
  const body = (audienceId: string, schedule?: { startAt: string; repeat: 'none' | 'daily'; until?: string }) => ({
    name: 'Listed',
    goal: 'take-up' as const,
    audience: { audienceId },
    actionIds: ['cmp-offer'],
    channel: 'sms' as const,
    controlGroupPercent: 0,
    pilot: { percent: 100, minUplift: 5 },
    responseWindow: 'PT1H',
    ...(schedule ? { schedule } : {}),
  });

  it('refuses at creation an expired list, a run due after it expires and a repeat that does not end before', async () => {
    await uploaded('aud-expiring-1', at(10));
    const create = createCampaign(apiPorts);
    await expect(
      create(TENANT, body('aud-expiring-1', { startAt: at(11).toISOString(), repeat: 'none' })),
    ).rejects.toMatchObject({ errors: [{ field: 'schedule.startAt' }] });
    await expect(
      create(TENANT, body('aud-expiring-1', { startAt: at(1).toISOString(), repeat: 'daily' })),
    ).rejects.toMatchObject({ errors: [{ field: 'schedule.until' }] });
    await expect(
      create(
        TENANT,
        body('aud-expiring-1', { startAt: at(1).toISOString(), repeat: 'daily', until: at(12).toISOString() }),
      ),
    ).rejects.toMatchObject({ errors: [{ field: 'schedule.until', message: expect.stringMatching(/expires at/) }] });
    const later = createCampaign({ ...apiPorts, clock: fixedClock(at(10)) });
    await expect(later(TENANT, body('aud-expiring-1'))).rejects.toMatchObject({
      errors: [{ field: 'audience.audienceId', message: expect.stringMatching(/^audience aud-expiring-1 expired at/) }],
    });
  });

  it('fails a run that starts after the list expired, naming the expiry, and selects nobody from it', async () => {
    await uploaded('aud-expiring-2', at(3));
    const { campaignId, status } = await createCampaign(apiPorts)(
      TENANT,
      body('aud-expiring-2', { startAt: at(1).toISOString(), repeat: 'daily', until: at(2.5).toISOString() }),
    );
    expect(status).toBe('scheduled');
    // the run starts late (a scheduler retry, a campaign of before retention): past the expiry
    const late = campaignSteps({ ...stepPorts, clock: fixedClock(at(4)) });
    const prepared = late({ step: 'prepare', tenant: TENANT, campaignId });
    await expect(prepared).rejects.toMatchObject({ name: 'CampaignStepError' });
    await expect(prepared).rejects.toThrow(`audience aud-expiring-2 expired at ${at(3).toISOString()}`);
    await expect(late({ step: 'select', tenant: TENANT, campaignId, segment: 0, totalSegments: 1 })).rejects.toThrow(
      /expired at/,
    );
    // the workflow's Catch finalizes the run with the step's error as its reason
    await late({
      step: 'finalize',
      tenant: TENANT,
      campaignId,
      status: 'failed',
      error: { Error: 'CampaignStepError', Cause: `audience aud-expiring-2 expired at ${at(3).toISOString()}` },
    });
    const failed = await getCampaign(apiPorts)(TENANT, campaignId);
    expect(failed.reason).toMatch(/^CampaignStepError: audience aud-expiring-2 expired at/);
  });
});
