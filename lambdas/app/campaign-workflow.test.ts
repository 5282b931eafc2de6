import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoActionCatalog } from '#adapters/dynamo/action-catalog.ts';
import { loadDefinition, LocalWorkflowStarter } from '#adapters/local/local-workflow-starter.ts';
import {
  campaignSteps,
  CampaignTransientError,
  type CampaignStepInput,
  type CampaignStepPorts,
} from '#app/campaign-steps.ts';
import { controlCampaign, createCampaign, getCampaign, type CampaignPorts } from '#app/campaigns.ts';
import { processEventBatch } from '#app/process-events.ts';
import type { Action } from '#domain/action.ts';
import { unitHash } from '#domain/decisioning/experiments.ts';
import { COST_PER_TREATMENT_MEMBER_USD, type CampaignSpec } from '#domain/campaign/campaign.ts';
import type { CustomerRecord } from '#domain/customer.ts';
import type { OutboundMessage } from '#domain/triggers.ts';
import { decisioningSettingsOf } from '#config/decisioning-settings.ts';
import { loadMarket } from '#config/markets/index.ts';
import {
  campaignsEnv,
  CAMPAIGN_ASL,
  campaignPortsFor,
  campaignStepPortsFor,
  LOCAL_CAMPAIGN_SUBSTITUTIONS,
} from '#composition/campaigns.ts';
import { eventAdaptersFor } from '#composition/events.ts';
import { testTables, type TestTables } from '../test-support/dynamo.ts';

// 10:00 in Johannesburg: outside quiet hours.
const NOW = '2025-03-12T08:00:00.000Z';
const TENANT = 'acme';

const offer: Action = {
  actionId: 'cmp-offer',
  name: 'Campaign bundle',
  kind: 'offer',
  treatments: { sms: { templateKey: 'cmp-bundle', text: { en: 'Get 2 GB for R29' } } },
  eligibility: true,
  propensity: { starting: 0.2 },
  value: 29,
  lever: 1,
  limits: { perCustomer: [] },
};

const customer = (i: number, segment: string): CustomerRecord =>
  ({
    customerId: `cust-${i}`,
    segment,
    tariff: 'smart-50',
    tenureMonths: 10 + (i % 30),
    monthlyCharge: 80,
    contract: 'month-to-month',
    products: ['phone'],
    language: 'en',
    consent: { sms: true },
    attributes: {},
    version: 1,
    createdAt: NOW,
    updatedAt: NOW,
  }) as unknown as CustomerRecord;

let t: TestTables;
let dir: string;
let stepPorts: CampaignStepPorts;
let apiPorts: CampaignPorts;
let inject: ReturnType<typeof processEventBatch>;
const sent: OutboundMessage[] = [];

beforeAll(async () => {
  t = await testTables([TENANT, 'globex']);
  dir = mkdtempSync(join(tmpdir(), 'cvm-campaign-'));
  const settings = decisioningSettingsOf(loadMarket('demo'));
  const env = {
    ...t.env,
    DECISIONING: JSON.stringify(settings),
    CVM_NOW: NOW,
    CVM_TIME_SCALE: '10000000',
    CVM_LOCAL_DIR: dir,
    CAMPAIGN_SEGMENTS: '2',
    CAMPAIGN_SHARDS: '3',
    CAMPAIGN_POLL_SECONDS: '1',
  };
  const cenv = campaignsEnv(env);
  stepPorts = await campaignStepPortsFor(cenv);
  // every hand-off as sent (before the consumer's dedupe) besides the deduping local file
  const file = stepPorts.outbound;
  stepPorts = {
    ...stepPorts,
    outbound: {
      send: async (m) => {
        sent.push(...m);
        await file.send(m);
      },
    },
  };
  apiPorts = { ...(await campaignPortsFor(cenv)), starter: { start: async () => ({ executionId: 'test' }) } };
  const events = eventAdaptersFor(cenv.decisions.platform);
  inject = processEventBatch(events);
  await new DynamoActionCatalog(events.db, (tn) => t.tenantTables[tn]!).put(TENANT, offer);
  // 360 young customers (the audience) and 40 others
  await stepPorts.customers.saveMany(
    TENANT,
    Array.from({ length: 400 }, (_, i) => customer(i, i < 360 ? 'youth' : 'family')),
  );
}, 60_000);

