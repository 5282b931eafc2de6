import type { Action, ContactRecord } from './action.ts';
import type { ContactPolicy } from './contact-policy.ts';
import { MARKETING_KINDS, type ActionKind } from './contact-window.ts';
import type { Channel } from './customer.ts';

/**
 * The contact ledger: what the contact policy counts of one customer (or one household), kept
 * bounded by the policy's limits rather than by time or history. Every writer (a decision, a
 * trigger firing, a campaign contact, a response) changes it only by a write conditional on its
 * `version`, so no interleaving can pass a limit: whoever loses the race reads again and asks the
 * policy again. Pure: the adapters store it, this module says what it holds.
 */

/** One contact: a decision's answer (one or more actions), a trigger firing or a campaign hand-off. */
export interface LedgerContact {
  /** The decision id or the hand-off's message id: a contact committed twice counts once. */
  id: string;
  at: string;
  channel: Channel;
  source: ContactRecord['source'];
  actions: readonly { actionId: string; kind: ActionKind }[];
}

export interface ContactLedger {
  /** Newest first; only contacts some limit can still count (see `withContacts`). */
  contacts: readonly LedgerContact[];
  /** Action id -> the customer's latest decline (ISO), while it suppresses the action. */
  declined: Readonly<Record<string, string>>;
  /** Action id -> the customer's latest acceptance (ISO): a campaign's take-up reads it. */
  accepted: Readonly<Record<string, string>>;
}

/** A ledger as read, with the version its next write is conditional on. */
export interface StoredLedger {
  ledger: ContactLedger;
  /** 0: none stored yet (the first write creates it). */
  version: number;
  /** Built from the customer's `H#` items of before the ledger (item 6): the first commit stores it. */
  fromLegacy?: boolean;
}

/** What one limit counts: an action's contacts (optionally on one channel), or marketing ones. */
export type LimitScope =
  | { of: 'action'; actionId: string; channel?: Channel }
  | { of: 'channel'; channel: Channel }
  | { of: 'marketing' };

export interface CountedLimit {
  scope: LimitScope;
  max: number;
  days: number;
}

/** Every limit a ledger must be able to count, and how long responses matter. */
export interface LedgerBounds {
  limits: readonly CountedLimit[];
  /** A decline suppresses its action this long (the policy's declineSuppressionDays). */
  declineDays: number;
  /** An acceptance is kept this long for campaign take-up. */
  acceptDays: number;
}

const DAY_MS = 86_400_000;

/**
 * Acceptances are kept 180 days (the default decision log retention): long enough for any
 * campaign's response window, and one per action whatever the number of responses.
 */
export const ACCEPT_DAYS = 180;

export const emptyLedger = (): ContactLedger => ({ contacts: [], declined: {}, accepted: {} });

export const noLedger = (): StoredLedger => ({ ledger: emptyLedger(), version: 0 });

/** The limits a customer's ledger answers for: the policy's channel and overall windows and the catalog's per-customer limits. */
export function customerBounds(
  policy: ContactPolicy,
  actions: readonly Pick<Action, 'actionId' | 'limits'>[],
): LedgerBounds {
  const limits: CountedLimit[] = [];
  for (const [channel, w] of Object.entries(policy.perChannel))
    if (w) limits.push({ scope: { of: 'channel', channel: channel as Channel }, max: w.max, days: w.days });
  if (policy.overall) limits.push({ scope: { of: 'marketing' }, ...policy.overall });
  for (const a of actions)
    for (const l of a.limits.perCustomer)
      limits.push({
        scope: { of: 'action', actionId: a.actionId, ...(l.channel ? { channel: l.channel } : {}) },
        max: l.max,
        days: l.days,
      });
  return { limits, declineDays: policy.declineSuppressionDays, acceptDays: ACCEPT_DAYS };
}

/** A household's ledger holds its members' marketing contacts for the household cap alone. */
export const householdBounds = (policy: ContactPolicy): LedgerBounds => ({
  limits: policy.household ? [{ scope: { of: 'marketing' }, ...policy.household }] : [],
  declineDays: 0,
  acceptDays: 0,
});

/** How far back a ledger reaches, in days: what a ledger built from older items must read. */
export function horizonDays(bounds: LedgerBounds): number {
  let days = bounds.declineDays;
  for (const l of bounds.limits) days = Math.max(days, l.days);
  return days;
}

const isMarketing = (kind: ActionKind) => MARKETING_KINDS.has(kind);

