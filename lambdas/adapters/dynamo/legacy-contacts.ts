import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ContactRecord } from '#domain/action.ts';
import { contactsOf } from '#domain/contact-policy.ts';
import { CONTACT_PREFIX, customerPk } from './customer-keys.ts';
import { queryAll } from './query-all.ts';

/**
 * Contact items of before the contact ledger (issue 15, item 6): `H#<at>#<id>` under the customer,
 * a decision's full record (old ids `<customerId>~...`) or slim contact, or a trigger's or campaign's
 * contact record. They are read only to build a customer's ledger the first time it is needed and
 * is not there yet (then the ledger is stored, and they are never read again); TTL deletes them.
 *
 * The customer's legacy contacts from `since` on (ISO; later-dated ones too), every page, consistent. */
export async function legacyCustomerContacts(
  db: DynamoDBDocumentClient,
  table: string,
  customerId: string,
  since: string,
): Promise<ContactRecord[]> {
  const items = await queryAll(db, {
    TableName: table,
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    // '\uffff' sorts after every id, so contacts dated later than now (deferred hand-offs) are read too
    ExpressionAttributeValues: {
      ':pk': customerPk(customerId),
      ':from': `${CONTACT_PREFIX}${since}`,
      ':to': `${CONTACT_PREFIX}\uffff`,
    },
    ConsistentRead: true,
  });
  return contactsOf(items);
}
