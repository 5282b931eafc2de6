import type { ContactLedger, LedgerContact, StoredLedger } from '#domain/contact-ledger.ts';
import type { ActionKind } from '#domain/contact-window.ts';
import { CHANNELS, type Channel } from '#domain/customer.ts';
import { isPlainObject, malformed } from './stored-items.ts';

/**
 * The contact ledger as a DynamoDB item, small on purpose: every commit rewrites it, and a write
 * is billed per started kilobyte. Under the customer, `sk = L` (the decision's one Query reads it
 * with the profile and the state: `L` sorts between the `H#` items and `P`); a household's is
 * `pk = HL#<householdId>, sk = L`.
 *
 *   c  the contacts, newest first, one string each: `<at, epoch ms base 36> <channel> <source>
 *      <id> <kind>:<actionId>...` (ids, channels and action ids never hold a space)
 *   d  action id -> epoch ms of the latest decline;  a  the same for acceptances
 *   version  what the next write is conditional on
 */
export const LEDGER_SK = 'L';
export const householdLedgerPk = (householdId: string) => `HL#${householdId}`;

const SOURCE_CODE = { decision: 'd', trigger: 't', campaign: 'c' } as const;
const SOURCE_OF = { d: 'decision', t: 'trigger', c: 'campaign' } as const;
const KIND_CODE: Record<ActionKind, string> = { offer: 'o', retention: 'r', service: 's', information: 'i' };
const KIND_OF: Record<string, ActionKind> = { o: 'offer', r: 'retention', s: 'service', i: 'information' };

const msOf = (iso: string) => Date.parse(iso);
const isoOf = (ms: number) => new Date(ms).toISOString();

export function encodeContact(c: LedgerContact): string {
  const actions = c.actions.map((a) => `${KIND_CODE[a.kind]}:${a.actionId}`);
  return [msOf(c.at).toString(36), c.channel, SOURCE_CODE[c.source], c.id, ...actions].join(' ');
}

const CHANNEL_SET: ReadonlySet<string> = new Set(CHANNELS);
const isChannel = (c: string | undefined): c is Channel => c !== undefined && CHANNEL_SET.has(c);
const hasCode = <M extends object>(map: M, code: string | undefined): code is keyof M & string =>
  code !== undefined && Object.hasOwn(map, code);
const WHAT = 'contact ledger';

/** The part of a contact's text that is wrong. */
type Part = 'at' | 'channel' | 'source' | 'id' | 'actions';

/**
 * One contact as `encodeContact` wrote it, or the part that is wrong. By hand, not by a schema:
 * every decision reads a ledger of up to some tens of contacts.
 */
function decoded(text: string): LedgerContact | Part {
  const [at, channel, source, id, ...codes] = text.split(' ');
  const ms = at === undefined ? Number.NaN : Number.parseInt(at, 36);
  if (!Number.isFinite(ms)) return 'at';
  if (!isChannel(channel)) return 'channel';
  if (!hasCode(SOURCE_OF, source)) return 'source';
  if (!id) return 'id';
  const actions: { actionId: string; kind: ActionKind }[] = [];
  for (const a of codes) {
    const kind = a[1] === ':' ? KIND_OF[a[0]!] : undefined;
    if (!kind || a.length < 3) return 'actions';
    actions.push({ actionId: a.slice(2), kind });
  }
  return { id, at: isoOf(ms), channel, source: SOURCE_OF[source], actions };
}

/** A wrong contact is named by its place and part, never by its text (ids are decisions' and messages'). */
export function decodeContact(text: string): LedgerContact {
  const contact = decoded(text);
  if (typeof contact === 'string') throw malformed(WHAT, `c (${contact})`);
  return contact;
}

const toMs = (m: Readonly<Record<string, string>>) =>
  Object.fromEntries(Object.entries(m).map(([k, iso]) => [k, msOf(iso)]));

/** `d` or `a`: action id -> epoch ms. Action ids are catalog ids, so a wrong entry is named by its id. */
function toIso(m: unknown, field: string): Record<string, string> {
  if (m === undefined) return {};
  if (!isPlainObject(m)) throw malformed(WHAT, field);
  const out: Record<string, string> = {};
  for (const [actionId, ms] of Object.entries(m)) {
    if (typeof ms !== 'number' || !Number.isFinite(ms)) throw malformed(WHAT, `${field}.${actionId}`);
    out[actionId] = isoOf(ms);
  }
  return out;
}

function contactsOf(c: unknown): LedgerContact[] {
  if (c === undefined) return [];
  if (!Array.isArray(c)) throw malformed(WHAT, 'c');
  return c.map((text, i) => {
    const contact = typeof text === 'string' ? decoded(text) : 'text';
    if (typeof contact === 'string') throw malformed(WHAT, `c.${i} (${contact})`);
    return contact;
  });
}

/** The item of a ledger at `version` (maps always present: a response's `SET d.#a` needs them). */
export function ledgerItem(pk: string, ledger: ContactLedger, version: number): Record<string, unknown> {
  return {
    pk,
    sk: LEDGER_SK,
    kind: 'ledger',
    version,
    c: ledger.contacts.map(encodeContact),
    d: toMs(ledger.declined),
    a: toMs(ledger.accepted),
  };
}

export function storedLedgerOf(item: Record<string, unknown>): StoredLedger {
  const version = item['version'] ?? 0;
  if (typeof version !== 'number') throw malformed(WHAT, 'version');
  return {
    version,
    ledger: { contacts: contactsOf(item['c']), declined: toIso(item['d'], 'd'), accepted: toIso(item['a'], 'a') },
  };
}

/** A Put of the ledger's next version, conditional on the one it was read at (none: not there yet). */
export function ledgerPut(table: string, pk: string, ledger: ContactLedger, expectedVersion: number) {
  return {
    TableName: table,
    Item: ledgerItem(pk, ledger, expectedVersion + 1),
    ...(expectedVersion === 0
      ? { ConditionExpression: 'attribute_not_exists(pk)' }
      : { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': expectedVersion } }),
  };
}
