import type { ContactLedger, LedgerContact, StoredLedger } from '#domain/contact-ledger.ts';
import type { ActionKind } from '#domain/contact-window.ts';
import type { Channel } from '#domain/customer.ts';

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

export function decodeContact(text: string): LedgerContact {
  const [at, channel, source, id, ...actions] = text.split(' ');
  return {
    id: id!,
    at: isoOf(Number.parseInt(at!, 36)),
    channel: channel as Channel,
    source: SOURCE_OF[source as keyof typeof SOURCE_OF] ?? 'decision',
    actions: actions.map((a) => ({ actionId: a.slice(2), kind: KIND_OF[a[0]!] ?? 'offer' })),
  };
}

const toMs = (m: Readonly<Record<string, string>>) =>
  Object.fromEntries(Object.entries(m).map(([k, iso]) => [k, msOf(iso)]));
const toIso = (m: unknown) =>
  Object.fromEntries(Object.entries((m ?? {}) as Record<string, number>).map(([k, ms]) => [k, isoOf(Number(ms))]));

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
  return {
    version: Number(item['version'] ?? 0),
    ledger: {
      contacts: ((item['c'] ?? []) as string[]).map(decodeContact),
      declined: toIso(item['d']),
      accepted: toIso(item['a']),
    },
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
