import { treatmentText, type Action } from '../action.ts';
import type { Channel } from '../customer.ts';
import { sendingPrice } from '../cost/sending-prices.ts';
import { isAwsSending, type ConnectionType } from '../delivery/connection.ts';
import { smsSegments } from '../delivery/sms-segments.ts';
import { withVariant } from '../decisioning/variants.ts';
import { COST_PER_TREATMENT_MEMBER_USD } from './campaign.ts';

/** A run's spending limits: contacting stops at whichever is reached first. */
export interface CampaignBudget {
  maxContacts?: number;
  /** USD, as the preview's `estimatedCost` counts it. */
  maxCostUsd?: number;
}

export type BudgetReason = 'budget.maxContacts' | 'budget.maxCostUsd';

/**
 * Money in the counters is whole nano-dollars: DynamoDB adds integers exactly (no float drift over
 * a million contacts) and a contact's platform share (~$0.0000022) still counts.
 */
export const toNanoUsd = (usd: number): number => Math.round(usd * 1e9);
export const fromNanoUsd = (nano: number): number => Math.round(nano) / 1e9;

/** The limits as the store's conditions compare them. */
export interface BudgetLimits {
  maxContacts?: number;
  maxNanoUsd?: number;
}
export const limitsOf = (b: CampaignBudget): BudgetLimits => ({
  ...(b.maxContacts !== undefined ? { maxContacts: b.maxContacts } : {}),
  ...(b.maxCostUsd !== undefined ? { maxNanoUsd: toNanoUsd(b.maxCostUsd) } : {}),
});

/**
 * The campaign record's counters. `held*` is contacted plus reserved-and-not-yet-settled: a member
 * reserves before it is decided, so two shards can never both take the last contact.
 */
export interface BudgetUse {
  heldContacts: number;
  heldNanoUsd: number;
  contacts: number;
  nanoUsd: number;
}
export const NO_BUDGET_USE: BudgetUse = { heldContacts: 0, heldNanoUsd: 0, contacts: 0, nanoUsd: 0 };

/** Would one more contact costing `nanoUsd` fit beside what is held? The store checks the same atomically. */
export const fits = (use: BudgetUse, limits: BudgetLimits, nanoUsd: number): boolean =>
  (limits.maxContacts === undefined || use.heldContacts + 1 <= limits.maxContacts) &&
  (limits.maxNanoUsd === undefined || use.heldNanoUsd + nanoUsd <= limits.maxNanoUsd);

/** Which limit refused, once nothing is pending: the contact count when it is full, else the cost. */
export const reasonOf = (use: BudgetUse, limits: BudgetLimits): BudgetReason =>
  limits.maxContacts !== undefined && use.contacts >= limits.maxContacts ? 'budget.maxContacts' : 'budget.maxCostUsd';

/** How the sending of one message is priced: the tenant's connection of the channel and the market's country. */
export interface SendingTerms {
  connectionType: ConnectionType;
  defaultLanguage: string;
  country?: string;
}

/**
 * What one contact counts against `maxCostUsd`, the preview's figure per contacted member: the
 * platform's cost of a treatment member plus what AWS bills to send the chosen treatment's text as
 * written in the customer's language (SMS segments at the market country's price, one e-mail or
 * push; nothing when the operator's gateway sends). Without sending terms, the platform share only.
 */
export function contactCostUsd(
  action: Pick<Action, 'treatments'>,
  channel: Channel,
  language: string | undefined,
  terms: SendingTerms | undefined,
  variantId?: string,
): number {
  if (!terms || !isAwsSending(terms.connectionType)) return COST_PER_TREATMENT_MEMBER_USD;
  const price = sendingPrice(terms.connectionType, terms.country);
  const listed = action.treatments[channel];
  if (!price || !listed) return COST_PER_TREATMENT_MEMBER_USD;
  // the variant the member was sent, whose text may be longer than the treatment's
  const treatment = {
    ...listed,
    ...withVariant(
      listed,
      listed.variants?.find((v) => v.variantId === variantId),
    ),
  };
  const units =
    terms.connectionType === 'sms' ? smsSegments(treatmentText(treatment, language, terms.defaultLanguage) ?? '') : 1;
  return COST_PER_TREATMENT_MEMBER_USD + (units * price.usd) / price.per;
}

/**
 * The most one contact of the campaign can count, over its actions and every language of their
 * texts and their variants' texts: what a member holds before its decision picks the action (settled
 * to the real figure after).
 */
export function maxContactCostUsd(
  actions: readonly Pick<Action, 'treatments'>[],
  channel: Channel,
  terms: SendingTerms | undefined,
): number {
  let most = COST_PER_TREATMENT_MEMBER_USD;
  for (const action of actions) {
    const treatment = action.treatments[channel];
    const languages = new Set(Object.keys(treatment?.text ?? {}));
    for (const v of treatment?.variants ?? []) for (const l of Object.keys(v.text ?? {})) languages.add(l);
    const variantIds = [undefined, ...(treatment?.variants ?? []).map((v) => v.variantId)];
    for (const language of languages.size ? languages : [undefined])
      for (const variantId of variantIds)
        most = Math.max(most, contactCostUsd(action, channel, language, terms, variantId));
  }
  return most;
}
