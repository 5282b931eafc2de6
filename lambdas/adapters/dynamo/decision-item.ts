import { createHash } from 'node:crypto';
import * as z from 'zod';
import type { DecisionRecord, LoggedResponse, OfferResponse } from '#domain/decisioning/decision-record.ts';
import { OFFER_RESPONSES } from '#domain/events.ts';
import { isPlainObject, malformed, StoredActionKind, StoredChannel, storedAs } from './stored-items.ts';

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

const WHAT = 'decision';
const RESPONSES: ReadonlySet<string> = new Set(OFFER_RESPONSES);
const isResponse = (r: unknown): r is OfferResponse => typeof r === 'string' && RESPONSES.has(r);

/**
 * The offers' variants as the item keeps them (actionId -> variantId). By hand, as `responsesOf`:
 * the reports read both of every decision of a day.
 */
export function storedVariantsOf(experiment: unknown): Record<string, string> {
  if (experiment === undefined) return {};
  if (!isPlainObject(experiment)) throw malformed(WHAT, 'experiment');
  const variants = experiment['variants'];
  if (variants === undefined) return {};
  if (!isPlainObject(variants)) throw malformed(WHAT, 'experiment.variants');
  const out: Record<string, string> = {};
  for (const [actionId, variantId] of Object.entries(variants)) {
    if (typeof variantId !== 'string') throw malformed(WHAT, `experiment.variants.${actionId}`);
    out[actionId] = variantId;
  }
  return out;
}

/** The stored map of responses as the API lists them, oldest first. */
export function responsesOf(stored: unknown): LoggedResponse[] {
  if (stored === undefined) return [];
  if (!isPlainObject(stored)) throw malformed(WHAT, 'responses');
  const list: LoggedResponse[] = [];
  for (const [actionId, r] of Object.entries(stored)) {
    if (!isPlainObject(r)) throw malformed(WHAT, `responses.${actionId}`);
    const { response, at } = r;
    if (!isResponse(response)) throw malformed(WHAT, `responses.${actionId}.response`);
    if (typeof at !== 'string') throw malformed(WHAT, `responses.${actionId}.at`);
    list.push({ actionId, response, at });
  }
  return list.sort((a, b) => a.at.localeCompare(b.at) || a.actionId.localeCompare(b.actionId));
}

const Params = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

/**
 * The record `logItemOf` wrote, without the attributes it adds (id, cref, dayShard, offered,
 * responses, `experiment.variants`: `z.object` drops the last). Types only, and loose as before.
 */
const StoredDecision = z.looseObject({
  customerId: z.string(),
  channel: StoredChannel,
  at: z.string(),
  actions: z.array(
    z.looseObject({
      actionId: z.string(),
      kind: StoredActionKind,
      variantId: z.string().optional(),
      treatment: z.looseObject({
        channel: StoredChannel,
        templateKey: z.string(),
        language: z.string(),
        text: z.string().optional(),
        params: Params.optional(),
      }),
      score: z.number(),
      propensity: z.number(),
      value: z.number(),
      reasons: z.array(z.looseObject({ code: z.string(), detail: z.string() })),
    }),
  ),
  excluded: z.array(z.looseObject({ actionId: z.string(), code: z.string() })),
  experiment: z.object({ id: z.string(), group: z.enum(['control', 'champion', 'challenger']) }),
  valueTier: z.enum(['platinum', 'gold', 'silver', 'bronze']),
  serviceLevel: z.string(),
  modelVersions: z.record(z.string(), z.string()),
  context: z.record(z.string(), z.unknown()),
  segment: z.string().optional(),
  expiresAt: z.number(),
}) satisfies z.ZodType<Omit<DecisionRecord, 'decisionId' | 'responses'>, unknown>;

export function recordOf(item: Record<string, unknown>): DecisionRecord {
  const { id, cref: _c, dayShard: _d, offered: _o, responses, ...rest } = item;
  if (typeof id !== 'string') throw malformed(WHAT, 'id');
  return { ...storedAs(StoredDecision, rest, WHAT), decisionId: id, responses: responsesOf(responses) };
}
