import type { ContactRecord } from '#domain/action.ts';
import { contactsOf } from '#domain/contact-policy.ts';
import { MARKETING_KINDS, type ActionKind } from '#domain/contact-window.ts';
import { ledgerWithPending, pendingContacts } from '#domain/triggers.ts';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { queryAll } from './query-all.ts';

/**
 * Household contact caps need every member's marketing contacts. Rather than reading each
 * member's partition, a contact item of a household member that holds marketing contacts also
 * carries `gsi1pk = HC#<householdId>`, `gsi1sk = <at>#<id>`: the household's ledger is then one
 * Query of the table's overloaded gsi1, and items without marketing contacts stay out of the index
 * (no index write for them).
 */
export const HOUSEHOLD_CONTACTS_PREFIX = 'HC#';

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
 * A member's state item whose outbox holds marketing firings (written, not recorded yet) is in the
 * household's ledger too, under its oldest such firing, so the other members' decisions and
 * triggers count them before the hand-off; clearing the outbox takes it out again.
 */
export function householdOutboxKeys(
  householdId: string | undefined,
  customerId: string,
  outbox: readonly { createdAt: string; kind: string }[],
): { gsi1pk: string; gsi1sk: string } | Record<string, never> {
  if (!householdId) return {};
  const oldest = outbox
    .filter((m) => MARKETING_KINDS.has(m.kind as ActionKind))
    .map((m) => m.createdAt)
    .sort()[0];
  return oldest ? { gsi1pk: `${HOUSEHOLD_CONTACTS_PREFIX}${householdId}`, gsi1sk: `${oldest}#S#${customerId}` } : {};
}

/**
 * The household's marketing contacts since `since` (ISO): members' decisions and triggers alike,
 * and firings still in a member's outbox, each once.
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