const spec = (over: Partial<CampaignSpec> = {}): CampaignSpec => ({
  name: 'Bundle push',
  goal: 'take-up',
  audience: { rule: { '==': [{ var: 'profile.segment' }, 'youth'] } },
  actionIds: ['cmp-offer'],
  channel: 'sms',
  controlGroupPercent: 30,
  pilot: { percent: 50, minUplift: 5 },
  responseWindow: 'P7D',
  ...over,
});

interface Rates {
  treatment: number;
  control: number;
}

/**
 * Accepts the campaign offer for exactly `rate` of each group of a phase (the synthetic market):
 * who accepts is picked by hash, how many is exact, so a verdict never rests on sampling luck.
 */
async function respond(campaignId: string, phase: string, rates: Rates) {
  const groups: Record<'treatment' | 'control', string[]> = { treatment: [], control: [] };
  for (let shard = 0; shard < 3; shard++) {
    for (const m of await stepPorts.campaigns.members(TENANT, campaignId, shard)) {
      if (m.phase !== phase) continue;
      if (m.group === 'control') groups.control.push(m.customerId);
      else if (m.status === 'contacted') groups.treatment.push(m.customerId);
    }
  }
  const events = [];
  for (const group of ['treatment', 'control'] as const) {
    const ids = groups[group].sort((a, b) => unitHash(`${campaignId}:${a}`, 3) - unitHash(`${campaignId}:${b}`, 3));
    for (const customerId of ids.slice(0, Math.round(rates[group] * ids.length))) {
      events.push({
        eventId: `resp-${campaignId}-${customerId}`,
        customerId,
        type: 'offer.response' as const,
        occurredAt: stepPorts.clock.now().toISOString(),
        data: { actionId: 'cmp-offer', response: 'accepted' as const },
      });
    }
  }
  await Promise.all([...inject(TENANT, events as never).values()]);
}

/** The workflow on the local runtime, its tasks bound to the step use case, with hooks for the story. */
function runner(
  rates: Partial<Record<'pilot' | 'rollout', Rates>>,
  hooks: {
    before?: (input: CampaignStepInput) => Promise<void>;
    after?: (input: CampaignStepInput) => Promise<void>;
  } = {},
) {
  const steps = campaignSteps(stepPorts);
  return new LocalWorkflowStarter(
    loadDefinition(CAMPAIGN_ASL, LOCAL_CAMPAIGN_SUBSTITUTIONS),
    async (event) => {
      const input = event as CampaignStepInput;
      await hooks.before?.(input);
      if (input.step === 'measure')
        await respond(input.campaignId, input.phase, rates[input.phase] ?? { treatment: 0, control: 0 });
      const out = await steps(input);
      await hooks.after?.(input);
      return out;
    },
    { retryIntervalMs: 5 },
  );
}

const linesPerCustomer = () => {
  const file = join(dir, 'outbound', 'sms.jsonl');
  const counts = new Map<string, number>();
  if (!existsSync(file)) return counts;
  for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
    const m = JSON.parse(line) as OutboundMessage;
    counts.set(`${m.reason.id}/${m.customerId}`, (counts.get(`${m.reason.id}/${m.customerId}`) ?? 0) + 1);
  }
  return counts;
};

