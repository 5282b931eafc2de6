import type { CvmEvent, ExitReason } from './events.ts';
import {
  eventKey,
  holdsKey,
  idsFromLegacy,
  insertSorted,
  liveIds,
  spills,
  withKey,
  type AppliedIds,
} from './state/applied-ids.ts';
import type { RealtimeScores } from './scoring/realtime-score.ts';
import { bucketsFromFacts, type LegacyFacts } from './state/legacy-layout.ts';
import {
  countersAt,
  countersOf,
  emptyBuckets,
  isCounterName,
  pruneBuckets,
  withEvent,
  type WindowBuckets,
  type WindowedCounters,
} from './state/windowed-counters.ts';

export { eventKey } from './state/applied-ids.ts';

/**
 * A customer's real-time state, folded from events. The windowed counters come from time-bucketed
 * aggregates (state/windowed-counters.ts) and duplicates are recognised by the keys of applied
 * events (state/applied-ids.ts), so the state depends only on *which* events were applied (each
 * once) and on the platform clock, never on their order or on duplicates, at any event rate.
 */
export interface StateConfig {
  /** Duplicates arriving within this many hours of the first copy have no effect (>= 24). */
  dedupeWindowHours: number;
  /** Event keys held inside the state item; past it a customer's new keys go to id records. */
  maxSeenIds?: number;
  /** Recent message receipts kept for delivery status. */
  maxMessages?: number;
}

const HOUR = 3600;
/**
 * Set by measured write units (docs/capacity.md): a key inside the item costs 12 bytes on every
 * write of its window, an id record 2 units once (a transactional write) plus the doubled state write.
 * One event per write, keys inside vs as records: 100 events a day 5 vs 6 units, 150 a day 6 vs 6,
 * 200 a day 7.1 vs 6. 256 keys (about 120 events a day) is about where they cross.
 */
export const DEFAULT_MAX_SEEN = 256;
const DEFAULT_MAX_MESSAGES = 20;

interface Stamped {
  at: string;
  /** tie-break between events at the same instant */
  eventId: string;
}

export interface CustomerState extends WindowedCounters {
  /** The platform time the derived counters were measured at. */
  asOf: string;
  /** Keys of the events applied inside the dedupe window that the item holds, by the 6 hours they were applied in. */
  ids: AppliedIds;
  /** Epoch s until which id records (`E#<key>`) may hold live keys: until then new keys go there too. */
  idRecordsUntil?: number;
  /**
   * Keys applied since the state was loaded that go to id records: written in one transaction with
   * the state, never kept in the item.
   */
  newIdRecords?: string[];
  /** The counters' time buckets: storage only (the API shows the counters). */
  buckets: WindowBuckets;
  /** Latest data-usage reading in the current bundle. */
  data?: Stamped & { usedMb: number; bundleMb: number; usedPct: number };
  dataUsedPct: number;
  lastNps?: Stamped & { score: number; verbatim?: string };
  churn?: Stamped & { reason: ExitReason; detail?: string };
  /** The latest exit interview's answer (`customer.exit_interview`): the exit-reasons report's destination. */
  exitInterview?: Stamped & { reason: ExitReason; destinationOperator?: string; detail?: string };
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
  /**
   * The churn score the processor computed when an event moved a feature the pinned model reads
   * (scoring/realtime-score.ts): kept in this item, so re-scoring costs no write of its own.
   */
  scores?: RealtimeScores;
}

/** The state item's bookkeeping: storage only, never part of what readers see. */
type Bookkeeping = 'ids' | 'idRecordsUntil' | 'newIdRecords' | 'buckets' | 'fired';

/**
 * A customer's state as readers see it (rules' `state.*`, scoring features, signals, reports, the
 * API): the fields the processor writes, without its bookkeeping. Every field may be missing (no
 * event yet, or an item written before the field existed).
 */
export type StateView = Partial<Omit<CustomerState, Bookkeeping>>;

/**
 * The stored state item as the customer repositories hand it out: the view, plus what the readers
 * of the raw item use (the layout the API re-measures, the outbox of pending firings, the raw facts
 * of the layout before buckets).
 */
