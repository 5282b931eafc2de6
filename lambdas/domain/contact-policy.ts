import type { Action, ContactRecord } from './action.ts';
import {
  consentAllows,
  isQuietTime,
  MARKETING_KINDS,
  nextAllowedTime,
  type ActionKind,
  type QuietHours,
} from './contact-window.ts';
import type { Channel } from './customer.ts';

/**
 * The one contact policy: decisions (inbound and outbound), triggers and campaigns all ask it,
 * over one ledger of ContactRecords (the customer's `H#` items). Pure: data in, verdict out.
 */
export interface ContactWindow {
  max: number;
  days: number;
}

export interface ContactPolicy {
  timeZone: string;
  quietHours: QuietHours;
  /** Channels that are always outbound; call-centre is outbound only when the request says so. */
  outboundChannels: Channel[];
  /** Marketing contacts (offers, retention) per customer per channel. */
  perChannel: Partial<Record<Channel, ContactWindow>>;
  /** Marketing contacts per customer over all channels. */
  overall?: ContactWindow;
  /** Marketing contacts per household over all channels (when the caller has the household's ledger). */
  household?: ContactWindow;
  /** An action declined by the customer is not offered again for this many days. */
  declineSuppressionDays: number;
  /** Mandatory actions skip frequency limits and suppression (never consent or quiet hours). */
  mandatoryExempt: boolean;
}

export type Direction = 'inbound' | 'outbound';

export interface ContactRequest {
  action: Pick<Action, 'actionId' | 'kind' | 'limits' | 'mandatory'>;
  channel: Channel;
  direction: Direction;
  consent: Partial<Record<Channel, boolean>> | undefined;
  now: Date;
}

export interface Reason {
  code: string;
  detail: string;
}
export type Verdict = { allowed: true; sendAfter?: string } | { allowed: false; reason: Reason };

const DAY_MS = 86_400_000;

export const isOutbound = (
  channel: Channel,
  direction: Direction | undefined,
  policy: Pick<ContactPolicy, 'outboundChannels'>,
): boolean => direction === 'outbound' || policy.outboundChannels.includes(channel);

const marketing = (c: ContactRecord) => MARKETING_KINDS.has(c.kind as ActionKind);

const denied = (code: string, detail: string): Verdict => ({ allowed: false, reason: { code, detail } });

/** Most verdicts: one frozen object rather than one per action asked about. */
const ALLOWED: Verdict = Object.freeze({ allowed: true });

/**
 * A history indexed once for one instant: contact times by action, by action and channel, and of
 * marketing contacts by channel and overall, plus the latest decline per action. The pipeline asks
 * the policy once per catalog action over the same history, so counting from these lists instead
 * of filtering the whole history per limit keeps a 50-action decision linear in the history.
 */
interface Ledger {
  nowMs: number;
  size: number;
  /** Contact times (ms, later ones as now) of each action. */
  byAction: Map<string, number[]>;
  byActionChannel: Map<string, Map<string, number[]>>;
  marketingByChannel: Map<string, number[]>;
  marketing: number[];
  /** Latest decline per action (respondedAt, else at; later ones as now). */
  declined: Map<string, { ms: number; at: string }>;
  /** The marketing windows last counted over this ledger, and what they were counted for. */
  windows?: { channel: Channel; policy: ContactPolicy; household: Ledger | undefined; list: MarketingWindow[] };
}

const ledgers = new WeakMap<readonly ContactRecord[], Ledger>();

function push<K>(map: Map<K, number[]>, key: K, ms: number) {
  const list = map.get(key);
  if (list) list.push(ms);
  else map.set(key, [ms]);
}

// the pipeline asks with one history ~50 times in a row: the last one is checked before the WeakMap
let lastHistory: readonly ContactRecord[] | undefined;
let lastLedger: Ledger | undefined;

function ledgerOf(history: readonly ContactRecord[], now: Date): Ledger {
  const nowMs = now.getTime();
  const cached = history === lastHistory ? lastLedger : ledgers.get(history);
  // callers may append to the same array between asks (e.g. two triggers in one batch)
  if (cached && cached.nowMs === nowMs && cached.size === history.length) {
    lastHistory = history;
    lastLedger = cached;
    return cached;
  }
  const ledger: Ledger = {
    nowMs,
    size: history.length,
    byAction: new Map(),
    byActionChannel: new Map(),
    marketingByChannel: new Map(),
    marketing: [],
    declined: new Map(),
  };
  // A contact dated after now is already committed (a hand-off deferred past quiet hours, or
  // another handler's clock a little ahead): it counts as made now.
  for (const c of history) {
    if (c.response === 'declined') {
      const at = c.respondedAt ?? c.at;
      const ms = Math.min(Date.parse(at), nowMs);
      const prev = ledger.declined.get(c.actionId);
      if (!prev || ms > prev.ms) ledger.declined.set(c.actionId, { ms, at });
    }
    const ms = Math.min(Date.parse(c.at), nowMs);
    if (Number.isNaN(ms)) continue;
    push(ledger.byAction, c.actionId, ms);
    let channels = ledger.byActionChannel.get(c.actionId);
    if (!channels) ledger.byActionChannel.set(c.actionId, (channels = new Map()));
    push(channels, c.channel, ms);
    if (marketing(c)) {
      push(ledger.marketingByChannel, c.channel, ms);
      ledger.marketing.push(ms);
    }
  }
  ledgers.set(history, ledger);
  lastHistory = history;
  lastLedger = ledger;
  return ledger;
}

