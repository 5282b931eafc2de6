import type { ContactRecord } from '#domain/action.ts';
import { contactsOf } from '#domain/contact-policy.ts';
import { MARKETING_KINDS, type ActionKind } from '#domain/contact-window.ts';
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

export function householdContactKeys(householdId: string | undefined, at: string, id: string, kinds: Iterable<string>): { gsi1pk: string; gsi1sk: string } | Record<string, never> {
  if (!householdId) return {};
  for (const kind of kinds) if (MARKETING_KINDS.has(kind as ActionKind)) return { gsi1pk: `${HOUSEHOLD_CONTACTS_PREFIX}${householdId}`, gsi1sk: `${at}#${id}` };
  return {};
}

/** The household's marketing contacts since `since` (ISO), members' decisions and triggers alike. */
export async function householdContacts(db: DynamoDBDocumentClient, table: string, householdId: string, since: string): Promise<ContactRecord[]> {
  const items = await queryAll(db, {
    TableName: table,
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :h AND gsi1sk >= :since',
    ExpressionAttributeValues: { ':h': `${HOUSEHOLD_CONTACTS_PREFIX}${householdId}`, ':since': since },
  });
  return contactsOf(items);
}
