import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoActionCatalog } from '#adapters/dynamo/action-catalog.ts';
import { DynamoCampaignMemberships } from '#adapters/dynamo/campaign-memberships.ts';
import { LocalRunScheduler } from '#adapters/local/local-run-scheduler.ts';
import { loadDefinition, LocalWorkflowStarter } from '#adapters/local/local-workflow-starter.ts';
import { pendingRunsOf, startCampaignRun, type CampaignRunPorts } from '#app/campaign-runs.ts';
import { campaignSteps, type CampaignStepInput, type CampaignStepPorts } from '#app/campaign-steps.ts';
import { controlCampaign, createCampaign, getCampaign, type CampaignPorts } from '#app/campaigns.ts';
import type { Action } from '#domain/action.ts';
import type { CampaignSpec } from '#domain/campaign/campaign.ts';
import type { DueRun } from '#domain/campaign/ports.ts';
import { runMembersKey } from '#domain/campaign/schedule.ts';
import type { CustomerRecord } from '#domain/customer.ts';
import { InvalidInputError, UnavailableError } from '#domain/errors.ts';
import type { OutboundMessage } from '#domain/triggers.ts';
import { decisioningSettingsOf } from '#config/decisioning-settings.ts';
import { loadMarket } from '#config/markets/index.ts';
import {
  CAMPAIGN_ASL,
  campaignsEnv,
  campaignPortsFor,
  campaignStepPortsFor,
  LOCAL_CAMPAIGN_SUBSTITUTIONS,
} from '#composition/campaigns.ts';
import { eventAdaptersFor } from '#composition/events.ts';
import { testTables } from '../test-support/dynamo.ts';

// 10:00 in Johannesburg: the first run is due at 11:00, outside quiet hours
const NOW = Date.parse('2025-03-12T08:00:00.000Z');
const HOUR = 3_600_000;
const TENANT = 'acme';

const offer: Action = {
  actionId: 'run-offer',
  name: 'Daily bundle',
  kind: 'offer',
  treatments: { sms: { templateKey: 'run-bundle', text: { en: 'Get 1 GB for R9 today' } } },
  eligibility: true,
  propensity: { starting: 0.2 },
  value: 9,
  lever: 1,
  limits: { perCustomer: [] },
};

const customer = (i: number, segment: string): CustomerRecord =>
  ({
    customerId: `run-${i}`,
    segment,
    tariff: 'smart-50',
    tenureMonths: 12,
    monthlyCharge: 80,
    contract: 'prepaid',
    products: ['phone'],
    language: 'en',
    consent: { sms: true },
    attributes: {},
    version: 1,
    createdAt: new Date(NOW).toISOString(),
    updatedAt: new Date(NOW).toISOString(),
  }) as unknown as CustomerRecord;

/** The platform clock, moved by the story. */
let at = NOW;
const clock = { now: () => new Date(at) };
const due = new Map<string, DueRun>();
const scheduler = new LocalRunScheduler(due);
const sent: OutboundMessage[] = [];
let stepPorts: CampaignStepPorts;
let apiPorts: CampaignPorts;
let runPorts: CampaignRunPorts;
let starter: LocalWorkflowStarter;
let privacy: DynamoCampaignMemberships;

beforeAll(async () => {
  const t = await testTables([TENANT]);
  const env = {
    ...t.env,
    DECISIONING: JSON.stringify(decisioningSettingsOf(loadMarket('demo'))),
    CVM_NOW: new Date(NOW).toISOString(),
    CVM_TIME_SCALE: '10000000',
    CVM_LOCAL_DIR: mkdtempSync(join(tmpdir(), 'cvm-runs-')),
    CAMPAIGN_SEGMENTS: '2',
    CAMPAIGN_SHARDS: '2',
    CAMPAIGN_POLL_SECONDS: '1',
  };
  const cenv = campaignsEnv(env);
  const base = await campaignStepPortsFor(cenv);
  stepPorts = {
    ...base,
    clock,
    outbound: {
      send: async (m) => {
        sent.push(...m);
        await base.outbound.send(m);
      },
    },
  };
  const steps = campaignSteps(stepPorts);
  starter = new LocalWorkflowStarter(
    loadDefinition(CAMPAIGN_ASL, LOCAL_CAMPAIGN_SUBSTITUTIONS),
    (event) => steps(event as CampaignStepInput),
    { retryIntervalMs: 5 },
  );
  apiPorts = { ...(await campaignPortsFor(cenv)), clock, starter, scheduler };
  runPorts = { campaigns: apiPorts.campaigns, starter, scheduler, clock, timeZone: apiPorts.policy.timeZone };
  privacy = new DynamoCampaignMemberships(
    eventAdaptersFor(cenv.decisions.platform).db,
    (tn) => t.tenantTables[tn]!,
    clock.now,
  );
  await new DynamoActionCatalog(eventAdaptersFor(cenv.decisions.platform).db, (tn) => t.tenantTables[tn]!).put(
    TENANT,
    offer,
  );
  // 20 young customers (the audience) and 10 others
  await stepPorts.customers.saveMany(
    TENANT,
    Array.from({ length: 30 }, (_, i) => customer(i, i < 20 ? 'youth' : 'family')),
  );
}, 60_000);

