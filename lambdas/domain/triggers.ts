import { createHash } from 'node:crypto';
import type { Action, ContactRecord, Rule } from './action.ts';
import { contactAllowed, reportedDecline, type ContactPolicy, type Reason } from './contact-policy.ts';
import { MARKETING_KINDS, type ActionKind, type QuietHours } from './contact-window.ts';
import type { Channel, CustomerRecord, Scores } from './customer.ts';
import type { CustomerState } from './customer-state.ts';
import { messageContent, MISSING_PLACEHOLDER } from './delivery/message-content.ts';
import type { CvmEvent, EventType } from './events.ts';
import type { TenantId } from './ids.ts';
import { evaluateRule, RULE_OVER_BUDGET } from './rules.ts';
import { effectiveScores } from './scoring/realtime-score.ts';
import { signalsOf, type SignalThresholds } from './decisioning/signals.ts';
import { CONTROL_GROUP_REASON, heldOut, type ExperimentGroup } from './decisioning/experiments.ts';
import { treatmentForCustomer, type MessageParam } from './decisioning/variants.ts';

/** A tenant-authored real-time rule (DESIGN.md "Trigger"). */
export interface Trigger {
  triggerId: string;
  eventType: EventType;
  /**
   * JSON Logic over `{profile, state, scores, context, event, signals, previous}`: `scores` the newer
   * of the nightly and the real-time churn score, `previous.scores` the scores before this event
   * (what `crossed` compares with).
   */
  condition: Rule;
  actionId: string;
  channel: Channel;
  cooldownHours: number;
  /** Higher goes first; one message per channel per event. */
  priority: number;
  enabled: boolean;
}

/** The outbound hand-off (DESIGN.md): one per firing, to `outbound-<channel>`. */
export interface OutboundMessage {
  messageId: string;
  tenant: TenantId;
  customerId: string;
  channel: Channel;
  actionId: string;
  /** The treatment's message variant sent (decisioning/variants.ts): responses count for it. */
  variantId?: string;
  kind: ActionKind;
  treatment: string;
  language: string;
  text?: string;
  /** The treatment's params with its variant's over them. */
  params?: Record<string, MessageParam>;
  /** SMS parts of `text` (delivery/sms-segments.ts): set on SMS messages with a text; a connector's bill. */
  segments?: number;
  reason: { type: 'trigger' | 'campaign' | 'decision'; id: string };
  createdAt: string;
  sendAfter: string;
}

export interface MarketRules {
  timezone: string;
  quietHours: QuietHours;
  defaultLanguage: string;
  /** Replies that opt a customer out of their channel (`message.inbound`; delivery/opt-out.ts). */
  optOutKeywords?: readonly string[];
}

/** What today's per-action volume caps (`limits.perDay`) allow, as the volume counter answered. */
export interface VolumeAnswers {
  /** Actions whose cap refused a reservation today. */
  spent: ReadonlySet<string>;
  /** Firings (message ids) that hold a reservation already: a spent cap does not take it back. */
  granted: ReadonlySet<string>;
}

export interface TriggerInput {
  tenant: TenantId;
  customerId: string;
  profile?: CustomerRecord;
  state: CustomerState;
  event: CvmEvent;
  now: Date;
  defaultLanguage: string;
  actions: ReadonlyMap<string, Action>;
  /** The market's contact policy: the one decisions and campaigns ask too. */
  policy: ContactPolicy;
  /** The customer's ledger: stored history, unrecorded firings, earlier firings of this batch. */
  contacts: readonly ContactRecord[];
  /** The household's marketing contacts (only when the customer is in one and the policy caps households). */
  householdContacts?: readonly ContactRecord[];
  volume?: VolumeAnswers;
  /** The decision path's signal thresholds: an action's eligibility reads `signals` the same way. */
  thresholds?: SignalThresholds;
  /** The customer's experiment group: the global control gets no marketing firings (experiments.ts heldOut). */
  group?: ExperimentGroup;
  /** The scores before this event (nightly or real-time, the newer): `crossed` compares them with the current ones. */
  previousScores?: Scores;
}

/** Why a trigger's own rules kept it from firing (the policy's refusals are in `refused`). */
export type SkipReason = 'disabled' | 'other-event' | 'condition' | 'cooldown' | 'channel-taken' | 'rule-error';

export interface TriggerFiring {
  trigger: Trigger;
  message: OutboundMessage;
  contact: ContactRecord;
}