describe('the campaign workflow on the local runtime', () => {
  it('rolls out a campaign whose treatment truly converts better, and its counts add up', async () => {
    let failOnce = true;
    const run = runner(
      { pilot: { treatment: 0.5, control: 0.05 }, rollout: { treatment: 0.5, control: 0.05 } },
      {
        // a crash after a shard's work is done: the retry must not contact anyone twice
        after: async (input) => {
          if (input.step === 'contact' && failOnce) {
            failOnce = false;
            throw new CampaignTransientError('injected');
          }
        },
      },
    );
    const { campaignId } = await createCampaign(apiPorts)(TENANT, spec());
    await run.run({ tenant: TENANT, campaignId });
    const c = await getCampaign(apiPorts)(TENANT, campaignId);
    expect(c.status, c.reason).toBe('succeeded');
    expect(c.counts).toMatchObject({ audience: 360 });
    expect(c.counts!.control + c.counts!.treatment).toBe(360);
    expect(c.counts!.pilot + c.counts!.rollout).toBe(360);
    const report = c.report!;
    const pilot = report.phases.pilot!;
    const rollout = report.phases.rollout!;
    expect(pilot.control.audience + pilot.treatment.audience).toBe(c.counts!.pilot);
    expect(
      pilot.control.audience + pilot.treatment.audience + rollout.control.audience + rollout.treatment.audience,
    ).toBe(360);
    for (const g of [pilot.treatment, rollout.treatment]) {
      const suppressed = Object.values(g.suppressed).reduce((a, b) => a + b, 0);
      expect(g.contacted + suppressed + g.failed).toBe(g.audience);
    }
    expect(pilot.control.contacted + rollout.control.contacted).toBe(0);
    expect(pilot.uplift && 'upliftPoints' in pilot.uplift ? pilot.uplift.upliftPoints : 0).toBeGreaterThan(20);
    expect(c.phases?.pilot?.verdict?.rollOut).toBe(true);

    // nobody twice: one line per customer in the channel file, one distinct message id per customer sent
    const lines = [...linesPerCustomer()].filter(([k]) => k.startsWith(`${campaignId}/`));
    expect(lines.length).toBe(pilot.treatment.contacted + rollout.treatment.contacted);
    expect(lines.every(([, n]) => n === 1)).toBe(true);
    const ids = new Map<string, Set<string>>();
    for (const m of sent.filter((s) => s.reason.id === campaignId))
      ids.set(m.customerId, new Set([...(ids.get(m.customerId) ?? []), m.messageId]));
    expect([...ids.values()].every((s) => s.size === 1)).toBe(true);
    // control customers are never contacted
    const control = new Set<string>();
    for (let shard = 0; shard < 3; shard++)
      for (const m of await stepPorts.campaigns.members(TENANT, campaignId, shard))
        if (m.group === 'control') control.add(m.customerId);
    expect(control.size).toBe(c.counts!.control);
    expect(lines.some(([k]) => control.has(k.split('/')[1]!))).toBe(false);
    expect(
      sent
        .filter((m) => m.reason.id === campaignId)
        .every((m) => m.reason.type === 'campaign' && !control.has(m.customerId)),
    ).toBe(true);
  }, 60_000);

  it('stops after the pilot, with the reason, when treatment does not convert better', async () => {
    const run = runner({ pilot: { treatment: 0.1, control: 0.1 } });
    const { campaignId } = await createCampaign(apiPorts)(TENANT, spec({ name: 'Dud' }));
    await run.run({ tenant: TENANT, campaignId });
    const c = await getCampaign(apiPorts)(TENANT, campaignId);
    expect(c.status).toBe('stopped');
    expect(c.reason).toMatch(/does not exceed 5 pp at 95% confidence/);
    expect(c.report!.phases.rollout).toBeUndefined();
    // nobody of the roll-out was contacted
    const contacted = new Set(sent.filter((m) => m.reason.id === campaignId).map((m) => m.customerId));
    expect(contacted.size).toBe(c.report!.phases.pilot!.treatment.contacted);
  }, 60_000);

  it('puts a customer who cannot be decided on the failure list without failing the campaign', async () => {
    let erased = false;
    const run = runner(
      { pilot: { treatment: 0.5, control: 0.05 }, rollout: { treatment: 0.5, control: 0.05 } },
      {
        before: async (input) => {
          if (input.step !== 'contact' || input.phase !== 'pilot' || input.shard !== 0 || erased) return;
          erased = true;
          const m = (await stepPorts.campaigns.members(TENANT, input.campaignId, input.shard)).find(
            (x) => x.group === 'treatment' && x.phase === input.phase,
          );
          if (!m) throw new Error('shard 0 has no pilot treatment member');
          await stepPorts.customers.erase(TENANT, m.customerId, new Date(NOW));
        },
      },
    );
    const { campaignId } = await createCampaign(apiPorts)(
      TENANT,
      spec({
        name: 'With a failure',
        audience: { customerIds: Array.from({ length: 300 }, (_, i) => `cust-${i + 50}`) },
      }),
    );
    await run.run({ tenant: TENANT, campaignId });
    const c = await getCampaign(apiPorts)(TENANT, campaignId);
    expect(c.status).toBe('succeeded');
    expect(c.report!.total.treatment.failed).toBe(1);
  }, 60_000);

  it('holds a paused campaign before contact and carries on when resumed', async () => {
    const run = runner({ pilot: { treatment: 0.1, control: 0.1 } });
    const { campaignId } = await createCampaign(apiPorts)(TENANT, spec({ name: 'Paused' }));
    await controlCampaign(apiPorts)(TENANT, campaignId, 'pause');
    const done = run.run({ tenant: TENANT, campaignId });
    await new Promise((r) => setTimeout(r, 2500));
    expect((await getCampaign(apiPorts)(TENANT, campaignId)).status).toBe('paused');
    expect(sent.some((m) => m.reason.id === campaignId)).toBe(false);
    await controlCampaign(apiPorts)(TENANT, campaignId, 'resume');
    await done;
    const c = await getCampaign(apiPorts)(TENANT, campaignId);
    expect(['stopped', 'succeeded']).toContain(c.status);
    expect(sent.some((m) => m.reason.id === campaignId)).toBe(true);
  }, 60_000);

  it('ends a cancelled campaign at its gate without contacting anyone', async () => {
    const run = runner({});
    const { campaignId } = await createCampaign(apiPorts)(TENANT, spec({ name: 'Cancelled' }));
    await controlCampaign(apiPorts)(TENANT, campaignId, 'cancel');
    await run.run({ tenant: TENANT, campaignId });
    expect((await getCampaign(apiPorts)(TENANT, campaignId)).status).toBe('cancelled');
    expect(sent.some((m) => m.reason.id === campaignId)).toBe(false);
  }, 60_000);
});

