import { campaignSteps, type CampaignStepPorts } from '#app/campaign-steps.ts';
import { decide, respond } from '#app/decisions.ts';
import { processEventBatch } from '#app/process-events.ts';
import type { Action } from '#domain/action.ts';
import type { CampaignRecord } from '#domain/campaign/campaign.ts';
import type { CampaignStore, StoredMember } from '#domain/campaign/ports.ts';
import type { UpliftResult } from '#domain/campaign/statistics.ts';
import type { CustomerRecord } from '#domain/customer.ts';
import type { CustomerState } from '#domain/customer-state.ts';
import type { DecisionRecord } from '#domain/decisioning/decision-record.ts';
import type { CvmEvent } from '#domain/events.ts';
import type { CustomerStateRepo, StoredState } from '#domain/ports/events.ts';
import { reportSet } from '#domain/reports/build.ts';
import type { ReportCustomer, ReportDecision } from '#domain/reports/report.ts';
import type { Trigger } from '#domain/triggers.ts';
import { MemoryDecisioning, TEST_SETTINGS } from './memory-decisioning.ts';

/**
 * Issue 19 item 2: a synthetic base with a planted effect run through the real use cases on the
 * in-memory ports (decisions, the event processor and its triggers, the campaign workflow's
 * steps, responses through the API and as events), then the real report builders. Everything
 * random comes from one seeded generator, so a seed is one fixed run.
 */

const TENANT = 'acme';
const DAY = 86_400_000;
/** 10:00 in Johannesburg, outside quiet hours, mid-month (the month's report holds every decision). */
const START = Date.parse('2026-03-10T08:00:00Z');

/** mulberry32: a small, well-mixed seeded generator (public domain). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SimulationOptions {
  seed: number;
  customers: number;
  /** The planted effect, in points of take-up, for treated customers (0: none). */
  effectPp: number;
  /** Organic take-up of the untreated (default 10%). */
  baseRate?: number;
  /** Share of the base in the global control group (default 20: a small base still has a control). */
  controlPercent?: number;
  /** Share of the campaign's audience held out as its control (default 30). */
  campaignControlPercent?: number;
}

export interface IntervalEstimate {
  estimate: number;
  low: number;
  high: number;
}

export interface SimulationResult {
  /** The decisions report's summary uplift and its interval (treated decisions vs global control). */
  decisions: IntervalEstimate & { treated: number; control: number };
  /** The campaign report's uplift on take-up and its interval (treatment vs the campaign's control). */
  campaign: IntervalEstimate & { treatment: number; control: number; contacted: number };
  /** Control customers that received a marketing contact (must be 0: item 1). */
  controlMarketed: number;
}

const offer = (actionId: string, channels: ('app' | 'sms')[]): Action => ({
  actionId,
  name: actionId,
  kind: 'offer',
  treatments: Object.fromEntries(channels.map((c) => [c, { templateKey: `${actionId}.${c}`, text: { en: actionId } }])),
  eligibility: true,
  propensity: { starting: 0.1 },
  value: 50,
  lever: 1,
  limits: { perCustomer: [] },
});
/** An inbound app offer, an SMS offer triggered by dropped calls, and the campaign's SMS offer. */
const ACTIONS = [offer('bundle', ['app']), offer('rescue', ['sms']), offer('cmp-offer', ['sms'])];
const TRIGGER: Trigger = {
  triggerId: 'dropped-calls-rescue',
  eventType: 'network.call_dropped',
  condition: true,
  actionId: 'rescue',
  channel: 'sms',
  cooldownHours: 24,
  priority: 1,
  enabled: true,
};