export type StoredStateView = StateView &
  Partial<Pick<CustomerState, Bookkeeping>> & {
    outbox?: unknown;
    facts?: LegacyFacts;
    seen?: Record<string, number>;
  };

type FieldKind = 'number' | 'string' | 'object' | 'status' | 'any';
/** Each field of a stored state item and its kind (complete: a field added to the state must be added here). */
const FIELD_KINDS: { readonly [K in keyof StoredStateView]-?: FieldKind } = {
  asOf: 'string',
  ids: 'object',
  idRecordsUntil: 'number',
  newIdRecords: 'object',
  buckets: 'object',
  droppedCalls24h: 'number',
  droppedCalls7d: 'number',
  droppedCalls30d: 'number',
  topups30d: 'object',
  spend30d: 'object',
  voiceSeconds30d: 'number',
  voiceCalls30d: 'number',
  careContacts30d: 'number',
  unresolvedContacts30d: 'number',
  complaints30d: 'number',
  data: 'object',
  dataUsedPct: 'number',
  lastNps: 'object',
  churn: 'object',
  exitInterview: 'object',
  acquisition: 'object',
  status: 'status',
  lastOfferResponse: 'object',
  accepted: 'object',
  messages: 'object',
  totals: 'object',
  lastEventAt: 'string',
  fired: 'object',
  scores: 'object',
  outbox: 'any',
  facts: 'object',
  seen: 'object',
};
const KIND_OF: ReadonlyMap<string, FieldKind> = new Map(Object.entries(FIELD_KINDS));

const fits = (kind: FieldKind | undefined, v: unknown): boolean =>
  v === undefined ||
  kind === undefined ||
  kind === 'any' ||
  (kind === 'status'
    ? v === 'active' || v === 'churned'
    : kind === 'object'
      ? typeof v === 'object' && v !== null
      : typeof v === kind);

/** Each known field of the kind the processor writes (their inner shapes are the processor's too). */
function isStoredStateView(item: Record<string, unknown>): item is StoredStateView {
  for (const k of Object.keys(item)) if (!fits(KIND_OF.get(k), item[k])) return false;
  return true;
}

/**
 * A stored state item (a database item without its keys) as readers take it: the item itself, or,
 * when a field is not of the kind the processor writes, the item without that field (it reads as
 * missing). Other attributes stay as they are (rules may read any `state.*` path).
 */
export function storedStateViewOf(item: Record<string, unknown>): StoredStateView {
  if (isStoredStateView(item)) return item;
  const kept = Object.fromEntries(Object.entries(item).filter(([k, v]) => fits(KIND_OF.get(k), v)));
  return isStoredStateView(kept) ? kept : {};
}

export const emptyState = (now: Date): CustomerState => ({
  asOf: now.toISOString(),
  ids: {},
  buckets: emptyBuckets(),
  droppedCalls24h: 0,
  droppedCalls7d: 0,
  droppedCalls30d: 0,
  dataUsedPct: 0,
  topups30d: { count: 0, amount: 0 },
  spend30d: { value: 0 },
  voiceSeconds30d: 0,
  voiceCalls30d: 0,
  careContacts30d: 0,
  unresolvedContacts30d: 0,
  complaints30d: 0,
  status: 'active',
  messages: {},
  totals: {},
  fired: {},
});

/**
 * A stored state item as the fold takes it: an item of the layout before buckets (raw `facts`, a
 * `seen` map of key -> time) is migrated here, and written back in the new layout by its next event.
 */
export function fromStored(stored: StoredStateView): CustomerState {
  const { seen, facts, ...rest } = stored;
  return {
    // an item of the old layout lacks the counters until measureState measures them (its callers do)
    ...(rest as CustomerState),
    ids: rest.ids ?? idsFromLegacy(seen ?? {}),
    buckets: rest.buckets ?? bucketsFromFacts(facts ?? {}),
  };
}

