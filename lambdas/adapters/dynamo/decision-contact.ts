import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { storedAnswerOf, type OfferedDecision, type OfferResponse } from '#domain/decisioning/decision-record.ts';
import { parseLegacyDecisionId } from '#domain/decisioning/decision-id.ts';
import type { ResponseOutcome } from '#domain/ports/decisions.ts';
import { CONTACT_PREFIX, customerPk } from './customer-keys.ts';
import { guarded, isConditionalFailure } from './errors.ts';
import { StoredActionKind, storedAs, StoredOfferResponse } from './stored-items.ts';

/**
 * Decisions logged before the log left the customer partition (customer-prefixed ids) left their
 * full record under the customer, `H#<at>#<decisionId>`: they take responses there until they
 * expire (a decline then also reaches the customer's contact ledger, through the use case), and
 * the contact ledger is built from them and the other `H#` items the first time it is needed
 * (legacy-contacts.ts). Decisions of today leave nothing under the customer but their contact in
 * the ledger; their record is in the decision log.
 */
export const decisionContactSk = (at: string, decisionId: string) => `${CONTACT_PREFIX}${at}#${decisionId}`;

/** What answering a legacy decision reads of its item (the contact policy reads the rest: contactsOf). */
const LegacyDecisionItem = z.object({
  seg: z.string().optional(),
  offers: z
    .array(
      z.object({
        actionId: z.string(),
        kind: StoredActionKind,
        response: StoredOfferResponse.optional(),
        respondedAt: z.string().optional(),
      }),
    )
    .default([]),
  expiresAt: z.number().default(0),
});

/** Sets a response on an offer of a legacy decision's item, its only record, once (the condition makes a duplicate count once). */
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
        ConsistentRead: true,
      }),
    ),
  );
  if (!out.Item) return undefined;
  const item = storedAs(LegacyDecisionItem, out.Item, 'legacy decision');
  return {
    decisionId,
    customerId: id.customerId,
    at: id.at,
    ...(item.seg !== undefined ? { segment: item.seg } : {}),
    offers: item.offers,
    expiresAt: item.expiresAt,
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
  const stored = await legacyOffered(db, table, decision.decisionId);
  const answer = stored && storedAnswerOf(stored, actionId);
  return answer ? { duplicateOf: answer } : 'not-found';
}
