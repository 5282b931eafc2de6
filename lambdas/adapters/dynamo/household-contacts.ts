import type { ContactRecord } from '#domain/action.ts';
import { contactsOf } from '#domain/contact-policy.ts';
import { MARKETING_KINDS, type ActionKind } from '#domain/contact-window.ts';
import { ledgerWithPending, pendingContacts } from '#domain/pending-contacts.ts';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { queryAll } from './query-all.ts';

/**
 * Before the contact ledger (issue 15, item 3) a household's contacts were an index: a contact
 * item of a household member that held marketing contacts also carried `gsi1pk = HC#<householdId>`,
 * `gsi1sk = <at>#<id>`, and so did a member's state item while its outbox held marketing firings.
 * Today the household's ledger is one item (`HL#<householdId>`, contact-ledger.ts); this index is
 * read once, to build that item the first time a household without one is asked for (item 6), until
 * TTL has deleted the items in it.
 */
export const HOUSEHOLD_CONTACTS_PREFIX = 'HC#';

/** The index keys a contact item of before the ledger carried (the legacy fixtures of tests and benchmarks write them). */
export function householdContactKeys(
  householdId: string | undefined,
  at: string,
  id: string,
  kinds: Iterable<string>,
): { gsi1pk: string; gsi1sk: string } | Record<string, never> {
  if (!householdId) return {};
  for (const kind of kinds)
    if (MARKETING_KINDS.has(kind as ActionKind))
      return { gsi1pk: `${HOUSEHOLD_CONTACTS_PREFIX}${householdId}`, gsi1sk: `${at}#${id}` };
  return {};
}

/**
 * The household's marketing contacts of before the ledger since `since` (ISO): members' decisions
 * and triggers alike, and firings still in a member's outbox, each once.
 */
export async function householdContacts(
  db: DynamoDBDocumentClient,
  table: string,
  householdId: string,
  since: string,
): Promise<ContactRecord[]> {
  const items = await queryAll(db, {
    TableName: table,
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :h AND gsi1sk >= :since',
    ExpressionAttributeValues: { ':h': `${HOUSEHOLD_CONTACTS_PREFIX}${householdId}`, ':since': since },
  });
  const pending = items
    .filter((i) => i['kind'] === 'state')
    .flatMap((i) => pendingContacts(i))
    .filter((c) => MARKETING_KINDS.has(c.kind));
  return ledgerWithPending(contactsOf(items.filter((i) => i['kind'] !== 'state')), pending);
}
