import { createHash } from 'node:crypto';
import jsonLogic from 'json-logic-js';
import { treatmentText, type Action, type ContactRecord, type Rule } from './action.ts';
import { consentAllows, nextAllowedTime, type ActionKind, type QuietHours } from './contact-window.ts';
import type { Channel, CustomerRecord } from './customer.ts';
import type { CustomerState } from './customer-state.ts';
import type { CvmEvent, EventType } from './events.ts';
import type { TenantId } from './ids.ts';

/** A tenant-authored real-time rule (DESIGN.md "Trigger"). */
export interface Trigger {
  triggerId: string;
  eventType: EventType;
  /** JSON Logic over `{profile, state, scores, context, event}`. */
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
  kind: ActionKind;
  treatment: string;
  language: string;
  text?: string;
  reason: { type: 'trigger' | 'campaign' | 'decision'; id: string };
  createdAt: string;
  sendAfter: string;
}

export interface MarketRules {
  timezone: string;
  quietHours: QuietHours;
  defaultLanguage: string;
}

export interface TriggerInput {
  tenant: TenantId;
  customerId: string;
  profile?: CustomerRecord;
  state: CustomerState;
  event: CvmEvent;
  now: Date;
  market: MarketRules;
  actions: ReadonlyMap<string, Action>;
}

export type SkipReason = 'disabled' | 'other-event' | 'condition' | 'cooldown' | 'consent' | 'channel-taken' | 'rule-error';
export interface TriggerVerdict {
  firings: { trigger: Trigger; message: OutboundMessage; contact: ContactRecord }[];
  skipped: { triggerId: string; reason: SkipReason }[];
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

/** Throws when the rule is not JSON Logic json-logic-js can run. */
function conditionHolds(rule: Rule, data: Record<string, unknown>): boolean {
  if (typeof rule === 'boolean') return rule;
  return jsonLogic.truthy(jsonLogic.apply(rule as never, data));
}


/** `now`, or the end of quiet hours on the whole second (nextAllowedTime keeps the milliseconds of `now`). */
function sendAfterOf(now: Date, market: MarketRules): string {
  const next = nextAllowedTime(now, market.timezone, market.quietHours);
  return (next.getTime() === now.getTime() ? now : new Date(Math.round(next.getTime() / 1000) * 1000)).toISOString();
}

/** Which triggers fire for one applied event, and the message each hands off. Pure. */
export function evaluateTriggers(triggers: readonly Trigger[], input: TriggerInput): TriggerVerdict {
  const { event, state, profile, now } = input;
  const fired = { ...state.fired };
  const verdict: TriggerVerdict = { firings: [], skipped: [], fired };
  const taken = new Set<Channel>();
  const data = {
    profile: profile ?? {},
    state,
    scores: profile?.scores ?? {},
    context: { now: now.toISOString(), eventType: event.type },
    event,
  };
  const ordered = [...triggers].sort((a, b) => b.priority - a.priority || (a.triggerId < b.triggerId ? -1 : 1));
  for (const trigger of ordered) {
    const skip = (reason: SkipReason) => verdict.skipped.push({ triggerId: trigger.triggerId, reason });
    if (!trigger.enabled) { skip('disabled'); continue; }
    if (trigger.eventType !== event.type) { skip('other-event'); continue; }
    let holds: boolean;
    try {
      holds = conditionHolds(trigger.condition, { ...data, context: { ...data.context, channel: trigger.channel } });
    } catch {
      skip('rule-error');
      continue;
    }
    if (!holds) { skip('condition'); continue; }
    const last = fired[trigger.triggerId];
    if (last !== undefined && now.getTime() - last < trigger.cooldownHours * 3_600_000) { skip('cooldown'); continue; }
    const action = input.actions.get(trigger.actionId);
    const kind = action?.kind ?? FALLBACK_KIND;
    if (!consentAllows(kind, trigger.channel, profile?.consent)) { skip('consent'); continue; }
    if (taken.has(trigger.channel)) { skip('channel-taken'); continue; }
    taken.add(trigger.channel);
    fired[trigger.triggerId] = now.getTime();

    const treatment = action?.treatments[trigger.channel];
    const language = profile?.language ?? input.market.defaultLanguage;
    const text = treatment ? treatmentText(treatment, profile?.language, input.market.defaultLanguage) : undefined;
    const createdAt = now.toISOString();
    const messageId = firingMessageId(input.tenant, trigger.triggerId, event.eventId);
    const message: OutboundMessage = {
      messageId,
      tenant: input.tenant,
      customerId: input.customerId,
      channel: trigger.channel,
      actionId: trigger.actionId,
      kind,
      treatment: treatment?.templateKey ?? trigger.actionId,
      language,
      ...(text !== undefined ? { text } : {}),
      reason: { type: 'trigger', id: trigger.triggerId },
      createdAt,
      sendAfter: sendAfterOf(now, input.market),
    };
    const contact: ContactRecord = { id: messageId, at: createdAt, channel: trigger.channel, actionId: trigger.actionId, kind, source: 'trigger' };
    verdict.firings.push({ trigger, message, contact });
  }
  return verdict;
}