const epochS = (iso: string) => Math.floor(Date.parse(iso) / 1000);
const round2 = (n: number) => Math.round(n * 100) / 100;
const windowOf = (config: StateConfig) => config.dedupeWindowHours * HOUR;
const NONE: ReadonlySet<string> = new Set();

/** Later (by time, then id) wins: a commutative choice, so arrival order cannot matter. */
function newer(current: Stamped | undefined, at: string, eventId: string): boolean {
  if (!current) return true;
  const a = Date.parse(at);
  const b = Date.parse(current.at);
  return a > b || (a === b && eventId > current.eventId);
}

/** Drops expired event keys and buckets and recomputes every windowed counter at `now`. */
export function measureState(state: CustomerState, now: Date, config: StateConfig): CustomerState {
  const nowS = Math.floor(now.getTime() / 1000);
  const { idRecordsUntil, ...rest } = state;
  const buckets = pruneBuckets(state.buckets, nowS);
  return {
    ...rest,
    // records past their window hold no live key: the customer is back on the cheap path
    ...(idRecordsUntil !== undefined && idRecordsUntil > nowS ? { idRecordsUntil } : {}),
    asOf: now.toISOString(),
    ids: liveIds(state.ids, nowS, windowOf(config)),
    buckets,
    ...countersOf(buckets, nowS),
  };
}

const holds = (state: CustomerState, key: string, recorded: ReadonlySet<string>) =>
  holdsKey(state.ids, key) || recorded.has(key) || (state.newIdRecords?.includes(key) ?? false);

/**
 * True when the state already holds this event (a duplicate inside the dedupe window). `recorded`:
 * the keys among the batch's events that id records hold (read before folding).
 */
export const hasSeen = (state: CustomerState | undefined, eventId: string, recorded = NONE): boolean =>
  state !== undefined && holds(state, eventKey(eventId), recorded);

/**
 * The keys of `events` to look up in id records before folding them into `state` (measured at
 * `now`): none unless records may hold live keys, and none the item holds already.
 */
export function keysToLookUp(state: CustomerState, events: readonly CvmEvent[], now: Date): string[] {
  if ((state.idRecordsUntil ?? 0) <= Math.floor(now.getTime() / 1000)) return [];
  const keys = new Set(events.map((e) => eventKey(e.eventId)));
  return [...keys].filter((key) => !holdsKey(state.ids, key));
}

/** Where a newly applied event's key goes: into the item, or to an id record (applied-ids.ts). */
function remembered(
  state: CustomerState,
  key: string,
  nowS: number,
  config: StateConfig,
): Pick<CustomerState, 'ids' | 'idRecordsUntil' | 'newIdRecords'> {
  if (!spills(state.ids, state.idRecordsUntil, nowS, config.maxSeenIds ?? DEFAULT_MAX_SEEN))
    return { ids: withKey(state.ids, key, nowS) };
  return {
    ids: state.ids,
    idRecordsUntil: Math.max(state.idRecordsUntil ?? 0, nowS + windowOf(config)),
    newIdRecords: insertSorted(state.newIdRecords ?? [], key),
  };
}

/**
 * Folds one event into the state at platform time `now`. A duplicate (its key in the item, among
 * this fold's new id records, or in `recorded`) returns the state unchanged (the same object). An
 * event older than a window updates history (totals, latest-of fields) but not that window's counter.
 */
