import { createHash } from 'node:crypto';
import type { DecisionRecord, LoggedResponse, OfferResponse } from '#domain/decisioning/decision-record.ts';

/**
 * A decision's item in the tenant's decision table (DECISION_TABLE): the record as the API shows
 * it, keyed by `id`, plus what the two indexes and the responses need:
 *   cref      a hash of the customer id (byCustomer: export and erasure); the id itself stays out
 *             of every key, since keys show in CloudTrail data events, metrics and error messages
 *   dayShard  `<UTC day>#<shard>` (byDay: the reports read a day's decisions shard by shard)
 *   offered   the offered action ids, a flat list the response's condition and the reports read
 *   responses a map actionId -> {response, at}, so a response is one conditional SET of its key
 *   experiment.variants  a map actionId -> variantId of the offers sent as a message variant: the
 *             reports read it from byDay, whose projection (fixed once the index exists) already
 *             carries `experiment`; the API shows the variant on the action instead
 */

/**
 * Shards of a day in the byDay index. A GSI partition takes 1,000 writes/s; 16 spread a market's
 * peak (~1,736 decisions/s, docs/capacity.md) with room. Readers query shards 0..DAY_SHARDS-1, so
 * the number may grow later but must not shrink while older items live.
 */
export const DAY_SHARDS = 16;

/** The customer's key in byCustomer: a pseudonym (a phone number's hash is not anonymous, only not the number). */
export const customerRefOf = (customerId: string): string =>
  createHash('sha256').update('cvm-decision-log\u0000').update(customerId).digest('hex').slice(0, 32);

/** Spreads a day's decisions over its shards by the id's random suffix. */
export function dayShardOf(decisionId: string, at: string): string {
  let h = 0;
  for (let i = 0; i < decisionId.length; i++) h = (h * 31 + decisionId.charCodeAt(i)) >>> 0;
  return `${at.slice(0, 10)}#${h % DAY_SHARDS}`;
}

export function logItemOf(record: DecisionRecord): Record<string, unknown> {
  const { decisionId, householdId: _household, responses, ...rest } = record;
  return {
    id: decisionId,
    cref: customerRefOf(record.customerId),
    dayShard: dayShardOf(decisionId, record.at),
    ...rest,
    experiment: { ...record.experiment, ...variantsOf(record) },
    offered: record.actions.map((a) => a.actionId),
    responses: Object.fromEntries(responses.map((r) => [r.actionId, { response: r.response, at: r.at }])),
  };
}

function variantsOf(record: DecisionRecord): { variants?: Record<string, string> } {
  const given = record.actions.filter((a) => a.variantId !== undefined).map((a) => [a.actionId, a.variantId]);
  return given.length ? { variants: Object.fromEntries(given) } : {};
}

/** The offers' variants as the item keeps them (actionId -> variantId). */
export function storedVariantsOf(experiment: unknown): Record<string, string> {
  const variants = (experiment as { variants?: unknown } | undefined)?.variants;
  return variants && typeof variants === 'object' ? (variants as Record<string, string>) : {};
}

/** The stored map of responses as the API lists them, oldest first. */
export function responsesOf(stored: unknown): LoggedResponse[] {
  const map = (stored && typeof stored === 'object' ? stored : {}) as Record<string, { response: string; at: string }>;
  return Object.entries(map)
    .map(([actionId, r]) => ({ actionId, response: r.response as OfferResponse, at: String(r.at) }))
    .sort((a, b) => a.at.localeCompare(b.at) || a.actionId.localeCompare(b.actionId));
}

export function recordOf(item: Record<string, unknown>): DecisionRecord {
  const { id, cref: _c, dayShard: _d, offered: _o, responses, ...rest } = item;
  const stored = rest['experiment'] as (DecisionRecord['experiment'] & { variants?: unknown }) | undefined;
  const { variants: _v, ...experiment } = stored ?? {};
  return {
    ...(rest as Omit<DecisionRecord, 'decisionId' | 'responses'>),
    ...(stored ? { experiment: experiment as DecisionRecord['experiment'] } : {}),
    decisionId: String(id),
    responses: responsesOf(responses),
  };
}
