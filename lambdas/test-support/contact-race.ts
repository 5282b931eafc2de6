import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { DynamoActionCatalog } from '#adapters/dynamo/action-catalog.ts';
import { DynamoTriggerStore } from '#adapters/dynamo/trigger-store.ts';
import { campaignSteps, type CampaignStepPorts } from '#app/campaign-steps.ts';
import { createCampaign, type CampaignPorts } from '#app/campaigns.ts';
import { decide, respond, type Decision, type DecisionPorts } from '#app/decisions.ts';
import { processCustomerEvents } from '#app/process-events.ts';
import type { Action } from '#domain/action.ts';
import { MARKETING_KINDS, type ActionKind } from '#domain/contact-window.ts';
import type { Channel } from '#domain/customer.ts';
import { ConflictError } from '#domain/errors.ts';
import { experimentGroup } from '#domain/decisioning/experiments.ts';
import type { EventType } from '#domain/events.ts';
import { campaignMessageId } from '#domain/campaign/campaign.ts';
import { firingMessageId, type OutboundMessage, type Trigger } from '#domain/triggers.ts';
import { decisioningSettingsOf } from '#config/decisioning-settings.ts';
import { loadMarket } from '#config/markets/index.ts';
import { campaignsEnv, campaignPortsFor, campaignStepPortsFor } from '#composition/campaigns.ts';
import { contactSettingsOf, eventAdaptersFor } from '#composition/events.ts';
import { testTables } from './dynamo.ts';
import { anEvent } from './event-builders.ts';

/**
 * Concurrent decisions, trigger firings, campaign contacts and declines for the two members of one
 * household, through the real use cases and DynamoDB adapters on DynamoDB Local, and what the
 * customers were actually offered or sent, checked against every limit of the contact policy.
 * Shared by the contact-ledger race test (`npm test`) and its long version (`npm run test:long`).
 */

// 10:00 in Johannesburg: no quiet hours, so every outbound contact may go at once.
const NOW = '2030-03-12T08:00:00.000Z';
const TENANT = 'acme';

/** Tight windows, so a burst of a dozen operations meets every one of them. */
export const RACE_POLICY = {
  outboundChannels: ['sms', 'push', 'email'],
  perChannel: { sms: { max: 2, days: 7 }, app: { max: 2, days: 7 } },
  overall: { max: 3, days: 7 },
  household: { max: 4, days: 7 },
  declineSuppressionDays: 30,
  mandatoryExempt: true,
} as const;

const action = (
  actionId: string,
  kind: ActionKind,
  value: number,
  perCustomer: Action['limits']['perCustomer'],
): Action => ({
  actionId,
  name: actionId,
  kind,
  treatments: {
    sms: { templateKey: `${actionId}.sms`, text: { en: `${actionId} by SMS` } },
    app: { templateKey: `${actionId}.app`, text: { en: `${actionId} in the app` } },
  },
  eligibility: true,
  propensity: { starting: 0.5 },
  value,
  lever: 1,
  limits: { perCustomer },
});

export const RACE_ACTIONS: Action[] = [
  action('weekly', 'offer', 90, [{ max: 1, days: 7 }]),
  action('retain', 'retention', 70, [{ channel: 'sms', max: 1, days: 7 }]),
  action('plain', 'offer', 50, []),
  action('care', 'service', 30, [{ max: 1, days: 7 }]),
];

const trigger = (
  triggerId: string,
  eventType: EventType,
  actionId: string,
  channel: Channel,
  priority: number,
): Trigger => ({
  triggerId,
  eventType,
  condition: true,
  actionId,
  channel,
  cooldownHours: 0,
  priority,
  enabled: true,
});

const RACE_TRIGGERS: Trigger[] = [
  trigger('t-weekly', 'usage.data', 'weekly', 'sms', 50),
  trigger('t-plain', 'usage.data', 'plain', 'app', 40),
  trigger('t-retain', 'billing.topup', 'retain', 'sms', 50),
  trigger('t-care', 'network.call_dropped', 'care', 'sms', 50),
];

const EVENT_DATA = {
  'usage.data': { usedMb: 900, bundleMb: 1000 },
  'billing.topup': { amount: 10 },
  'network.call_dropped': {},
} as const;

export type RaceOp =
  | { kind: 'decision'; who: 0 | 1; channel: 'sms' | 'app'; limit: number }
  | { kind: 'event'; who: 0 | 1; type: keyof typeof EVENT_DATA }
  | { kind: 'campaign'; who: 0 | 1 }
  | { kind: 'decline'; who: 0 | 1 };

const who = fc.constantFrom(0 as const, 1 as const);
export const raceOp: fc.Arbitrary<RaceOp> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('decision' as const),
      who,
      channel: fc.constantFrom('sms' as const, 'app' as const),
      limit: fc.integer({ min: 1, max: 3 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('event' as const),
      who,
      type: fc.constantFrom(...(Object.keys(EVENT_DATA) as (keyof typeof EVENT_DATA)[])),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('campaign' as const), who }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('decline' as const), who }) },
);

