import type { TenantId } from '../ids.ts';
import type { AccountCost } from './ports.ts';
import { splitShared } from './split.ts';

/** Dollars to whole cents: every figure of a reconciliation is added up in cents, never in floats. */
export const toCents = (usd: number): number => Math.round(usd * 100) || 0; // never -0

/** What a `cvm:billing-unit` value names: `demo/prod/consumer`, or `demo/prod/shared`. */
export interface BillingUnit {
  market: string;
  stage: string;
  tenant: string;
}

export function parseBillingUnit(value: string): BillingUnit | undefined {
  const m = /^([^/]+)\/([^/]+)\/([^/]+)$/.exec(value);
  return m ? { market: m[1]!, stage: m[2]!, tenant: m[3]! } : undefined;
}

/** A billing unit of another market or stage found in the account: its tagged cost, not split. */
export interface OtherUnit {
  /** The tag's value as billing has it (a value that is not `<market>/<stage>/<tenant>` is kept as it is). */
  billingUnit: string;
  market: string;
  stage: string;
  tenant: string;
  cents: number;
}

export interface Reconciliation {
  /** The account's total for the month, in cents: what every line below adds up to, exactly. */
  totalCents: number;
  /** The reported deployment's tenants' own tagged cost. */
  ownCents: Record<TenantId, number>;
  /** The reported deployment's shared cost (`<market>/<stage>/shared`), and each tenant's share of it. */
  sharedCents: number;
  shareCents: Record<TenantId, number>;
  /** Shared cost no tenant's usage could carry (nobody used anything). */
  unallocatedCents: number;
  /** Each tenant's sending (metered sends x prices): billed untagged, so taken out of the untagged cost. */
  sendingCents: Record<TenantId, number>;
  /** Billing units of the reported deployment whose tenant the market config does not know. */
  unknownTenantCents: Record<string, number>;
  /** Every other market and stage in the account, unit by unit. */
  others: OtherUnit[];
  /** Cost without a billing-unit tag, by record type (Usage, Tax, Credit...), before sending is taken out. */
  untaggedByRecordType: Record<string, number>;
  /** The account's total less everything attributed above: what nobody's tag or meter explains. */
  unattributedCents: number;
  /** Credits anywhere in the account (negative), for the record. */
  creditCents: number;
}

/**
 * Reconciles a month of the whole account to the cent. Each billing unit's lines are added up and
 * rounded to cents once; the reported deployment (`market`/`stage`) splits its shared unit by the
 * tenants' usage weights into whole cents (split.ts); every other unit is listed as found; the
 * rest, `unattributed`, is the account total less all of that and less each tenant's sending
 * (which AWS bills untagged), so the lines add up to the total exactly, whatever the rounding.
 */
export function reconcile(input: {
  cost: AccountCost;
  market: string;
  stage: string;
  tenants: readonly TenantId[];
  /** Each tenant's usage weight (what splits the shared cost). */
  weights: Record<TenantId, number>;
  /** Each tenant's sending in dollars. */
  sending: Record<TenantId, number>;
}): Reconciliation {
  const { cost, market, stage, tenants } = input;
  const rawByUnit = new Map<string, number>();
  const untaggedRaw = new Map<string, number>();
  let totalRaw = 0;
  let creditRaw = 0;
  for (const line of cost.lines) {
    totalRaw += line.amount;
    if (line.recordType === 'Credit') creditRaw += line.amount;
    if (line.billingUnit === '')
      untaggedRaw.set(line.recordType, (untaggedRaw.get(line.recordType) ?? 0) + line.amount);
    else rawByUnit.set(line.billingUnit, (rawByUnit.get(line.billingUnit) ?? 0) + line.amount);
  }
  const totalCents = toCents(totalRaw);

  const ownCents: Record<TenantId, number> = Object.fromEntries(tenants.map((t) => [t, 0]));
  const unknownTenantCents: Record<string, number> = {};
  const others: OtherUnit[] = [];
  let sharedCents = 0;
  let attributed = 0;
  for (const [billingUnit, raw] of [...rawByUnit].sort(([a], [b]) => a.localeCompare(b))) {
    const cents = toCents(raw);
    attributed += cents;
    const unit = parseBillingUnit(billingUnit);
    if (unit && unit.market === market && unit.stage === stage) {
      if (unit.tenant === 'shared') sharedCents += cents;
      else if (unit.tenant in ownCents) ownCents[unit.tenant] = (ownCents[unit.tenant] ?? 0) + cents;
      else unknownTenantCents[unit.tenant] = (unknownTenantCents[unit.tenant] ?? 0) + cents;
    } else {
      others.push({
        billingUnit,
        market: unit?.market ?? billingUnit,
        stage: unit?.stage ?? '',
        tenant: unit?.tenant ?? '',
        cents,
      });
    }
  }

  // a shared unit can come out negative (a refund or credit tagged shared): split its size, keep its sign
  const sign = sharedCents < 0 ? -1 : 1;
  const split = splitShared(Math.abs(sharedCents) / 100, input.weights);
  const shareCents: Record<TenantId, number> = Object.fromEntries(
    tenants.map((t) => [t, sign * toCents(split.shares[t] ?? 0) || 0]),
  );
  const sendingCents: Record<TenantId, number> = Object.fromEntries(
    tenants.map((t) => [t, toCents(input.sending[t] ?? 0)]),
  );
  const sendingTotal = Object.values(sendingCents).reduce((s, c) => s + c, 0);
  const untaggedByRecordType = Object.fromEntries(
    [...untaggedRaw].sort(([a], [b]) => a.localeCompare(b)).map(([type, raw]) => [type, toCents(raw)]),
  );
  return {
    totalCents,
    ownCents,
    sharedCents,
    shareCents,
    unallocatedCents: sign * toCents(split.unallocated) || 0,
    sendingCents,
    unknownTenantCents,
    others,
    untaggedByRecordType,
    unattributedCents: totalCents - attributed - sendingTotal,
    creditCents: toCents(creditRaw),
  };
}
