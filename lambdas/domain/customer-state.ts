import { createHash } from 'node:crypto';
import type { CvmEvent, ExitReason } from './events.ts';

/**
 * A customer's real-time state, folded from events. Counters are derived from a bounded set of
 * recent event facts keyed by event time, so the state depends only on *which* events were
 * applied (each once) and on the platform clock, never on their order or on duplicates.
 */
export interface StateConfig {
  /** Duplicates arriving within this many hours of the first copy have no effect (>= 24). */
  dedupeWindowHours: number;
  /** Upper bound on remembered event ids; keeps the state item small. */
  maxSeenIds?: number;
  /** Recent message receipts kept for delivery status. */
  maxMessages?: number;
}

const HOUR = 3600;
const DAY = 24 * HOUR;
export const WINDOWS = { h24: DAY, d7: 7 * DAY, d30: 30 * DAY } as const;
const DEFAULT_MAX_SEEN = 2000;
const DEFAULT_MAX_MESSAGES = 20;
const MAX_FACTS = 500;

/** Event facts inside their longest window: [occurredAt epoch s, ...payload]. */
export interface StateFacts {
  dropped: number[];
  /** [t, amount] */
  topups: [number, number][];
  /** [t, amount, paid 0/1] */
  invoices: [number, number, number][];
  /** [t, unresolved 0/1] */
  care: [number, number][];
  /** [t, seconds] */
  voice: [number, number][];
}

interface Stamped {
  at: string;
  /** tie-break between events at the same instant */
  eventId: string;
}

export interface CustomerState {
  /** The platform time the derived counters were measured at. */
  asOf: string;
  /** short hash of eventId -> epoch s when first applied (the dedupe window). */
  seen: Record<string, number>;
  facts: StateFacts;
  droppedCalls24h: number;
  droppedCalls7d: number;
  /** Latest data-usage reading in the current bundle. */
  data?: Stamped & { usedMb: number; bundleMb: number; usedPct: number };
  dataUsedPct: number;
  topups30d: { count: number; amount: number };
  spend30d: { value: number };
  voiceSeconds30d: number;
  careContacts30d: number;
  unresolvedContacts30d: number;
  lastNps?: Stamped & { score: number; verbatim?: string };
  churn?: Stamped & { reason: ExitReason; detail?: string };
  acquisition?: Stamped & { channel: string; tariff: string; promotion?: string; dealer?: string };
  status: 'active' | 'churned';
  lastOfferResponse?: Stamped & { actionId: string; response: string; decisionId?: string };
  /** actionId -> when the customer last accepted it (campaign take-up; bounded by the catalog). */
  accepted?: Record<string, string>;
  /** messageId -> latest delivery receipt (newest few only). */
  messages: Record<string, Stamped & { status: 'delivered' | 'failed' }>;
  /** All events ever applied, by type: history, including events older than every window. */
  totals: Record<string, number>;
  lastEventAt?: string;
  /** triggerId -> epoch ms of its last firing (cooldowns); written by trigger evaluation. */
  fired: Record<string, number>;
}

export const emptyState = (now: Date): CustomerState => ({
  asOf: now.toISOString(),
  seen: {},
  facts: { dropped: [], topups: [], invoices: [], care: [], voice: [] },
  droppedCalls24h: 0,
  droppedCalls7d: 0,
  dataUsedPct: 0,
  topups30d: { count: 0, amount: 0 },
  spend30d: { value: 0 },
  voiceSeconds30d: 0,
  careContacts30d: 0,
  unresolvedContacts30d: 0,
  status: 'active',
  messages: {},
  totals: {},
  fired: {},
});

/** 72 bits of SHA-256: collisions among one customer's recent events are out of reach. */
export const eventKey = (eventId: string): string =>
  createHash('sha256').update(eventId).digest('base64url').slice(0, 12);

const epochS = (iso: string) => Math.floor(Date.parse(iso) / 1000);
const round2 = (n: number) => Math.round(n * 100) / 100;

/** Later (by time, then id) wins: a commutative choice, so arrival order cannot matter. */
function newer(current: Stamped | undefined, at: string, eventId: string): boolean {
  if (!current) return true;
  const a = Date.parse(at);
  const b = Date.parse(current.at);
  return a > b || (a === b && eventId > current.eventId);
}