/** One contact a customer was given: an answer's action, a firing's or a campaign's hand-off. */
interface Given {
  customerId: string;
  actionId: string;
  kind: ActionKind;
  channel: Channel;
  /** When the operation that gave it started, in the race's own sequence (a hand-off: its event's or campaign's). */
  started: number;
}

export interface Race {
  run(ops: readonly RaceOp[]): Promise<void>;
}

/** The use cases wired as the functions wire them, on fresh tables; one race per call of `run`, on fresh customers. */
export async function contactRace(): Promise<Race> {
  const t = await testTables([TENANT]);
  const market = decisioningSettingsOf(loadMarket('demo'));
  const cenv = campaignsEnv({
    ...t.env,
    DECISIONING: JSON.stringify({
      ...market,
      contactPolicy: RACE_POLICY,
      experiments: { ...market.experiments, controlPercent: 0 },
    }),
    CVM_NOW: NOW,
    CVM_TIME_SCALE: '10000000',
    CVM_LOCAL_DIR: mkdtempSync(join(tmpdir(), 'cvm-contact-race-')),
    CAMPAIGN_SEGMENTS: '1',
    CAMPAIGN_SHARDS: '1',
  });
  const sent: OutboundMessage[] = [];
  const base = await campaignStepPortsFor(cenv);
  const stepPorts: CampaignStepPorts = { ...base, outbound: { send: async (m) => void sent.push(...m) } };
  const apiPorts: CampaignPorts = {
    ...(await campaignPortsFor(cenv)),
    starter: { start: async () => ({ executionId: 'race' }) },
  };
  const events = eventAdaptersFor(cenv.decisions.platform, contactSettingsOf(cenv.decisions));
  const process = processCustomerEvents({
    ...events,
    outbound: { send: async (m) => void sent.push(...m) },
    triggerCacheMs: 60_000,
  });
  const decisions: DecisionPorts = stepPorts.decisions;
  const tableOf = () => t.tenantTables[TENANT]!;
  for (const a of RACE_ACTIONS) await new DynamoActionCatalog(events.db, tableOf).put(TENANT, a);
  for (const tr of RACE_TRIGGERS) await new DynamoTriggerStore(events.db, tableOf).put(TENANT, tr);
  const steps = campaignSteps(stepPorts);
  const kindOf = new Map(RACE_ACTIONS.map((a) => [a.actionId, a.kind]));
  let round = 0;

  return {
    async run(ops) {
      round++;
      const ids: string[] = [];
      for (let i = 0; ids.length < 2; i++) {
        const id = `r${round}-${i}`;
        if (experimentGroup(TENANT, id, cenv.decisions.settings.experiments) !== 'control') ids.push(id);
      }
      const householdId = `hh-${round}`;
      await stepPorts.customers.saveMany(
        TENANT,
        ids.map((customerId) => ({
          customerId,
          version: 1,
          createdAt: NOW,
          updatedAt: NOW,
          language: 'en',
          householdId,
          consent: { sms: true, app: true },
        })),
      );
      let seq = 0;
      const given: Given[] = [];
      const declined: { customerId: string; actionId: string; done: number }[] = [];
      const answer = (
        customerId: string,
        channel: Channel,
        actions: { actionId: string; kind: ActionKind }[],
        started: number,
      ) => given.push(...actions.map((a) => ({ customerId, actionId: a.actionId, kind: a.kind, channel, started })));

      // before the burst: one decision each offering the action without a limit of its own (what a
      // decline answers), and a campaign for each campaign op
      const seeds: Decision[] = [];
      for (const customerId of ids) {
        const d = await decide(decisions)(TENANT, { customerId, channel: 'app', limit: 1, onlyActions: ['plain'] });
        answer(customerId, 'app', d.actions, seq++);
        seeds.push(d);
      }
      const campaigns: string[] = [];
      for (const op of ops.filter((o) => o.kind === 'campaign')) {
        const { campaignId } = await createCampaign(apiPorts)(TENANT, {
          name: 'race',
          goal: 'take-up',
          audience: { customerIds: [ids[op.who]!] },
          actionIds: ['weekly', 'retain', 'plain'],
          channel: 'sms',
          controlGroupPercent: 0,
          pilot: { percent: 100, minUplift: 5 },
          responseWindow: 'P7D',
        });
        await steps({ step: 'prepare', tenant: TENANT, campaignId });
        const selected = await steps({ step: 'select', tenant: TENANT, campaignId, segment: 0, totalSegments: 1 });
        await steps({ step: 'selected', tenant: TENANT, campaignId, results: [selected as never] });
        campaigns.push(campaignId);
      }
      const handedOff = new Set(sent.map((m) => m.messageId));

      // the burst: every operation at once
      let nextCampaign = 0;
      /** A hand-off's id -> when the operation that could make it started. */
      const startedBy = new Map<string, number>();
      await Promise.all(
        ops.map(async (op) => {
          const customerId = ids[op.who]!;
          const started = seq++;
          if (op.kind === 'decision') {
            const d = await decide(decisions)(TENANT, { customerId, channel: op.channel, limit: op.limit });
            answer(customerId, op.channel, d.actions, started);
          } else if (op.kind === 'event') {
            const event = anEvent(op.type, EVENT_DATA[op.type] as never, { customerId, now: NOW, minutesAgo: 0 });
            for (const tr of RACE_TRIGGERS)
              startedBy.set(firingMessageId(TENANT, tr.triggerId, event.eventId), started);
            // a lost race past the processor's attempts is SQS's redelivery
            for (let attempt = 0; ; attempt++) {
              try {
                await process(TENANT, customerId, [event]);
                break;
              } catch (err) {
                if (!(err instanceof ConflictError) || attempt === 5) throw err;
              }
            }
          } else if (op.kind === 'campaign') {
            const campaignId = campaigns[nextCampaign++]!;
            startedBy.set(campaignMessageId(TENANT, campaignId, customerId), started);
            await steps({ step: 'contact', tenant: TENANT, campaignId, phase: 'pilot', shard: 0, totalShards: 1 });
          } else {
            const seed = seeds[op.who]!;
            const offered = seed.actions[0];
            if (!offered) return;
            await respond(decisions)(TENANT, seed.decisionId, { actionId: offered.actionId, response: 'declined' });
            declined.push({ customerId, actionId: offered.actionId, done: seq++ });
          }
        }),
      );
      // after the burst: every decline is still in its customer's ledger, and one more decision on
      // each channel for each customer is still held to every limit
      for (const d of declined) {
        const stored = await decisions.ledgers.customer(TENANT, d.customerId, {
          since: NOW,
          bounds: { limits: [], declineDays: 30, acceptDays: 0 },
          now: new Date(NOW),
        });
        if (!stored.ledger.declined[d.actionId]) throw new Error(`${d.customerId} lost its decline of ${d.actionId}`);
      }
      for (const customerId of ids)
        for (const channel of ['sms', 'app'] as const) {
          const started = seq++;
          const d = await decide(decisions)(TENANT, { customerId, channel, limit: 3 });
          answer(customerId, channel, d.actions, started);
        }
      // hand-offs (firings and campaign contacts) of this race, each once whatever was retried
      const mine = new Map(
        sent.filter((m) => ids.includes(m.customerId) && !handedOff.has(m.messageId)).map((m) => [m.messageId, m]),
      );
      for (const m of mine.values())
        given.push({
          customerId: m.customerId,
          actionId: m.actionId,
          kind: kindOf.get(m.actionId) ?? m.kind,
          channel: m.channel,
          started: startedBy.get(m.messageId) ?? -1,
        });
      checkLimits(ids, given, declined);
    },
  };
}