/** Contacts among `times` in the `days` before now (now included, the window's start excluded). */
function countWithin(ledger: Ledger, times: readonly number[] | undefined, days: number): number {
  if (!times) return 0;
  const span = days * DAY_MS;
  let n = 0;
  for (const ms of times) if (ledger.nowMs - ms < span) n++;
  return n;
}

/**
 * `allowed` for an inbound contact now; for outbound during quiet hours it is refused (the caller
 * may instead schedule at `nextAllowedTime`, which `deferQuietHours` gives as `sendAfter`).
 */
export function contactAllowed(
  history: readonly ContactRecord[],
  req: ContactRequest,
  policy: ContactPolicy,
  opts: { householdHistory?: readonly ContactRecord[]; deferQuietHours?: boolean } = {},
): Verdict {
  const { action, channel, now } = req;
  if (!consentAllows(action.kind, channel, req.consent)) {
    return denied('no-consent', MARKETING_KINDS.has(action.kind) ? `no opt-in for ${channel}` : `${channel} opted out`);
  }
  let sendAfter: string | undefined;
  if (isOutbound(channel, req.direction, policy) && isQuietTime(now, policy.timeZone, policy.quietHours)) {
    const next = nextAllowedTime(now, policy.timeZone, policy.quietHours).toISOString();
    if (!opts.deferQuietHours) return denied('quiet-hours', `outbound ${channel} waits until ${next}`);
    sendAfter = next;
  }
  const ok: Verdict = sendAfter ? { allowed: true, sendAfter } : ALLOWED;
  if (action.mandatory && policy.mandatoryExempt) return ok;

  const ledger = ledgerOf(history, now);
  const declined = ledger.declined.get(action.actionId);
  if (declined && ledger.nowMs - declined.ms < policy.declineSuppressionDays * DAY_MS) {
    return denied(
      'declined-recently',
      `declined ${declined.at.slice(0, 10)}; suppressed ${policy.declineSuppressionDays} d`,
    );
  }

  for (const limit of action.limits.perCustomer) {
    const times = limit.channel
      ? ledger.byActionChannel.get(action.actionId)?.get(limit.channel)
      : ledger.byAction.get(action.actionId);
    const used = countWithin(ledger, times, limit.days);
    if (used >= limit.max)
      return denied(
        'action-limit',
        `${used}/${limit.max} in ${limit.days} d${limit.channel ? ` on ${limit.channel}` : ''}`,
      );
  }

  if (!MARKETING_KINDS.has(action.kind)) return ok;
  const full = marketingWindows(ledger, channel, now, policy, opts.householdHistory).find(
    (w) => w.used >= w.window.max,
  );
  return full ? denied(full.code, `${full.used}/${full.window.max} ${full.what} in ${full.window.days} d`) : ok;
}

interface MarketingWindow {
  code: string;
  what: string;
  window: ContactWindow;
  used: number;
}

/**
 * The marketing windows that apply on a channel, in the order they are checked, with their use.
 * The same for every marketing action of one ask of the pipeline, so counted once per ledger,
 * channel, policy and household ledger (callers only read the list).
 */
function marketingWindows(
  ledger: Ledger,
  channel: Channel,
  now: Date,
  policy: ContactPolicy,
  householdHistory?: readonly ContactRecord[],
): readonly MarketingWindow[] {
  const household = policy.household && householdHistory ? ledgerOf(householdHistory, now) : undefined;
  const cached = ledger.windows;
  if (cached && cached.channel === channel && cached.policy === policy && cached.household === household)
    return cached.list;
  const out: MarketingWindow[] = [];
  const perChannel = policy.perChannel[channel];
  if (perChannel)
    out.push({
      code: 'channel-limit',
      what: `${channel} contacts`,
      window: perChannel,
      used: countWithin(ledger, ledger.marketingByChannel.get(channel), perChannel.days),
    });
  if (policy.overall)
    out.push({
      code: 'overall-limit',
      what: 'contacts',
      window: policy.overall,
      used: countWithin(ledger, ledger.marketing, policy.overall.days),
    });
  if (policy.household && household) {
    out.push({
      code: 'household-limit',
      what: 'household contacts',
      window: policy.household,
      used: countWithin(ledger, household.marketing, policy.household.days),
    });
  }
  ledger.windows = { channel, policy, household, list: out };
  return out;
}

/**
 * How many more marketing contacts one answer may carry on this channel: each action is allowed
 * against the history before the answer, so an answer of several offers must also fit, together,
 * in what is left of the channel, overall and household windows. `reason` names the binding one.
 */