const spec = (over: Partial<CampaignSpec> = {}): CampaignSpec => ({
  name: 'Daily data',
  goal: 'take-up',
  audience: { rule: { '==': [{ var: 'profile.segment' }, 'youth'] } },
  actionIds: ['run-offer'],
  channel: 'sms',
  controlGroupPercent: 20,
  // everyone in the pilot: nobody responds here, so each run stops after it with its full report
  pilot: { percent: 100, minUplift: 0 },
  responseWindow: 'PT4H',
  ...over,
});

/** The platform clock moves to `to`; the runs due by then start, as the local timer starts them. */
async function advanceTo(to: number) {
  at = to;
  const started = [];
  for (const run of scheduler.takeDue(clock.now()))
    started.push(await startCampaignRun(runPorts)(run.tenant, run.campaignId, run.at));
  await starter.settled();
  return started;
}

/** A run's members, across its shards. */
async function membersOf(campaignId: string, runId: string) {
  const out = [];
  for (const shard of [0, 1])
    out.push(...(await stepPorts.campaigns.members(TENANT, runMembersKey(campaignId, runId), shard)));
  return out;
}

describe('scheduled campaigns on DynamoDB Local', () => {
  it('waits scheduled, runs on the platform clock, repeats daily with a fresh audience, and cancels', async () => {
    const startAt = new Date(NOW + HOUR).toISOString();
    const created = await createCampaign(apiPorts)(TENANT, spec({ schedule: { startAt, repeat: 'daily' } }));
    expect(created.status).toBe('scheduled');
    const { campaignId } = created;
    let c = await getCampaign(apiPorts)(TENANT, campaignId);
    expect(c).toMatchObject({ status: 'scheduled', nextRunAt: startAt });
    expect(c.runs).toBeUndefined();

    // a restarted local runtime finds the run again from the campaign
    expect(await pendingRunsOf(runPorts)(TENANT)).toContainEqual({ tenant: TENANT, campaignId, at: new Date(startAt) });
    // not due yet: nothing starts
    expect(await advanceTo(NOW + HOUR - 1000)).toEqual([]);
    // due: run 1 starts, selects and contacts, and the campaign waits for run 2 (same local time tomorrow)
    expect(await advanceTo(NOW + HOUR)).toEqual([
      { started: true, runId: 'run-1', nextRunAt: new Date(NOW + 25 * HOUR).toISOString() },
    ]);
    c = await getCampaign(apiPorts)(TENANT, campaignId);
    expect(c.status, c.reason).toBe('scheduled');
    expect(c.nextRunAt).toBe(new Date(NOW + 25 * HOUR).toISOString());
    expect(c.runs).toHaveLength(1);
    expect(c.runs![0]).toMatchObject({ runId: 'run-1', startedAt: startAt, status: 'stopped' });
    expect(c.runs![0]!.reason).toBeTruthy();
    expect(c.runs![0]!.report!.total.treatment.audience + c.runs![0]!.report!.total.control.audience).toBe(20);
    const run1 = await membersOf(campaignId, 'run-1');
    expect(run1).toHaveLength(20);

    // the audience rule is read again at each run: five more customers hold it by run 2
    await stepPorts.customers.saveMany(
      TENANT,
      Array.from({ length: 5 }, (_, i) => customer(20 + i, 'youth')),
    );
    expect(await advanceTo(NOW + 25 * HOUR)).toMatchObject([{ started: true, runId: 'run-2' }]);
    c = await getCampaign(apiPorts)(TENANT, campaignId);
    expect(c.status, c.reason).toBe('scheduled');
    expect(c.runs!.map((r) => r.runId)).toEqual(['run-1', 'run-2']);
    expect(c.counts?.audience).toBe(25);
    const run2 = await membersOf(campaignId, 'run-2');
    expect(run2).toHaveLength(25);
    // run 1 kept its own members and report
    expect(await membersOf(campaignId, 'run-1')).toHaveLength(20);
    expect(c.runs![0]!.report!.total.treatment.audience + c.runs![0]!.report!.total.control.audience).toBe(20);

    // never twice in one run: one message id per customer and run, each run's its own
    const mine = sent.filter((m) => m.reason.id === campaignId);
    const byCustomer = new Map<string, Set<string>>();
    for (const m of mine) byCustomer.set(m.customerId, new Set([...(byCustomer.get(m.customerId) ?? []), m.messageId]));
    const contacted = (ms: typeof run1) => ms.filter((m) => m.status === 'contacted');
    const messages = new Set(mine.map((m) => m.messageId));
    expect(messages.size).toBe(contacted(run1).length + contacted(run2).length);
    expect([...byCustomer.values()].every((ids) => ids.size <= 2)).toBe(true);
    expect(contacted(run1).length).toBeGreaterThan(0);

    // subject access and erasure find a customer's membership of every run
    const memberships = (await privacy.membershipsOf(TENANT, 'run-0')).filter((m) => m.campaignId === campaignId);
    expect(memberships.map((m) => m.runId).sort()).toEqual(['run-1', 'run-2']);
    await privacy.forgetCustomer(TENANT, 'run-0');
    expect((await privacy.membershipsOf(TENANT, 'run-0')).filter((m) => m.campaignId === campaignId)).toEqual([]);

    // cancelled while waiting: no more runs, the schedule is gone
    expect(await controlCampaign(apiPorts)(TENANT, campaignId, 'cancel')).toEqual({ campaignId, status: 'cancelled' });
    expect(due.size).toBe(0);
    expect(await advanceTo(NOW + 49 * HOUR)).toEqual([]);
    expect(await startCampaignRun(runPorts)(TENANT, campaignId, new Date(NOW + 49 * HOUR))).toEqual({
      started: false,
      reason: 'cancelled',
    });
    c = await getCampaign(apiPorts)(TENANT, campaignId);
    expect(c.status).toBe('cancelled');
    expect(c.nextRunAt).toBeUndefined();
    expect(c.runs).toHaveLength(2);
  }, 60_000);

  it('skips a run due while the previous one is still going, fails one it cannot schedule, refuses one that cannot hold', async () => {
    at = NOW;
    const startAt = new Date(NOW + HOUR).toISOString();
    const { campaignId } = await createCampaign(apiPorts)(
      TENANT,
      spec({
        name: 'Weekly',
        schedule: { startAt, repeat: 'weekly', until: new Date(NOW + 200 * HOUR).toISOString() },
      }),
    );
    // the previous run still going (paused) when the run is due: skipped, the next one scheduled
    await apiPorts.campaigns.update(TENANT, campaignId, { status: 'paused' });
    at = NOW + HOUR;
    expect(await startCampaignRun(runPorts)(TENANT, campaignId, new Date(startAt))).toEqual({
      started: false,
      reason: 'previous-run-active',
      nextRunAt: new Date(NOW + 169 * HOUR).toISOString(),
    });
    // a fired schedule that is not the one the campaign waits for starts nothing
    expect(await startCampaignRun(runPorts)(TENANT, campaignId, new Date(startAt))).toMatchObject({
      started: false,
      reason: 'not-due',
    });
    await controlCampaign(apiPorts)(TENANT, campaignId, 'cancel');

    // a schedule that could not be created: the campaign fails at once, with nothing left to run
    const down = { schedule: () => Promise.reject(new UnavailableError('down', 1)), cancel: async () => {} };
    at = NOW;
    await expect(
      createCampaign({ ...apiPorts, scheduler: down })(
        TENANT,
        spec({ name: 'Unscheduled', schedule: { startAt, repeat: 'none' } }),
      ),
    ).rejects.toBeInstanceOf(UnavailableError);
    const failed = (await apiPorts.campaigns.list(TENANT, { limit: 10 })).items.find((s) => s.name === 'Unscheduled')!;
    expect(await getCampaign(apiPorts)(TENANT, failed.campaignId)).toMatchObject({
      status: 'failed',
      reason: 'the run could not be scheduled',
    });
    expect(await startCampaignRun(runPorts)(TENANT, failed.campaignId, new Date(startAt))).toEqual({
      started: false,
      reason: 'ended',
    });

    const refused = createCampaign(apiPorts)(
      TENANT,
      spec({ responseWindow: 'P1D', schedule: { startAt: new Date(NOW - 1000).toISOString(), repeat: 'daily' } }),
    );
    await expect(refused).rejects.toBeInstanceOf(InvalidInputError);
    await expect(refused).rejects.toMatchObject({
      errors: [{ field: 'schedule.startAt' }, { field: 'responseWindow' }],
    });
  }, 60_000);
});