/** Every window is days long and the race lasts seconds: each limit bounds what the race gave, in total. */
function checkLimits(
  ids: readonly string[],
  given: readonly Given[],
  declined: readonly { customerId: string; actionId: string; done: number }[],
): void {
  const fail = (what: string, n: number, max: number) => {
    throw new Error(`${what}: ${n} contacts, limit ${max}\n${JSON.stringify(given)}`);
  };
  const marketing = (g: Given) => MARKETING_KINDS.has(g.kind);
  for (const customerId of ids) {
    const mine = given.filter((g) => g.customerId === customerId);
    for (const a of RACE_ACTIONS)
      for (const l of a.limits.perCustomer) {
        const n = mine.filter((g) => g.actionId === a.actionId && (!l.channel || g.channel === l.channel)).length;
        if (n > l.max) fail(`${customerId} ${a.actionId}${l.channel ? ` on ${l.channel}` : ''}`, n, l.max);
      }
    for (const [channel, w] of Object.entries(RACE_POLICY.perChannel)) {
      const n = mine.filter((g) => marketing(g) && g.channel === channel).length;
      if (n > w.max) fail(`${customerId} ${channel}`, n, w.max);
    }
    const n = mine.filter(marketing).length;
    if (n > RACE_POLICY.overall.max) fail(`${customerId} overall`, n, RACE_POLICY.overall.max);
  }
  const household = given.filter(marketing).length;
  if (household > RACE_POLICY.household.max) fail('household', household, RACE_POLICY.household.max);
  // an operation that started after a decline was recorded never offers the declined action
  for (const d of declined) {
    const after = given.filter((g) => g.customerId === d.customerId && g.actionId === d.actionId && g.started > d.done);
    if (after.length) throw new Error(`${d.customerId} was offered ${d.actionId} after declining it`);
  }
}