export function marketingRoom(
  history: readonly ContactRecord[],
  channel: Channel,
  now: Date,
  policy: ContactPolicy,
  householdHistory?: readonly ContactRecord[],
): { room: number; reason: Reason } {
  let best = { room: Infinity, reason: { code: 'no-limit', detail: 'no marketing limit applies' } };
  for (const w of marketingWindows(ledgerOf(history, now), channel, now, policy, householdHistory)) {
    const room = Math.max(0, w.window.max - w.used);
    if (room < best.room)
      best = {
        room,
        reason: {
          code: w.code,
          detail: `${w.window.max}/${w.window.max} ${w.what} in ${w.window.days} d with this answer`,
        },
      };
  }
  return best;
}

const EPOCH = new Date(0).toISOString();

/**
 * A decline reported as an `offer.response` event lives only in the customer's folded state
 * (`lastOfferResponse`), not in the ledger. As a record dated at the epoch it sits outside every
 * frequency window, so it counts for decline suppression (which reads `respondedAt`) and nothing
 * else; its channel is never read. Decisions and triggers both add it to the ledger they ask with.
 */
export function reportedDecline(
  last: { eventId?: string; actionId?: string; response?: string; at?: string } | undefined,
): ContactRecord | undefined {
  if (last?.response !== 'declined' || typeof last.actionId !== 'string' || typeof last.at !== 'string')
    return undefined;
  return {
    id: `response:${last.eventId ?? last.at}`,
    at: EPOCH,
    channel: 'sms',
    actionId: last.actionId,
    kind: 'offer',
    source: 'trigger',
    response: 'declined',
    respondedAt: last.at,
  };
}

/**
 * How far back the policy looks, in days: the longest of its windows, the decline suppression
 * and the catalog's per-customer limits. A history read shorter than this would let limits be
 * exceeded, so the decision path reads exactly this much of the ledger.
 */
export function historyDays(policy: ContactPolicy, actions: readonly Pick<Action, 'limits'>[]): number {
  let days = policy.declineSuppressionDays;
  for (const w of Object.values(policy.perChannel)) if (w) days = Math.max(days, w.days);
  if (policy.overall) days = Math.max(days, policy.overall.days);
  if (policy.household) days = Math.max(days, policy.household.days);
  for (const a of actions) for (const l of a.limits.perCustomer) days = Math.max(days, l.days);
  return days;
}

/** The start of the history the policy reads at `now` (ISO, comparable with ledger `at`s). */
export const historySince = (now: Date, days: number): string => new Date(now.getTime() - days * DAY_MS).toISOString();

/**
 * The ledger from the customer's stored `H#` items: a decision's contact item expands to one
 * record per action it offered; a trigger or campaign item that is itself a ContactRecord passes as is.
 */
export function contactsOf(items: readonly Record<string, unknown>[]): ContactRecord[] {
  const out: ContactRecord[] = [];
  for (const item of items) {
    const offers = item['offers'];
    if (Array.isArray(offers)) {
      for (const o of offers as Array<Record<string, unknown>>) {
        out.push({
          id: String(item['id']),
          at: String(item['at']),
          channel: item['channel'] as Channel,
          actionId: String(o['actionId']),
          kind: o['kind'] as ActionKind,
          source: 'decision',
          ...(o['response'] ? { response: o['response'] as ContactRecord['response'] } : {}),
          ...(o['respondedAt'] ? { respondedAt: String(o['respondedAt']) } : {}),
        });
      }
    } else if (
      typeof item['actionId'] === 'string' &&
      typeof item['at'] === 'string' &&
      typeof item['channel'] === 'string'
    ) {
      out.push(item as unknown as ContactRecord);
    }
  }
  return out;
}

/** The market's starting point; each market config may override any part. */
export const DEFAULT_CONTACT_LIMITS = {
  outboundChannels: ['sms', 'push', 'email'],
  perChannel: {
    sms: { max: 3, days: 7 },
    push: { max: 5, days: 7 },
    email: { max: 3, days: 7 },
    'call-centre': { max: 6, days: 7 },
    ussd: { max: 30, days: 7 },
    app: { max: 30, days: 7 },
    retail: { max: 10, days: 7 },
  },
  overall: { max: 40, days: 7 },
  household: { max: 60, days: 7 },
  declineSuppressionDays: 30,
  mandatoryExempt: true,
} satisfies Pick<
  ContactPolicy,
  'outboundChannels' | 'perChannel' | 'overall' | 'household' | 'declineSuppressionDays' | 'mandatoryExempt'
>;

/** The platform defaults in a market's time zone and quiet hours: the policy of a market config that overrides nothing. */
export const defaultContactPolicy = (market: { timezone: string; quietHours: QuietHours }): ContactPolicy => ({
  timeZone: market.timezone,
  quietHours: market.quietHours,
  ...DEFAULT_CONTACT_LIMITS,
});
