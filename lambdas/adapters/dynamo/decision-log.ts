import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { parseDecisionId } from '#domain/decisioning/decision-id.ts';
import type { ContactRecord } from '#domain/action.ts';
import type { DecisionLog, DecisionLogEntry, LoggedOffer, ResponseOutcome } from '#domain/ports.ts';
import { CONTACT_PREFIX, customerPk } from './customer-repo.ts';
import { guarded } from './errors.ts';
import { householdContactKeys, householdContacts } from './household-contacts.ts';

/**
 * One item per decision under the customer, `H#<at>#<decisionId>`, so the customer's one Query
 * reads it back as contact history. Offers keep the ContactRecord field names the contact policy
 * reads (`actionId`, `kind`, `response`, `respondedAt`); the rest is short codes (< 1 KB).
 */
export const decisionSk = (at: string, decisionId: string) => `${CONTACT_PREFIX}${at}#${decisionId}`;

const isConditionalFailure = (err: unknown) => (err as { name?: string })?.name === 'ConditionalCheckFailedException';

export function decisionItem(e: DecisionLogEntry): Record<string, unknown> {
  return {
    pk: customerPk(e.customerId),
    sk: decisionSk(e.at, e.decisionId),
    id: e.decisionId,
    at: e.at,
    channel: e.channel,
    source: 'decision',
    group: e.group,
    seg: e.segment,
    offers: e.offers.map((o) => ({ actionId: o.actionId, kind: o.kind, p: o.propensity })),
    ...(e.excluded.length ? { ex: e.excluded } : {}),
    ...(Object.keys(e.modelVersions).length ? { mv: e.modelVersions } : {}),
    expiresAt: e.expiresAt,
    ...householdContactKeys(
      e.householdId,
      e.at,
      e.decisionId,
      e.offers.map((o) => o.kind),
    ),
  };
}

function entryOf(item: Record<string, unknown>, customerId: string): DecisionLogEntry {
  return {
    decisionId: String(item['id']),
    customerId,
    at: String(item['at']),
    channel: item['channel'] as DecisionLogEntry['channel'],
    group: item['group'] as DecisionLogEntry['group'],
    segment: String(item['seg'] ?? 'all'),
    offers: ((item['offers'] ?? []) as Array<Record<string, unknown>>).map((o) => ({
      actionId: String(o['actionId']),
      kind: o['kind'] as LoggedOffer['kind'],
      propensity: Number(o['p'] ?? 0),
      ...(o['response'] ? { response: o['response'] as LoggedOffer['response'] } : {}),
      ...(o['respondedAt'] ? { respondedAt: String(o['respondedAt']) } : {}),
    })),
    excluded: (item['ex'] ?? []) as string[],
    modelVersions: (item['mv'] ?? {}) as Record<string, string>,
    expiresAt: Number(item['expiresAt'] ?? 0),
  };
}

export class DynamoDecisionLog implements DecisionLog {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableOf: (tenant: string) => string,
  ) {}

  async record(tenant: string, entry: DecisionLogEntry): Promise<void> {
    await guarded(() => this.db.send(new PutCommand({ TableName: this.tableOf(tenant), Item: decisionItem(entry) })));
  }

  householdContacts(tenant: string, householdId: string, since: string): Promise<ContactRecord[]> {
    return householdContacts(this.db, this.tableOf(tenant), householdId, since);
  }

  async find(tenant: string, decisionId: string): Promise<DecisionLogEntry | undefined> {
    const id = parseDecisionId(decisionId);
    if (!id) return undefined;
    const out = await guarded(() =>
      this.db.send(
        new GetCommand({
          TableName: this.tableOf(tenant),
          Key: { pk: customerPk(id.customerId), sk: decisionSk(id.at, decisionId) },
        }),
      ),
    );
    return out.Item ? entryOf(out.Item, id.customerId) : undefined;
  }

  /** One conditional UpdateItem: sets the offer's response only if it has none (duplicates count once). */
  async recordResponse(
    tenant: string,
    entry: DecisionLogEntry,
    actionId: string,
    response: NonNullable<LoggedOffer['response']>,
    at: string,
  ): Promise<ResponseOutcome> {
    const index = entry.offers.findIndex((o) => o.actionId === actionId);
    if (index < 0) return 'not-offered';
    try {
      await guarded(() =>
        this.db.send(
          new UpdateCommand({
            TableName: this.tableOf(tenant),
            Key: { pk: customerPk(entry.customerId), sk: decisionSk(entry.at, entry.decisionId) },
            UpdateExpression: `SET offers[${index}].#r = :r, offers[${index}].respondedAt = :at`,
            ConditionExpression: `attribute_exists(pk) AND offers[${index}].actionId = :a AND attribute_not_exists(offers[${index}].#r)`,
            ExpressionAttributeNames: { '#r': 'response' },
            ExpressionAttributeValues: { ':r': response, ':at': at, ':a': actionId },
          }),
        ),
      );
      return 'recorded';
    } catch (err) {
      if (!isConditionalFailure(err)) throw err;
      const now = await this.find(tenant, entry.decisionId);
      return now ? 'duplicate' : 'not-found';
    }
  }
}
