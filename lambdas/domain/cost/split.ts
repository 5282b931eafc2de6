import type { TenantId } from '../ids.ts';

const toCents = (usd: number) => Math.round(usd * 100);

/**
 * Splits a shared cost between tenants in proportion to their weights, to the cent: shares are
 * whole cents that add up to the rounded total exactly (largest remainder; ties by tenant id).
 * A tenant with zero weight gets zero. With no weight at all nothing can be split: every share is
 * zero and the whole amount is `unallocated`.
 */
export function splitShared(
  totalUsd: number,
  weights: Record<TenantId, number>,
): { shares: Record<TenantId, number>; unallocated: number } {
  const cents = toCents(totalUsd);
  const tenants = Object.keys(weights).sort();
  const sum = tenants.reduce((s, t) => s + Math.max(0, weights[t] ?? 0), 0);
  const shares: Record<TenantId, number> = Object.fromEntries(tenants.map((t) => [t, 0]));
  if (sum <= 0 || cents === 0) return { shares, unallocated: cents / 100 };
  const exact = tenants.map((t) => ({ t, raw: (cents * Math.max(0, weights[t] ?? 0)) / sum }));
  const floored = exact.map((e) => ({ ...e, cents: Math.floor(e.raw), rest: e.raw - Math.floor(e.raw) }));
  let left = cents - floored.reduce((s, e) => s + e.cents, 0);
  for (const e of [...floored].filter((e) => e.raw > 0).sort((a, b) => b.rest - a.rest || a.t.localeCompare(b.t))) {
    if (left <= 0) break;
    e.cents += 1;
    left -= 1;
  }
  for (const e of floored) shares[e.t] = e.cents / 100;
  return { shares, unallocated: 0 };
}

/** Weight of a tenant's metered usage: each meter's count times its unit cost (activity-based). */
export function usageWeight(
  usage: Partial<Record<string, number>>,
  unitCosts: Partial<Record<string, number>>,
): number {
  return Object.entries(usage).reduce((s, [name, count]) => s + (count ?? 0) * (unitCosts[name] ?? 0), 0);
}