/** A contact dated after now (a hand-off deferred past quiet hours) counts as made now, as the policy counts it. */
const ageOf = (at: string, nowMs: number) => Math.max(0, nowMs - Date.parse(at));

const newestFirst = (a: LedgerContact, b: LedgerContact) => (a.at < b.at ? 1 : a.at > b.at ? -1 : a.id < b.id ? -1 : 1);

/** Each limit's index in its bounds, by what a contact's action must be for the limit to count it. */
interface LimitIndex {
  limits: readonly CountedLimit[];
  marketing: number[];
  byChannel: Map<Channel, number[]>;
  byAction: Map<string, number[]>;
}

const limitIndexes = new WeakMap<LedgerBounds, LimitIndex>();

function addTo<K>(map: Map<K, number[]>, key: K, i: number) {
  const list = map.get(key);
  if (list) list.push(i);
  else map.set(key, [i]);
}

const bump = (counts: Map<number, number>, i: number) => counts.set(i, (counts.get(i) ?? 0) + 1);

function limitIndexOf(bounds: LedgerBounds): LimitIndex {
  const cached = limitIndexes.get(bounds);
  if (cached?.limits === bounds.limits) return cached;
  const index: LimitIndex = { limits: bounds.limits, marketing: [], byChannel: new Map(), byAction: new Map() };
  bounds.limits.forEach(({ scope }, i) => {
    if (scope.of === 'marketing') index.marketing.push(i);
    else if (scope.of === 'channel') addTo(index.byChannel, scope.channel, i);
    else addTo(index.byAction, scope.actionId, i);
  });
  limitIndexes.set(bounds, index);
  return index;
}

/**
 * Keeps, for each limit, its newest contacts inside its window up to its `max` (a limit can never
 * count more), and drops every other: a full limit stays full and one with room keeps each
 * contact it counts, so the policy answers over the pruned ledger as over the whole history, and
 * the ledger holds at most the sum of the limits' maxima whatever the customer's history. (A limit
 * raised later counts only what the old one kept.)
 */
function pruned(contacts: readonly LedgerContact[], bounds: LedgerBounds, nowMs: number): LedgerContact[] {
  // a catalog's bounds hold a limit per action: a contact is checked against the few that can count it, not all
  const index = limitIndexOf(bounds);
  // by limit index, only for the limits some contact touched
  const used = new Map<number, number>();
  const counts = new Map<number, number>();
  const kept: LedgerContact[] = [];
  for (const c of [...contacts].sort(newestFirst)) {
    for (const a of c.actions) {
      if (isMarketing(a.kind)) {
        for (const i of index.marketing) bump(counts, i);
        for (const i of index.byChannel.get(c.channel) ?? []) bump(counts, i);
      }
      for (const i of index.byAction.get(a.actionId) ?? []) {
        const { scope } = bounds.limits[i]!;
        if (scope.of === 'action' && (!scope.channel || scope.channel === c.channel)) bump(counts, i);
      }
    }
    const age = ageOf(c.at, nowMs);
    let needed = false;
    for (const [i, n] of counts) {
      const limit = bounds.limits[i]!;
      if (age >= limit.days * DAY_MS) continue;
      const u = used.get(i) ?? 0;
      if (u < limit.max) needed = true;
      used.set(i, u + n);
    }
    counts.clear();
    if (needed) kept.push(c);
  }
  return kept;
}

/** Responses older than `days` at `nowMs` dropped: they suppress nothing and measure nothing any more. */
function recent(responses: Readonly<Record<string, string>>, days: number, nowMs: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [actionId, at] of Object.entries(responses)) if (ageOf(at, nowMs) < days * DAY_MS) out[actionId] = at;
  return out;
}

/** The ledger with `added` contacts (those whose id it holds already count once) and pruned to its bounds at `now`. */
export function withContacts(
  ledger: ContactLedger,
  added: readonly LedgerContact[],
  bounds: LedgerBounds,
  now: Date,
): ContactLedger {
  const ids = new Set(ledger.contacts.map((c) => c.id));
  const nowMs = now.getTime();
  return {
    contacts: pruned([...ledger.contacts, ...added.filter((c) => !ids.has(c.id))], bounds, nowMs),
    declined: recent(ledger.declined, bounds.declineDays, nowMs),
    accepted: recent(ledger.accepted, bounds.acceptDays, nowMs),
  };
}