export interface TriggerRefusal {
  triggerId: string;
  actionId: string;
  /** The contact policy's reason, with the decision pipeline's codes (`channel-limit`, `declined-recently`, `volume-cap`, ...). */
  reason: Reason;
}

export interface TriggerVerdict {
  firings: TriggerFiring[];
  skipped: { triggerId: string; reason: SkipReason }[];
  /**
   * Triggers of the event that did not fire for a reason worth counting: the contact policy refused,
   * the action is not usable now, or a rule ran out of evaluation steps (`rule-over-budget`, the
   * condition's or the eligibility's). Nothing is sent and no cooldown starts.
   */
  refused: TriggerRefusal[];
  /** `state.fired` with this event's firings recorded. */
  fired: Record<string, number>;
}

/** Same tenant, trigger and event -> same id: a redelivered firing is recognisably the same one. */
export const firingMessageId = (tenant: TenantId, triggerId: string, eventId: string): string =>
  createHash('sha256').update(`${tenant}\u0000${triggerId}\u0000${eventId}`).digest('hex').slice(0, 32);

/**
 * A missing catalog entry gives no kind; treat it as marketing so it needs an explicit opt-in:
 * the platform never contacts a customer on a guess.
 */
const FALLBACK_KIND: ActionKind = 'offer';

/** On the whole second, as before the policy deferred (nextAllowedTime keeps the milliseconds of `now`). */
const wholeSecond = (iso: string): string => new Date(Math.round(Date.parse(iso) / 1000) * 1000).toISOString();

/** Why an action cannot be sent now (outside its validity, or its eligibility rule does not hold), or undefined. */
function unusableAction(action: Action, now: Date, data: Record<string, unknown>): Reason | undefined {
  const nowMs = now.getTime();
  if (
    (action.validFrom && Date.parse(action.validFrom) > nowMs) ||
    (action.validTo && Date.parse(action.validTo) <= nowMs)
  ) {
    return {
      code: 'not-valid-now',
      detail: `valid ${action.validFrom?.slice(0, 10) ?? '…'} to ${action.validTo?.slice(0, 10) ?? '…'}`,
    };
  }
  const verdict = evaluateRule(action.eligibility, data);
  if (verdict === 'over-budget')
    return { code: RULE_OVER_BUDGET, detail: 'eligibility rule ran out of evaluation steps' };
  return verdict === 'holds' ? undefined : { code: 'not-eligible', detail: 'eligibility rule does not hold' };
}

const isMarketing = (c: Pick<ContactRecord, 'kind'>) => MARKETING_KINDS.has(c.kind);

/**
 * Which triggers fire for one applied event, and the message each hands off. A trigger fires when
 * its own rules hold (event type, condition, cooldown, one message per channel) and the contact
 * policy allows the contact over the customer's ledger; in quiet hours the policy defers it
 * (`sendAfter`) rather than refusing. Each firing joins the ledger the next trigger is asked with.
 * Pure.
 */