/** The processor's state store over the decisioning fakes' states and ledgers (one customer record for both). */
class SimulationStates implements CustomerStateRepo {
  readonly stored = new Map<string, StoredState>();
  constructor(private readonly mem: MemoryDecisioning) {}
  async loadForEvents(tenant: string, id: string) {
    const { record, erasedAt } = await this.mem.repo.load(tenant, id);
    const stored = this.stored.get(id);
    return { ...(record ? { profile: record } : {}), erased: !!erasedAt, ...(stored ? { stored } : {}) };
  }
  async recordedIds() {
    return new Set<string>();
  }
  async saveState(
    _t: string,
    id: string,
    state: CustomerState,
    outbox: StoredState['outbox'],
    expected: number,
    ledger?: Parameters<CustomerStateRepo['saveState']>[5],
  ) {
    if ((this.stored.get(id)?.version ?? 0) !== expected) return false;
    if (ledger && !this.mem.ledgers.holds(ledger)) return false;
    if (ledger) this.mem.ledgers.apply(ledger);
    const { newIdRecords: _n, ...kept } = state;
    this.stored.set(id, { state: kept, outbox, version: expected + 1, outboxInLedger: true });
    this.mem.states.set(id, kept);
    return true;
  }
  async clearOutbox(_t: string, id: string, version: number) {
    const s = this.stored.get(id);
    if (s?.version === version) s.outbox = [];
  }
}

/** Campaigns and members in memory, with the store's conditional member transitions. */
class SimulationCampaigns implements Pick<CampaignStore, 'get' | 'update' | 'putMembers' | 'members' | 'transition'> {
  readonly records = new Map<string, CampaignRecord>();
  readonly shards = new Map<string, Map<string, StoredMember>>();
  async get(_t: string, id: string) {
    const c = this.records.get(id);
    return c ? structuredClone(c) : undefined;
  }
  async update(_t: string, id: string, patch: Partial<CampaignRecord>) {
    const c = this.records.get(id);
    if (c) this.records.set(id, { ...c, ...structuredClone(patch) });
    return !!c;
  }
  private shard(id: string, shard: number) {
    const key = `${id}#${shard}`;
    let s = this.shards.get(key);
    if (!s) this.shards.set(key, (s = new Map()));
    return s;
  }
  async putMembers(_t: string, id: string, shardOf: (customerId: string) => number, members: StoredMember[]) {
    for (const m of members) this.shard(id, shardOf(m.customerId)).set(m.customerId, structuredClone(m));
  }
  async members(_t: string, id: string, shard: number) {
    return [...this.shard(id, shard).values()].map((m) => structuredClone(m));
  }
  async transition(_t: string, id: string, shard: number, from: StoredMember['status'], to: StoredMember) {
    const s = this.shard(id, shard);
    if (s.get(to.customerId)?.status !== from) return false;
    s.set(to.customerId, structuredClone(to));
    return true;
  }
}

const reportDecisionOf = (r: DecisionRecord): ReportDecision => {
  const answered = new Map(r.responses.map((x) => [x.actionId, x.response]));
  return {
    customerId: r.customerId,
    at: r.at,
    channel: r.channel,
    group: r.experiment.group,
    // what the log's byDay index keeps: the offered ids and their responses
    offers: r.actions.map((a) => ({
      actionId: a.actionId,
      ...(answered.has(a.actionId) ? { response: answered.get(a.actionId)! } : {}),
    })),
  };
};

/**
 * One run. Every customer gets an inbound decision; some drop calls, which fires the SMS trigger;
 * each then takes up an offer with probability `baseRate`, plus `effectPp` points when treated
 * (not in the global control group), answering through the responses API when the decision
 * offered something and otherwise as an `offer.response` event (the triggered offer, or an
 * organic purchase). The nightly report is built from the scan and the log. Then a campaign over
 * the base outside the global control: its members take up the campaign's offer with probability
 * `baseRate`, plus `effectPp` points when contacted, and it is measured after its window.
 */
