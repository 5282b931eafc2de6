import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ContactRecord } from '#domain/action.ts';
import type { ContactHistory } from '#domain/contact-history.ts';
import { contactsOf } from '#domain/contact-policy.ts';
import { CONTACT_PREFIX, customerPk } from './customer-repo.ts';
import { householdContacts } from './household-contacts.ts';
import { queryAll } from './query-all.ts';

/**
 * The `H#<at>#<id>` items of one customer from `since` on, and nothing else of the partition (the
 * processor has the profile and state already). Consistent, and every page: a decision logged a
 * moment ago, or a window read short, would let a limit be passed.
 */
export class DynamoContactHistory implements ContactHistory {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableOf: (tenant: string) => string,
  ) {}

  async customerContacts(tenant: string, customerId: string, since: string): Promise<ContactRecord[]> {
    const items = await queryAll(this.db, {
      TableName: this.tableOf(tenant),
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      // '\uffff' sorts after every id, so contacts dated later than now (deferred hand-offs) are read too
      ExpressionAttributeValues: {
        ':pk': customerPk(customerId),
        ':from': `${CONTACT_PREFIX}${since}`,
        ':to': `${CONTACT_PREFIX}\uffff`,
      },
      ConsistentRead: true,
      ReturnConsumedCapacity: 'TOTAL',
    });
    return contactsOf(items);
  }

  householdContacts(tenant: string, householdId: string, since: string): Promise<ContactRecord[]> {
    return householdContacts(this.db, this.tableOf(tenant), householdId, since);
  }
}