/** Whether every one of `contacts` is in the ledger already (a retried commit has nothing to add). */
export const holdsAll = (ledger: ContactLedger, contacts: readonly LedgerContact[]): boolean =>
  contacts.every((c) => ledger.contacts.some((k) => k.id === c.id));

/** The part of a contact a household's ledger counts (its marketing actions), or undefined. */
export function marketingPart(c: LedgerContact): LedgerContact | undefined {
  const actions = c.actions.filter((a) => isMarketing(a.kind));
  return actions.length ? { ...c, actions } : undefined;
}

/** A response as the ledger keeps it: the latest decline or acceptance per action. */
export function withResponse(
  ledger: ContactLedger,
  actionId: string,
  response: 'accepted' | 'declined' | 'ignored',
  at: string,
): ContactLedger {
  if (response === 'declined') return { ...ledger, declined: { ...ledger.declined, [actionId]: at } };
  if (response === 'accepted') return { ...ledger, accepted: { ...ledger.accepted, [actionId]: at } };
  return ledger;
}

const EPOCH = new Date(0).toISOString();

/**
 * The ledger as the contact policy reads it: a record per contacted action, and per decline a
 * record dated at the epoch (outside every frequency window) whose `respondedAt` suppresses.
 */
export function ledgerRecords(ledger: ContactLedger): ContactRecord[] {
  const out: ContactRecord[] = [];
  for (const c of ledger.contacts)
    for (const a of c.actions)
      out.push({ id: c.id, at: c.at, channel: c.channel, actionId: a.actionId, kind: a.kind, source: c.source });
  for (const [actionId, at] of Object.entries(ledger.declined))
    out.push({
      id: `declined:${actionId}`,
      at: EPOCH,
      channel: 'app',
      actionId,
      kind: 'offer',
      source: 'decision',
      response: 'declined',
      respondedAt: at,
    });
  return out;
}

/** Contact records (a hand-off's, or a decision's expanded per action) as ledger contacts, one per id. */
export function ledgerContactsOf(records: readonly ContactRecord[]): LedgerContact[] {
  const byId = new Map<string, LedgerContact & { actions: { actionId: string; kind: ActionKind }[] }>();
  for (const r of records) {
    const c = byId.get(r.id);
    if (c) c.actions.push({ actionId: r.actionId, kind: r.kind });
    else
      byId.set(r.id, {
        id: r.id,
        at: r.at,
        channel: r.channel,
        source: r.source,
        actions: [{ actionId: r.actionId, kind: r.kind }],
      });
  }
  return [...byId.values()];
}

/**
 * A ledger of contact records of before the ledger (the customer's `H#` items, and firings an old
 * processor left in the outbox): their contacts newest first and their latest decline and
 * acceptance per action, as they are (`ledgerFromRecords` prunes it).
 */
export function ledgerOfRecords(records: readonly ContactRecord[]): ContactLedger {
  let ledger: ContactLedger = { ...emptyLedger(), contacts: ledgerContactsOf(records).sort(newestFirst) };
  const latest = (map: Readonly<Record<string, string>>, actionId: string, at: string) =>
    !map[actionId] || map[actionId]! < at;
  for (const r of records) {
    const at = r.respondedAt ?? r.at;
    if (r.response === 'declined' && latest(ledger.declined, r.actionId, at))
      ledger = withResponse(ledger, r.actionId, 'declined', at);
    if (r.response === 'accepted' && latest(ledger.accepted, r.actionId, at))
      ledger = withResponse(ledger, r.actionId, 'accepted', at);
  }
  return ledger;
}

/** The ledger of contact records of before the ledger, pruned to the bounds at `now` (what is migrated). */
export const ledgerFromRecords = (records: readonly ContactRecord[], bounds: LedgerBounds, now: Date): ContactLedger =>
  withContacts(ledgerOfRecords(records), [], bounds, now);

/**
 * What `GET /v1/customers/{id}` shows as recent contacts: a decision's contact with its offers, a
 * firing's or campaign's as the contact record it is.
 */
export function displayContacts(ledger: ContactLedger): Record<string, unknown>[] {
  return ledger.contacts.map((c) =>
    c.source === 'decision'
      ? { id: c.id, at: c.at, channel: c.channel, source: c.source, offers: c.actions.map((a) => ({ ...a })) }
      : { id: c.id, at: c.at, channel: c.channel, source: c.source, ...c.actions[0] },
  );
}
