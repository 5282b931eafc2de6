import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DecisionRecord, OfferedDecision, OfferResponse } from '#domain/decisioning/decision-record.ts';
import { parseLegacyDecisionId } from '#domain/decisioning/decision-id.ts';
import type { ResponseOutcome } from '#domain/ports.ts';
import { CONTACT_PREFIX, customerPk } from './customer-repo.ts';
import { guarded } from './errors.ts';
import { householdContactKeys } from './household-contacts.ts';

/**
 * What the contact policy needs of a decision, under the customer in the tenant table, until an
 * atomic contact ledger replaces these items: `H#<at>#<decisionId>` with the channel and each
 * offered action and kind (the ContactRecord fields; `contactsOf` reads them), and each response
 * once reported (decline suppression reads declines; a campaign's take-up reads acceptances). A decision that offered nothing leaves no contact. The full record is in
 * the decision log, which no decision reads.
 *
 * Decisions logged before the log moved (customer-prefixed ids) left their full record here, in
 * the same key; those items are read as they are until they expire (see `legacyOffered`).
 */
export const decisionContactSk = (at: string, decisionId: string) => `${CONTACT_PREFIX}${at}#${decisionId}`;

const isConditionalFailure = (err: unknown) => (err as { name?: string })?.name === 'ConditionalCheckFailedException';

export function decisionContactItem(record: DecisionRecord): Record<string, unknown> {
  return {
    pk: customerPk(record.customerId),
    sk: decisionContactSk(record.at, record.decisionId),
    id: record.decisionId,
    at: record.at,
    channel: record.channel,
    source: 'decision',
    offers: record.actions.map((a) => ({ actionId: a.actionId, kind: a.kind })),
    expiresAt: record.expiresAt,
    ...householdContactKeys(
      record.householdId,
      record.at,
      record.decisionId,
      record.actions.map((a) => a.kind),
    ),
  };
}

export async function putDecisionContact(
  db: DynamoDBDocumentClient,
  table: string,
  record: DecisionRecord,
): Promise<void> {
  if (record.actions.length === 0) return;
  await guarded(() => db.send(new PutCommand({ TableName: table, Item: decisionContactItem(record) })));
}

/**
 * Sets a response on an offer of the customer's item, once. For a new decision this mirrors the
 * response the log holds into its contact; for a legacy decision the item is the decision's only
 * record, and the condition makes a duplicate count once.
 */
async function setOfferResponse(
  db: DynamoDBDocumentClient,
  table: string,
  decision: OfferedDecision,
  index: number,
  response: OfferResponse,
  at: string,
): Promise<boolean> {
  try {
    await guarded(() =>
      db.send(
        new UpdateCommand({
          TableName: table,
          Key: { pk: customerPk(decision.customerId), sk: decisionContactSk(decision.at, decision.decisionId) },
          UpdateExpression: `SET offers[${index}].#r = :r, offers[${index}].respondedAt = :at`,
          ConditionExpression: `attribute_exists(pk) AND offers[${index}].actionId = :a AND attribute_not_exists(offers[${index}].#r)`,
          ExpressionAttributeNames: { '#r': 'response' },
          ExpressionAttributeValues: { ':r': response, ':at': at, ':a': decision.offers[index]!.actionId },
        }),
      ),
    );
    return true;
  } catch (err) {
    if (isConditionalFailure(err)) return false;
    throw err;
  }
}

/** The response into the decision's contact, if it has one (a contact that expired is left alone). */
export async function mirrorResponse(
  db: DynamoDBDocumentClient,
  table: string,
  decision: OfferedDecision,
  actionId: string,
  response: OfferResponse,
  at: string,
): Promise<void> {
  const index = decision.offers.findIndex((o) => o.actionId === actionId);
  if (index >= 0) await setOfferResponse(db, table, decision, index, response, at);
}

/** A legacy id's item under the customer, as a decision that can be answered. */
export async function legacyOffered(
  db: DynamoDBDocumentClient,
  table: string,
  decisionId: string,
): Promise<OfferedDecision | undefined> {
  const id = parseLegacyDecisionId(decisionId);
  if (!id) return undefined;
  const out = await guarded(() =>
    db.send(
      new GetCommand({
        TableName: table,
        Key: { pk: customerPk(id.customerId), sk: decisionContactSk(id.at, decisionId) },
      }),
    ),
  );
  const item = out.Item;
  if (!item) return undefined;
  return {
    decisionId,
    customerId: id.customerId,
    at: id.at,
    ...(item['seg'] !== undefined ? { segment: String(item['seg']) } : {}),
    offers: ((item['offers'] ?? []) as Array<Record<string, unknown>>).map((o) => ({
      actionId: String(o['actionId']),
      kind: o['kind'] as OfferedDecision['offers'][number]['kind'],
      ...(o['response'] ? { response: o['response'] as OfferResponse } : {}),
      ...(o['respondedAt'] ? { respondedAt: String(o['respondedAt']) } : {}),
    })),
    expiresAt: Number(item['expiresAt'] ?? 0),
  };
}

/** A response to a legacy decision: set on its item under the customer, once. */
export async function recordLegacyResponse(
  db: DynamoDBDocumentClient,
  table: string,
  decision: OfferedDecision,
  actionId: string,
  response: OfferResponse,
  at: string,
): Promise<ResponseOutcome> {
  const index = decision.offers.findIndex((o) => o.actionId === actionId);
  if (index < 0) return 'not-offered';
  if (await setOfferResponse(db, table, decision, index, response, at)) return 'recorded';
  return (await legacyOffered(db, table, decision.decisionId)) ? 'duplicate' : 'not-found';
}