const factKey = (f: number | number[]): number[] => (Array.isArray(f) ? f : [f]);
function compareFacts(x: number | number[], y: number | number[]): number {
  const a = factKey(x);
  const b = factKey(y);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Facts as a canonical sorted list (binary insertion), newest MAX_FACTS only. */
function addFact<T extends number | number[]>(list: T[], fact: T): T[] {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareFacts(list[mid]!, fact) <= 0) lo = mid + 1;
    else hi = mid;
  }
  const next = [...list.slice(0, lo), fact, ...list.slice(lo)];
  return next.length > MAX_FACTS ? next.slice(next.length - MAX_FACTS) : next;
}

const within = (t: number, nowS: number, window: number) => t > nowS - window;

/** The windowed counters of `facts` at `nowS`. */
function counted(state: CustomerState, facts: StateFacts, nowS: number): CustomerState {
  let dropped24h = 0;
  let dropped7d = 0;
  for (const t of facts.dropped) {
    if (!within(t, nowS, WINDOWS.d7)) continue;
    dropped7d++;
    if (within(t, nowS, WINDOWS.h24)) dropped24h++;
  }
  let topups = 0;
  let topupAmount = 0;
  for (const [t, a] of facts.topups)
    if (within(t, nowS, WINDOWS.d30)) {
      topups++;
      topupAmount += a;
    }
  let paid = 0;
  for (const [t, a, p] of facts.invoices) if (p && within(t, nowS, WINDOWS.d30)) paid += a;
  let care = 0;
  let unresolved = 0;
  for (const [t, u] of facts.care)
    if (within(t, nowS, WINDOWS.d30)) {
      care++;
      unresolved += u;
    }
  let voice = 0;
  for (const [t, v] of facts.voice) if (within(t, nowS, WINDOWS.d30)) voice += v;
  return {
    ...state,
    facts,
    droppedCalls24h: dropped24h,
    droppedCalls7d: dropped7d,
    topups30d: { count: topups, amount: round2(topupAmount) },
    spend30d: { value: round2(round2(topupAmount) + round2(paid)) },
    voiceSeconds30d: voice,
    careContacts30d: care,
    unresolvedContacts30d: unresolved,
  };
}

/** Drops expired facts and event ids and recomputes every windowed counter at `now`. */
export function measureState(state: CustomerState, now: Date, config: StateConfig): CustomerState {
  const nowS = Math.floor(now.getTime() / 1000);
  const f = state.facts;
  const facts: StateFacts = {
    dropped: f.dropped.filter((t) => within(t, nowS, WINDOWS.d7)),
    topups: f.topups.filter(([t]) => within(t, nowS, WINDOWS.d30)),
    invoices: f.invoices.filter(([t]) => within(t, nowS, WINDOWS.d30)),
    care: f.care.filter(([t]) => within(t, nowS, WINDOWS.d30)),
    voice: f.voice.filter(([t]) => within(t, nowS, WINDOWS.d30)),
  };
  const windowS = config.dedupeWindowHours * HOUR;
  let seen = Object.entries(state.seen).filter(([, t]) => t > nowS - windowS);
  const maxSeen = config.maxSeenIds ?? DEFAULT_MAX_SEEN;
  if (seen.length > maxSeen) seen = seen.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, maxSeen);
  return counted({ ...state, asOf: now.toISOString(), seen: Object.fromEntries(seen) }, facts, nowS);
}

/** True when the state already holds this event (a duplicate inside the dedupe window). */
export const hasSeen = (state: CustomerState | undefined, eventId: string): boolean =>
  state !== undefined && state.seen[eventKey(eventId)] !== undefined;

/**
 * Folds one event into the state at platform time `now`. A duplicate returns the state unchanged
 * (the same object). An event older than a window updates history (totals, latest-of fields)
 * but not that window's counter.
 */
