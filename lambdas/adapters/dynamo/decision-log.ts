import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isDecisionId, parseLegacyDecisionId } from '#domain/decisioning/decision-id.ts';
import {
  offeredDecisionOf,
  storedAnswerOf,
  type DecisionRecord,
  type OfferedDecision,
  type OfferResponse,
} from '#domain/decisioning/decision-record.ts';
import type { DecisionLog, ResponseOutcome } from '#domain/ports/decisions.ts';
import { legacyOffered, recordLegacyResponse } from './decision-contact.ts';
import { logItemOf, recordOf } from './decision-item.ts';
import { guarded, isConditionalFailure } from './errors.ts';

type TableNameOf = (tenant: string) => string;

/**
 * The decision log in the tenant's decision table: one PutItem per decision, by id. Deciding never
 * reads it (what the contact policy needs is in the customer's contact ledger); a response finds
 * the log item by id with one GetItem. Decisions of before the log moved (customer-prefixed ids)
 * are answered on their item under the customer (decision-contact.ts).
 */
export class DynamoDecisionLog implements DecisionLog {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: { tenant: TableNameOf; decisions: TableNameOf },
  ) {}

  async record(tenant: string, record: DecisionRecord): Promise<void> {
    await guarded(() =>
      this.db.send(new PutCommand({ TableName: this.tables.decisions(tenant), Item: logItemOf(record) })),
    );
  }

  async find(tenant: string, decisionId: string): Promise<DecisionRecord | undefined> {
    if (!isDecisionId(decisionId)) return undefined;
    const out = await guarded(() =>
      this.db.send(new GetCommand({ TableName: this.tables.decisions(tenant), Key: { id: decisionId } })),
    );
    return out.Item ? recordOf(out.Item) : undefined;
  }

  async findOffered(tenant: string, decisionId: string): Promise<OfferedDecision | undefined> {
    if (parseLegacyDecisionId(decisionId)) return legacyOffered(this.db, this.tables.tenant(tenant), decisionId);
    const record = await this.find(tenant, decisionId);
    return record ? offeredDecisionOf(record) : undefined;
  }

  /** One conditional UpdateItem of the log: a duplicate counts once. */
  async recordResponse(
    tenant: string,
    decision: OfferedDecision,
    actionId: string,
    response: OfferResponse,
    at: string,
  ): Promise<ResponseOutcome> {
    const table = this.tables.tenant(tenant);
    if (parseLegacyDecisionId(decision.decisionId))
      return recordLegacyResponse(this.db, table, decision, actionId, response, at);
    if (!decision.offers.some((o) => o.actionId === actionId)) return 'not-offered';
    try {
      await guarded(() =>
        this.db.send(
          new UpdateCommand({
            TableName: this.tables.decisions(tenant),
            Key: { id: decision.decisionId },
            UpdateExpression: 'SET #responses.#a = :r',
            ConditionExpression:
              'attribute_exists(#id) AND contains(offered, :a) AND attribute_not_exists(#responses.#a)',
            ExpressionAttributeNames: { '#id': 'id', '#responses': 'responses', '#a': actionId },
            ExpressionAttributeValues: { ':r': { response, at }, ':a': actionId },
          }),
        ),
      );
      return 'recorded';
    } catch (err) {
      if (!isConditionalFailure(err)) throw err;
      // the answer that won, read strongly consistent: what every later caller is told
      const out = await guarded(() =>
        this.db.send(
          new GetCommand({
            TableName: this.tables.decisions(tenant),
            Key: { id: decision.decisionId },
            ConsistentRead: true,
          }),
        ),
      );
      const answer = out.Item && storedAnswerOf(offeredDecisionOf(recordOf(out.Item)), actionId);
      return answer ? { duplicateOf: answer } : 'not-found';
    }
  }
}