describe('campaign budgets and pilots by attribute on the local runtime', () => {
  const regional = (i: number): CustomerRecord =>
    ({
      ...customer(0, 'regional'),
      customerId: `reg-${i}`,
      attributes: { region: i % 2 ? 'gauteng' : 'western-cape' },
    }) as CustomerRecord;
  const budgeted = (i: number): CustomerRecord => ({ ...customer(0, 'budgeted'), customerId: `bud-${i}` });

  beforeAll(async () => {
    await stepPorts.customers.saveMany(TENANT, [
      ...Array.from({ length: 200 }, (_, i) => regional(i)),
      ...Array.from({ length: 120 }, (_, i) => budgeted(i)),
    ]);
  }, 60_000);

  const allMembers = async (campaignId: string) => {
    const out = [];
    for (let shard = 0; shard < 3; shard++) out.push(...(await stepPorts.campaigns.members(TENANT, campaignId, shard)));
    return out;
  };

  it('never holds more than the budget, however many members ask at once and however many let go', async () => {
    const { campaignId } = await createCampaign(apiPorts)(
      TENANT,
      spec({ name: 'Race', audience: { customerIds: ['nobody'] }, budget: { maxContacts: 10 } }),
    );
    const limits = { maxContacts: 10, maxNanoUsd: 25_000 };
    // 120 holds at once, every third released: at most 10 held at any time, and never more than 10 contacts
    const outcomes = await Promise.all(
      Array.from({ length: 120 }, async (_, i) => {
        const held = await stepPorts.campaigns.holdBudget(TENANT, campaignId, 2_000, limits);
        if (held) await stepPorts.campaigns.settleBudget(TENANT, campaignId, 2_000, i % 3 ? 1_500 : undefined);
        return held && i % 3 !== 0;
      }),
    );
    const c = await stepPorts.campaigns.get(TENANT, campaignId);
    const contacts = outcomes.filter(Boolean).length;
    expect(c!.budgetUse!.contacts).toBe(contacts);
    expect(contacts).toBeLessThanOrEqual(10);
    expect(c!.budgetUse!.nanoUsd).toBe(contacts * 1_500);
    expect(c!.budgetUse!.heldContacts).toBe(contacts);
  }, 30_000);

  for (const [limit, budget] of [
    ['budget.maxContacts', { maxContacts: 10 }],
    // a queue connection sends through the operator: a contact counts the platform's share only
    ['budget.maxCostUsd', { maxCostUsd: 10.5 * COST_PER_TREATMENT_MEMBER_USD }],
  ] as const) {
    it(`stops at exactly 10 contacts across concurrent shards, ending stopped with ${limit}`, async () => {
      const run = runner({ pilot: { treatment: 0.5, control: 0.05 } });
      const { campaignId } = await createCampaign(apiPorts)(
        TENANT,
        spec({
          name: `Budget ${limit}`,
          audience: { rule: { '==': [{ var: 'profile.segment' }, 'budgeted'] } },
          budget,
        }),
      );
      await run.run({ tenant: TENANT, campaignId });
      const c = await getCampaign(apiPorts)(TENANT, campaignId);
      expect(c.status).toBe('stopped');
      expect(c.reason).toBe(limit);
      expect(c.spent?.contacts).toBe(10);
      expect(sent.filter((m) => m.reason.id === campaignId).length).toBe(10);
      const members = await allMembers(campaignId);
      expect(members.filter((m) => m.status === 'contacted').length).toBe(10);
      expect(c.report!.phases.pilot!.treatment.suppressed[limit]).toBeGreaterThan(0);
      expect(c.report!.phases.rollout).toBeUndefined();
    }, 60_000);
  }

  it('pilots a campaign in one region and rolls it out to the rest of the audience', async () => {
    const run = runner({ pilot: { treatment: 0.5, control: 0.05 }, rollout: { treatment: 0.5, control: 0.05 } });
    const { campaignId } = await createCampaign(apiPorts)(
      TENANT,
      spec({
        name: 'Gauteng first',
        audience: { rule: { '==': [{ var: 'profile.segment' }, 'regional'] } },
        pilot: { where: { '==': [{ var: 'profile.attributes.region' }, 'gauteng'] }, minUplift: 5 },
        // half in control: each 100-customer phase has 30+ on both sides whatever the campaign id's hash
        controlGroupPercent: 50,
      }),
    );
    await run.run({ tenant: TENANT, campaignId });
    const c = await getCampaign(apiPorts)(TENANT, campaignId);
    expect(c.status, c.reason).toBe('succeeded');
    expect(c.counts).toMatchObject({ audience: 200, pilot: 100, rollout: 100 });
    const members = await allMembers(campaignId);
    const gauteng = (id: string) => Number(id.slice(4)) % 2 === 1;
    expect(members.every((m) => (m.phase === 'pilot') === gauteng(m.customerId))).toBe(true);
    // pilot contacts went to Gauteng before the roll-out reached the rest
    const pilotContacts = members.filter((m) => m.phase === 'pilot' && m.status === 'contacted');
    const rolloutContacts = members.filter((m) => m.phase === 'rollout' && m.status === 'contacted');
    expect(pilotContacts.length).toBeGreaterThan(30);
    expect(rolloutContacts.length).toBeGreaterThan(30);
    const lastPilot = Math.max(...pilotContacts.map((m) => Date.parse(m.message!.createdAt)));
    expect(rolloutContacts.every((m) => Date.parse(m.message!.createdAt) >= lastPilot)).toBe(true);
  }, 60_000);
});