export function applyEvent(
  state: CustomerState | undefined,
  event: CvmEvent,
  now: Date,
  config: StateConfig,
): CustomerState {
  const base = state ?? emptyState(now);
  const key = eventKey(event.eventId);
  if (base.seen[key] !== undefined) return base;
  const nowS = Math.floor(now.getTime() / 1000);
  const t = epochS(event.occurredAt);
  const at = new Date(Date.parse(event.occurredAt)).toISOString();
  const s: CustomerState = {
    ...base,
    seen: { ...base.seen, [key]: nowS },
    facts: { ...base.facts },
    totals: { ...base.totals, [event.type]: (base.totals[event.type] ?? 0) + 1 },
    lastEventAt: !base.lastEventAt || Date.parse(at) > Date.parse(base.lastEventAt) ? at : base.lastEventAt,
  };
  const stamp = { at, eventId: event.eventId };
  switch (event.type) {
    case 'network.call_dropped':
      if (within(t, nowS, WINDOWS.d7)) s.facts.dropped = addFact(s.facts.dropped, t);
      break;
    case 'billing.topup':
      if (within(t, nowS, WINDOWS.d30)) s.facts.topups = addFact(s.facts.topups, [t, event.data.amount]);
      break;
    case 'billing.invoice':
      if (within(t, nowS, WINDOWS.d30))
        s.facts.invoices = addFact(s.facts.invoices, [t, event.data.amount, event.data.paid ? 1 : 0]);
      break;
    case 'care.contact':
      if (within(t, nowS, WINDOWS.d30))
        s.facts.care = addFact(s.facts.care, [t, event.data.resolvedFirstContact ? 0 : 1]);
      break;
    case 'usage.voice':
      if (within(t, nowS, WINDOWS.d30)) s.facts.voice = addFact(s.facts.voice, [t, event.data.seconds]);
      break;
    case 'usage.data': {
      if (newer(s.data, at, event.eventId)) {
        const { usedMb, bundleMb } = event.data;
        s.data = { ...stamp, usedMb, bundleMb, usedPct: bundleMb > 0 ? round2((usedMb / bundleMb) * 100) : 0 };
        s.dataUsedPct = s.data.usedPct;
      }
      break;
    }
    case 'survey.nps':
      if (newer(s.lastNps, at, event.eventId)) {
        s.lastNps = {
          ...stamp,
          score: event.data.score,
          ...(event.data.verbatim ? { verbatim: event.data.verbatim } : {}),
        };
      }
      break;
    case 'customer.churned':
      if (newer(s.churn, at, event.eventId))
        s.churn = { ...stamp, reason: event.data.reason, ...(event.data.detail ? { detail: event.data.detail } : {}) };
      break;
    case 'customer.acquired':
      if (newer(s.acquisition, at, event.eventId)) s.acquisition = { ...stamp, ...event.data };
      break;
    case 'offer.response':
      if (newer(s.lastOfferResponse, at, event.eventId)) s.lastOfferResponse = { ...stamp, ...event.data };
      if (event.data.response === 'accepted') {
        const prev = s.accepted?.[event.data.actionId];
        if (!prev || Date.parse(at) > Date.parse(prev)) s.accepted = { ...s.accepted, [event.data.actionId]: at };
      }
      break;
    case 'message.delivered':
    case 'message.failed': {
      const id = event.data.messageId;
      if (newer(s.messages[id], at, event.eventId)) {
        const status = event.type === 'message.delivered' ? 'delivered' : 'failed';
        const all = Object.entries({ ...s.messages, [id]: { ...stamp, status } as CustomerState['messages'][string] });
        const keep = config.maxMessages ?? DEFAULT_MAX_MESSAGES;
        all.sort(([, a], [, b]) => Date.parse(b.at) - Date.parse(a.at) || (b.eventId > a.eventId ? 1 : -1));
        s.messages = Object.fromEntries(all.slice(0, keep));
      }
      break;
    }
  }
  s.status = s.churn && (!s.acquisition || newer(s.acquisition, s.churn.at, s.churn.eventId)) ? 'churned' : 'active';
  // Counters at `now`; expired facts and ids are dropped by measureState (before each write).
  return counted({ ...s, asOf: now.toISOString() }, s.facts, nowS);
}

/** Folds many events; `applied` lists those that took effect (duplicates left out). */
export function applyEvents(
  state: CustomerState | undefined,
  events: CvmEvent[],
  now: Date,
  config: StateConfig,
): { state: CustomerState; applied: CvmEvent[] } {
  let s = state ? measureState(state, now, config) : emptyState(now);
  const applied: CvmEvent[] = [];
  for (const e of events) {
    const next = applyEvent(s, e, now, config);
    if (next !== s) applied.push(e);
    s = next;
  }
  return { state: s, applied };
}

const STORAGE_ONLY = new Set(['seen', 'facts', 'fired', 'kind', 'version', 'outbox', 'expiresAt']);

/**
 * The state as the API shows it: counters re-measured at `now` (windows slide on between
 * events), without the bookkeeping (event ids, raw facts, cooldowns, outbox).
 */
export function stateView(
  stored: Record<string, unknown> | undefined,
  now: Date,
  config: StateConfig,
): Record<string, unknown> {
  if (!stored) return {};
  const measured =
    stored['facts'] && stored['seen']
      ? (measureState(stored as unknown as CustomerState, now, config) as unknown as Record<string, unknown>)
      : stored;
  return Object.fromEntries(Object.entries(measured).filter(([k]) => !STORAGE_ONLY.has(k)));
}
