import type { Action, ContactRecord } from './action.ts';
import type { ContactPolicy } from './contact-policy.ts';
import { MARKETING_KINDS } from './contact-window.ts';
import type { Channel, CustomerRecord, Scores } from './customer.ts';
import { ALWAYS_OPT_OUT, isOptOut } from './delivery/opt-out.ts';
import { applyEvent, type CustomerState, type StateConfig } from './customer-state.ts';
import type { SignalThresholds } from './decisioning/signals.ts';
import type { CvmEvent } from './events.ts';
import type { CustomerId, TenantId } from './ids.ts';
import { evaluateTriggers, type Trigger, type TriggerFiring, type TriggerRefusal } from './triggers.ts';
import type { ExperimentGroup } from './decisioning/experiments.ts';
import { effectiveScores, type Rescorer } from './scoring/realtime-score.ts';

/** A tenant's enabled triggers and the catalog entries of their actions. */
export interface FoldRules {
  triggers: readonly Trigger[];
  actions: ReadonlyMap<string, Action>;
}

/** The ledgers and volume answers one fold asks the contact policy with. */
export interface PolicyView {
  contacts: readonly ContactRecord[];
  household?: readonly ContactRecord[];
  /** Firings (message ids) holding a unit of their action's daily cap. */
  granted: ReadonlySet<string>;
  /** Actions whose daily cap refused a unit today. */
  spent: ReadonlySet<string>;
}

export interface FoldInput {
  tenant: TenantId;
  customerId: CustomerId;
  profile?: CustomerRecord;
  /** The stored state, measured at `now`. */
  start: CustomerState;
  /** In time order. */
  events: readonly CvmEvent[];
  now: Date;
  stateConfig: StateConfig;
  /** Keys of these events that id records hold already (duplicates of a heavy sender's spilled keys). */
  recorded: ReadonlySet<string>;
  rules: FoldRules;
  policy: ContactPolicy;
  view: PolicyView;
  defaultLanguage: string;
  thresholds?: SignalThresholds;
  /** The customer's experiment group: the global control gets no marketing firings. */
  group?: ExperimentGroup;
  /** Replies that opt out of their channel (delivery/opt-out.ts); none: STOP only. */
  optOutKeywords?: readonly string[];
  /** The pinned churn model's re-scorer, when the model reads state features (scoring/realtime-score.ts). */
  rescore?: Rescorer;
}

/** A `message.inbound` opt-out that changed the customer's consent (profile and audit, with the state). */
export interface OptOut {
  eventId: string;
  channel: Channel;
}

export interface Fold {
  state: CustomerState;
  applied: number;
  firings: TriggerFiring[];
  refused: TriggerRefusal[];
  /** Opt-outs applied, in order; `consent` is the profile's consent after them. */
  optOuts: OptOut[];
  consent?: CustomerRecord['consent'];
}

/** The consent after an opt-out reply, or undefined when the reply is no opt-out or the channel is off already. */
function optedOut(
  event: CvmEvent,
  consent: CustomerRecord['consent'],
  keywords: readonly string[],
): CustomerRecord['consent'] | undefined {
  if (event.type !== 'message.inbound' || !isOptOut(event.data.text, keywords)) return undefined;
  if (consent?.[event.data.channel] === false) return undefined;
  return { ...consent, [event.data.channel]: false };
}

/**
 * The state with its real-time churn score after an event that moved a feature the model reads,
 * and the scores before the event (what `crossed` compares with); undefined when nothing moved.
 * A customer with no score yet gets the model's score of the state before the event as that
 * baseline, so a first score above a threshold is a crossing only if the event made it one.
 */
function rescoreAfter(
  rescorer: Rescorer,
  profile: CustomerRecord,
  before: CustomerState,
  after: CustomerState,
  now: Date,
): { state: CustomerState; previous: Scores } | undefined {
  const at = now.toISOString();
  const churn = rescorer.rescore(profile, before, after, at);
  if (!churn) return undefined;
  const previous = { ...effectiveScores(profile.scores, before) };
  if (!previous.churn) previous.churn = rescorer.score(profile, before, at);
  return { state: { ...after, scores: { ...after.scores, churn } }, previous };
}

/**
 * Applies one customer's events to the state and asks each applied event's triggers, in time order,
 * under the contact policy: pure, so the processor can fold again with a fuller ledger or fewer
 * daily-cap units and get the same answer for the same inputs. Each firing joins the ledger the
 * next event's triggers are asked with.
 */
export function foldEvents(input: FoldInput): Fold {
  let state = input.start;
  let applied = 0;
  let { contacts, household } = input.view;
  // an opt-out holds for the triggers of the events after it in the same batch
  let profile = input.profile;
  const keywords = input.optOutKeywords ?? [ALWAYS_OPT_OUT];
  const firings: TriggerFiring[] = [];
  const refused: TriggerRefusal[] = [];
  const optOuts: OptOut[] = [];
  for (const event of input.events) {
    const next = applyEvent(state, event, input.now, input.stateConfig, input.recorded);
    if (next === state) continue;
    applied++;
    const before = state;
    state = next;
    const rescored =
      input.rescore && profile ? rescoreAfter(input.rescore, profile, before, state, input.now) : undefined;
    if (rescored) state = rescored.state;
    const consent = profile ? optedOut(event, profile.consent, keywords) : undefined;
    if (profile && consent && event.type === 'message.inbound') {
      profile = { ...profile, consent };
      optOuts.push({ eventId: event.eventId, channel: event.data.channel });
    }
    const candidates = input.rules.triggers.filter((t) => t.eventType === event.type);
    if (candidates.length === 0) continue;
    const verdict = evaluateTriggers(candidates, {
      tenant: input.tenant,
      customerId: input.customerId,
      ...(profile ? { profile } : {}),
      state,
      event,
      now: input.now,
      defaultLanguage: input.defaultLanguage,
      actions: input.rules.actions,
      policy: input.policy,
      contacts,
      ...(household ? { householdContacts: household } : {}),
      volume: input.view,
      ...(input.thresholds ? { thresholds: input.thresholds } : {}),
      ...(input.group ? { group: input.group } : {}),
      ...(rescored ? { previousScores: rescored.previous } : {}),
    });
    state = { ...state, fired: verdict.fired };
    firings.push(...verdict.firings);
    refused.push(...verdict.refused);
    if (verdict.firings.length) {
      const added = verdict.firings.map((f) => f.contact);
      contacts = [...contacts, ...added];
      if (household) household = [...household, ...added.filter((c) => MARKETING_KINDS.has(c.kind))];
    }
  }
  return { state, applied, firings, refused, optOuts, ...(optOuts.length ? { consent: profile?.consent } : {}) };
}