export function evaluateTriggers(triggers: readonly Trigger[], input: TriggerInput): TriggerVerdict {
  const { event, state, profile, now, policy } = input;
  const fired = { ...state.fired };
  const verdict: TriggerVerdict = { firings: [], skipped: [], refused: [], fired };
  const taken = new Set<Channel>();
  // the real-time churn score (when the processor re-scored) where it is newer than the nightly one
  const scores = effectiveScores(profile?.scores, state);
  // conditions and eligibility read the same `signals` decisions do, lifecycle included
  const signals = signalsOf(state, scores, input.thresholds, {
    ...(profile ? { profile } : {}),
    now,
    timeZone: policy.timeZone,
  });
  const data = {
    profile: profile ?? {},
    state,
    scores,
    context: { now: now.toISOString(), eventType: event.type },
    event,
    signals,
    ...(input.previousScores ? { previous: { scores: input.previousScores } } : {}),
  };
  const decline = reportedDecline(state.lastOfferResponse);
  let ledger: readonly ContactRecord[] = decline ? [...input.contacts, decline] : input.contacts;
  let household = input.householdContacts;
  const ordered = [...triggers].sort((a, b) => b.priority - a.priority || (a.triggerId < b.triggerId ? -1 : 1));
  for (const trigger of ordered) {
    const skip = (reason: SkipReason) => verdict.skipped.push({ triggerId: trigger.triggerId, reason });
    const refuse = (reason: Reason) =>
      verdict.refused.push({ triggerId: trigger.triggerId, actionId: trigger.actionId, reason });
    if (!trigger.enabled) {
      skip('disabled');
      continue;
    }
    if (trigger.eventType !== event.type) {
      skip('other-event');
      continue;
    }
    const condition = evaluateRule(trigger.condition, {
      ...data,
      context: { ...data.context, channel: trigger.channel },
    });
    // A condition out of steps is a refusal, not a skip: refusals are counted by code up to the
    // processor's metrics (RuleOverBudget), and a tenant's runaway rule must show there.
    if (condition === 'over-budget') {
      refuse({ code: RULE_OVER_BUDGET, detail: 'condition ran out of evaluation steps' });
      continue;
    }
    if (condition !== 'holds') {
      skip(condition === 'fails' ? 'condition' : 'rule-error');
      continue;
    }
    const last = fired[trigger.triggerId];
    if (last !== undefined && now.getTime() - last < trigger.cooldownHours * 3_600_000) {
      skip('cooldown');
      continue;
    }
    if (taken.has(trigger.channel)) {
      skip('channel-taken');
      continue;
    }

    const action = input.actions.get(trigger.actionId);
    // the action's own rules, as decisions apply them: validity, then eligibility
    if (action) {
      const unusable = unusableAction(action, now, data);
      if (unusable) {
        refuse(unusable);
        continue;
      }
    }
    const kind = action?.kind ?? FALLBACK_KIND;
    if (heldOut(input.group, kind)) {
      refuse(CONTROL_GROUP_REASON);
      continue;
    }
    const asked = action ?? { actionId: trigger.actionId, kind, limits: { perCustomer: [] } };
    // Triggers hand off to the outbound queues, so every channel is outbound here.
    const allowed = contactAllowed(
      ledger,
      { action: asked, channel: trigger.channel, direction: 'outbound', consent: profile?.consent, now },
      policy,
      {
        deferQuietHours: true,
        ...(household ? { householdHistory: household } : {}),
      },
    );
    if (!allowed.allowed) {
      refuse(allowed.reason);
      continue;
    }
    const listed = action?.treatments[trigger.channel];
    // the customer's sticky variant, as a decision for the same action gives it
    const customised =
      listed && action
        ? treatmentForCustomer(listed, {
            tenant: input.tenant,
            customerId: input.customerId,
            actionId: action.actionId,
          })
        : undefined;
    const treatment = listed && customised ? { ...listed, ...customised } : listed;
    // rendered now, from the state this event made: a placeholder without a value sends nothing
    const content = messageContent({
      channel: trigger.channel,
      treatment,
      language: profile?.language,
      defaultLanguage: input.defaultLanguage,
      profile,
      state,
      action,
    });
    if ('missing' in content) {
      refuse({ code: MISSING_PLACEHOLDER, detail: `no value for ${content.missing.join(', ')}` });
      continue;
    }
    const messageId = firingMessageId(input.tenant, trigger.triggerId, event.eventId);
    const perDay = action?.limits.perDay;
    if (perDay !== undefined && input.volume?.spent.has(trigger.actionId) && !input.volume.granted.has(messageId)) {
      refuse({ code: 'volume-cap', detail: `${perDay} a day reached` });
      continue;
    }
    taken.add(trigger.channel);
    fired[trigger.triggerId] = now.getTime();

    const language = profile?.language ?? input.defaultLanguage;
    const createdAt = now.toISOString();
    const message: OutboundMessage = {
      messageId,
      tenant: input.tenant,
      customerId: input.customerId,
      channel: trigger.channel,
      actionId: trigger.actionId,
      ...(customised?.variantId ? { variantId: customised.variantId } : {}),
      kind,
      treatment: treatment?.templateKey ?? trigger.actionId,
      language,
      ...(content.text !== undefined ? { text: content.text } : {}),
      ...(customised?.params ? { params: customised.params } : {}),
      ...(content.segments !== undefined ? { segments: content.segments } : {}),
      reason: { type: 'trigger', id: trigger.triggerId },
      createdAt,
      sendAfter: allowed.sendAfter ? wholeSecond(allowed.sendAfter) : createdAt,
    };
    const contact: ContactRecord = {
      id: messageId,
      at: createdAt,
      channel: trigger.channel,
      actionId: trigger.actionId,
      kind,
      source: 'trigger',
    };
    verdict.firings.push({ trigger, message, contact });
    ledger = [...ledger, contact];
    if (household && isMarketing(contact)) household = [...household, contact];
  }
  return verdict;
}