export function applyEvent(
  state: CustomerState | undefined,
  event: CvmEvent,
  now: Date,
  config: StateConfig,
  recorded: ReadonlySet<string> = NONE,
): CustomerState {
  const base = state ?? emptyState(now);
  const key = eventKey(event.eventId);
  if (holds(base, key, recorded)) return base;
  const nowS = Math.floor(now.getTime() / 1000);
  const at = new Date(Date.parse(event.occurredAt)).toISOString();
  const s: CustomerState = {
    ...base,
    ...remembered(base, key, nowS, config),
    buckets: withEvent(base.buckets, event, epochS(event.occurredAt), nowS),
    totals: { ...base.totals, [event.type]: (base.totals[event.type] ?? 0) + 1 },
    lastEventAt: !base.lastEventAt || Date.parse(at) > Date.parse(base.lastEventAt) ? at : base.lastEventAt,
  };
  const stamp = { at, eventId: event.eventId };
  switch (event.type) {
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
    case 'customer.exit_interview':
      if (newer(s.exitInterview, at, event.eventId)) s.exitInterview = { ...stamp, ...event.data };
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
  // Counters at `now`; expired buckets and keys are dropped by measureState (before each write).
  return { ...s, asOf: now.toISOString(), ...countersOf(s.buckets, nowS) };
}

/** Folds many events; `applied` lists those that took effect (duplicates left out). */
export function applyEvents(
  state: CustomerState | undefined,
  events: CvmEvent[],
  now: Date,
  config: StateConfig,
  recorded: ReadonlySet<string> = NONE,
): { state: CustomerState; applied: CvmEvent[] } {
  let s = state ? measureState(state, now, config) : emptyState(now);
  const applied: CvmEvent[] = [];
  for (const e of events) {
    const next = applyEvent(s, e, now, config, recorded);
    if (next !== s) applied.push(e);
    s = next;
  }
  return { state: s, applied };
}

/** Bookkeeping the API leaves out: event keys, buckets (and the raw facts of the old layout), cooldowns, outbox. */
const STORAGE_ONLY = new Set([
  'ids',
  'idRecordsUntil',
  'newIdRecords',
  'buckets',
  'seen',
  'facts',
  'fired',
  'kind',
  'version',
  'outbox',
  'expiresAt',
  'gsi1pk',
  'gsi1sk',
]);

/**
 * The dedupe window only decides which event keys a measured state keeps, and a view leaves the
 * keys out: any window gives the same view, so readers need not know the market's.
 */
const VIEW_CONFIG: StateConfig = { dedupeWindowHours: 0 };

/**
 * The state as the API shows it: counters re-measured at `now` (windows slide on between events;
 * an item of the old layout is migrated first), without the bookkeeping.
 */
export function stateView(stored: StoredStateView | undefined, now: Date): StateView {
  if (!stored) return {};
  const measured: StoredStateView =
    stored.buckets || stored.facts ? measureState(fromStored(stored), now, VIEW_CONFIG) : stored;
  return Object.fromEntries(Object.entries(measured).filter(([k]) => !STORAGE_ONLY.has(k)));
}

/** A view of a stored state item at `now`, as readers of the state take it. */
export type StateReader = (stored: StoredStateView | undefined, now: Date) => StateView;

/**
 * The state as `stateView` shows it at `now`, with only the given top-level fields (the ones a
 * reader uses, e.g. the `state.*` sources of the pinned models): the windowed counters among them
 * summed from the same buckets, exact to the same bucket edge, the other fields as stored. It skips
 * what a whole view costs (pruning buckets and event keys, copying every field of the item), which
 * is most of the time of scoring a customer whose model reads a few counters.
 */
export function fieldsView(fields: Iterable<string>): StateReader {
  const wanted = [...new Set(fields)].filter((f) => !STORAGE_ONLY.has(f));
  const counters = countersAt(wanted.filter(isCounterName));
  const stamped = wanted.includes('asOf');
  const asStored = wanted.filter((f) => f !== 'asOf' && !isCounterName(f));
  const copy = (stored: StoredStateView, names: readonly string[], view: Record<string, unknown>) => {
    for (const f of names) if (Object.hasOwn(stored, f)) view[f] = stored[f as keyof StoredStateView];
    return view as StateView;
  };
  return (stored, now) => {
    if (!stored) return {};
    const buckets = stored.buckets ?? (stored.facts ? bucketsFromFacts(stored.facts) : undefined);
    // an item without buckets or facts is shown as stored, counters and all
    if (!buckets) return copy(stored, wanted, {});
    const view = copy(stored, asStored, stamped ? { asOf: now.toISOString() } : {});
    return Object.assign(view, counters(buckets, Math.floor(now.getTime() / 1000)));
  };
}