export async function simulate(o: SimulationOptions): Promise<SimulationResult> {
  const random = seeded(o.seed);
  const base = o.baseRate ?? 0.1;
  const effect = o.effectPp / 100;
  let now = START;
  const clock = { now: () => new Date(now) };
  const experiments = { id: `sim-${o.seed}`, controlPercent: o.controlPercent ?? 20, challengerPercent: 20 };
  const mem = new MemoryDecisioning(clock, { ...TEST_SETTINGS, experiments });
  for (const a of ACTIONS) mem.actions.set(a.actionId, a);
  const ports = mem.ports();
  const states = new SimulationStates(mem);
  let controlMarketed = 0;
  const controlIds = new Set<string>();
  const process = processEventBatch({
    states,
    outbound: { send: async () => {} },
    triggers: { get: async () => TRIGGER, list: async () => [TRIGGER], put: async () => {}, remove: async () => false },
    catalog: ports.catalog,
    clock,
    market: {
      timezone: TEST_SETTINGS.policy.timeZone,
      quietHours: TEST_SETTINGS.policy.quietHours,
      defaultLanguage: 'en',
    },
    stateConfig: { dedupeWindowHours: 48 },
    policy: TEST_SETTINGS.policy,
    ledgers: mem.ledgers,
    volume: ports.volume,
    experiments,
    triggerCacheMs: 0,
  });
  let eventSeq = 0;
  const send = async (events: CvmEvent[]) => {
    for (const outcome of process(TENANT, events).values()) await outcome;
  };
  const event = (customerId: string, type: CvmEvent['type'], data: unknown): CvmEvent =>
    ({ eventId: `e${++eventSeq}`, customerId, type, occurredAt: clock.now().toISOString(), data }) as CvmEvent;

  const ids = Array.from({ length: o.customers }, (_, i) => `c${i}`);
  await mem.repo.saveMany(
    TENANT,
    ids.map(
      (customerId): CustomerRecord => ({
        customerId,
        version: 1,
        createdAt: '2025-01-01T00:00:00Z',
        updatedAt: '2025-01-01T00:00:00Z',
        segment: 'youth',
        language: 'en',
        consent: { app: true, sms: true },
      }),
    ),
  );

  // Day 0: decisions, dropped calls (triggers), then take-up an hour later.
  const decided = new Map<string, { decisionId: string; offered?: string; control: boolean }>();
  for (const id of ids) {
    const d = await decide(ports)(TENANT, { customerId: id, channel: 'app', limit: 1 });
    const control = d.experiment.group === 'control';
    if (control) controlIds.add(id);
    if (control && d.actions.length) controlMarketed++;
    decided.set(id, { decisionId: d.decisionId, control, ...(d.actions[0] ? { offered: d.actions[0].actionId } : {}) });
  }
  const dropped = ids.filter(() => random() < 0.3);
  now += 10 * 60_000;
  await send(dropped.map((id) => event(id, 'network.call_dropped', {})));
  for (const id of controlIds) if (mem.ledgers.records(id).some((r) => r.channel === 'sms')) controlMarketed++;
  now += 60 * 60_000;
  const organic: CvmEvent[] = [];
  for (const id of ids) {
    const d = decided.get(id)!;
    const takesUp = random() < base + (d.control ? 0 : effect);
    if (d.offered && (takesUp || random() < 0.5)) {
      await respond(ports)(TENANT, d.decisionId, { actionId: d.offered, response: takesUp ? 'accepted' : 'declined' });
    } else if (takesUp) {
      const triggered = mem.ledgers.records(id).some((r) => r.actionId === 'rescue');
      organic.push(event(id, 'offer.response', { actionId: triggered ? 'rescue' : 'bundle', response: 'accepted' }));
    }
  }
  await send(organic);

  const scanned = (): ReportCustomer[] =>
    ids.map((customerId) => {
      const state = mem.states.get(customerId);
      return {
        customerId,
        record: { customerId, version: 1, createdAt: '', updatedAt: '' },
        ...(state ? { state } : {}),
      };
    });
  // the nightly build, of the decisions report only (the others read nothing the simulation plants)
  const build = reportSet(
    {
      now: clock.now(),
      timezone: TEST_SETTINGS.policy.timeZone,
      valueTiers: TEST_SETTINGS.valueTiers,
      actionValues: { bundle: 50, rescue: 50, 'cmp-offer': 50 },
    },
    ['decisions'],
  );
  for (const c of scanned()) build.add(c);
  for (const d of mem.entries.values()) build.addDecision(reportDecisionOf(d));
  const dr = build.snapshots().find((r) => r.granularity === 'month')!;
  const treatedRow = dr.rows.filter((r) => r['dimension'] === 'group' && r['value'] !== 'control');
  const decisions = {
    estimate: dr.summary['upliftPp']!,
    low: dr.summary['upliftLowPp']!,
    high: dr.summary['upliftHighPp']!,
    treated: treatedRow.reduce((n, r) => n + Number(r['decisions']), 0),
    control: controlIds.size,
  };

  // Day 14: a campaign over the base outside the global control, measured after its window.
  now += 14 * DAY - 70 * 60_000;
  const campaigns = new SimulationCampaigns();
  const campaignId = `cmp-${o.seed}`;
  campaigns.records.set(campaignId, {
    campaignId,
    name: 'simulation',
    goal: 'take-up',
    audience: { customerIds: ids.filter((id) => !controlIds.has(id)) },
    actionIds: ['cmp-offer'],
    channel: 'sms',
    controlGroupPercent: o.campaignControlPercent ?? 30,
    pilot: { percent: 0, minUplift: 0 },
    responseWindow: 'P7D',
    status: 'running',
    phase: 'preparing',
    createdAt: clock.now().toISOString(),
    updatedAt: clock.now().toISOString(),
  });
  const stepPorts: CampaignStepPorts = {
    campaigns: campaigns as unknown as CampaignStore,
    customers: ports.customers,
    scan: { scanSegment: async function* () {} },
    outbound: { send: async () => {} },
    decisions: ports,
    clock,
    settings: { totalSegments: 1, totalShards: 2, timeScale: 1, pollSeconds: 60, concurrency: 8 },
  };
  const step = campaignSteps(stepPorts);
  await step({ step: 'prepare', tenant: TENANT, campaignId });
  const selected = await step({ step: 'select', tenant: TENANT, campaignId, segment: 0, totalSegments: 1 });
  await step({ step: 'selected', tenant: TENANT, campaignId, results: [selected as never] });
  await step({ step: 'gate', tenant: TENANT, campaignId, phase: 'rollout' });
  for (const shard of [0, 1])
    await step({ step: 'contact', tenant: TENANT, campaignId, phase: 'rollout', shard, totalShards: 2 });
  now += DAY;
  const responses: CvmEvent[] = [];
  let contacted = 0;
  for (const shard of [0, 1])
    for (const m of await campaigns.members(TENANT, campaignId, shard)) {
      const reached = m.status === 'contacted';
      if (reached) contacted++;
      if (random() >= base + (reached ? effect : 0)) continue;
      if (reached && m.decisionId)
        await respond(ports)(TENANT, m.decisionId, { actionId: 'cmp-offer', response: 'accepted' });
      else responses.push(event(m.customerId, 'offer.response', { actionId: 'cmp-offer', response: 'accepted' }));
    }
  await send(responses);
  now += 7 * DAY;
  await step({ step: 'measure', tenant: TENANT, campaignId, phase: 'rollout', totalShards: 2 });
  const report = campaigns.records.get(campaignId)!.report!;
  const uplift = report.total.uplift as UpliftResult;
  return {
    decisions,
    campaign: {
      estimate: uplift.upliftPoints,
      low: uplift.ci95Points[0],
      high: uplift.ci95Points[1],
      treatment: report.total.treatment.audience,
      control: report.total.control.audience,
      contacted,
    },
    controlMarketed,
  };
}
