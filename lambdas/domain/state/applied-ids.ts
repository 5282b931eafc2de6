import { createHash } from 'node:crypto';

/**
 * Which events a customer's state already holds, for exactly-once inside the dedupe window whatever
 * the number of events per customer.
 *
 * The cheap path, for ordinary customers: each applied event's key stays in the state item, grouped
 * by the 6-hour span (platform clock) it was applied in; a group is forgotten once its newest key is
 * older than the dedupe window, so a key is kept between the window and the window plus 6 hours.
 * Groups of 6 hours rather than 1 hold several keys of an ordinary customer each: fewer group
 * names in an item that every write rewrites. But the state item is rewritten whole on every write, so each key held there is paid
 * for again on every write of the window: past `maxIds` keys it is cheaper to write each new key once,
 * as an id record (`E#<key>`, in the same transaction as the state, TTL at the window's end). A
 * customer that spilled keeps spilling while its records may hold live keys (`recordsUntil`), so a
 * heavy sender pays a flat price per event and its item sheds the in-item keys as they expire.
 * Before applying, the keys of a batch are looked up in the records while any may be live.
 * The write units that set `maxIds` are in docs/capacity.md.
 */

/** 72 bits of SHA-256 (12 base64url characters): collisions among one customer's recent events are out of reach. */
export const KEY_LENGTH = 12;
export const eventKey = (eventId: string): string =>
  createHash('sha256').update(eventId).digest('base64url').slice(0, KEY_LENGTH);

/**
 * At most this many new id records per state write: the write is one DynamoDB transaction of at
 * most 100 items (the state, a first write's profile check or an opt-out's profile update with its
 * audit entry and that entry's customer index, the records, and for a batch that fires the
 * customer's and the household's contact ledgers). The processor folds a customer's larger
 * batches in slices of this size.
 */
export const MAX_ID_RECORDS_PER_WRITE = 94;

/** epoch 6-hour span applied -> the keys applied in it, sorted and concatenated (12 characters each). */
export type AppliedIds = Record<string, string>;

const GROUP_S = 6 * 3600;

/** Where `key` is or would go in a sorted concatenation of keys. */
function position(group: string, key: string): { index: number; found: boolean } {
  let lo = 0;
  let hi = group.length / KEY_LENGTH;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (group.slice(mid * KEY_LENGTH, (mid + 1) * KEY_LENGTH) < key) lo = mid + 1;
    else hi = mid;
  }
  return { index: lo, found: group.slice(lo * KEY_LENGTH, (lo + 1) * KEY_LENGTH) === key };
}

export const holdsKey = (ids: AppliedIds, key: string): boolean =>
  Object.values(ids).some((group) => position(group, key).found);

/** `ids` with `key` added to the group of the span it was applied in (kept sorted: the layout is order-free). */
export function withKey(ids: AppliedIds, key: string, appliedS: number): AppliedIds {
  const span = Math.floor(appliedS / GROUP_S);
  const group = ids[span] ?? '';
  const { index, found } = position(group, key);
  if (found) return ids;
  const at = index * KEY_LENGTH;
  return { ...ids, [span]: group.slice(0, at) + key + group.slice(at) };
}

export const keyCount = (ids: AppliedIds): number =>
  Object.values(ids).reduce((n, group) => n + group.length / KEY_LENGTH, 0);

/** Keeps the groups whose newest key may still be inside the window at `nowS`. */
export function liveIds(ids: AppliedIds, nowS: number, windowS: number): AppliedIds {
  return Object.fromEntries(Object.entries(ids).filter(([span]) => (Number(span) + 1) * GROUP_S + windowS > nowS));
}

/** Whether a new key goes to an id record rather than into the item. */
export const spills = (ids: AppliedIds, recordsUntil: number | undefined, nowS: number, maxIds: number): boolean =>
  (recordsUntil ?? 0) > nowS || keyCount(ids) >= maxIds;

/** `list` (sorted) with `key` inserted in order. */
export function insertSorted(list: readonly string[], key: string): string[] {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return list[lo] === key ? [...list] : [...list.slice(0, lo), key, ...list.slice(lo)];
}

/** The layout before buckets: key -> epoch s applied. */
export function idsFromLegacy(seen: Record<string, number>): AppliedIds {
  let ids: AppliedIds = {};
  for (const [key, appliedS] of Object.entries(seen)) ids = withKey(ids, key, appliedS);
  return ids;
}
