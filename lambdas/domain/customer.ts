import type { CustomerId } from './ids.ts';
import type { StateView } from './customer-state.ts';
import type { NpsClass } from './nps.ts';

export const CHANNELS = ['ussd', 'app', 'call-centre', 'sms', 'push', 'email', 'retail'] as const;
export type Channel = (typeof CHANNELS)[number];

export const CONTRACTS = ['month-to-month', 'one-year', 'two-year', 'prepaid'] as const;
export type Contract = (typeof CONTRACTS)[number];

export type Scalar = string | number | boolean | null;

/** What a channel or campaign system writes about a customer (PUT body). */
export interface Profile {
  segment?: string;
  tariff?: string;
  tenureMonths?: number;
  monthlyCharge?: number;
  contract?: Contract;
  /** ISO date (YYYY-MM-DD): the contract's last day; lifecycle.ts derives the stage from it. */
  contractEndDate?: string;
  products?: string[];
  householdId?: string;
  accountId?: string;
  parentAccountId?: string;
  consent?: Partial<Record<Channel, boolean>>;
  language?: string;
  attributes?: Record<string, Scalar>;
}

export interface ScoreValue {
  value: number;
  model: string;
  version: string;
  at: string;
}
export interface Scores {
  churn?: ScoreValue;
  crossSell?: Record<string, ScoreValue>;
  nps?: { score: number; class: NpsClass; model: string; version: string; at: string };
}

/** A stored profile with the fields the platform owns. */
export interface CustomerRecord extends Profile {
  customerId: CustomerId;
  /** 1 for a profile stored before versions (it has none), as for every versioned resource. */
  version: number;
  /** Absent on profiles stored before versions: not known, and never made up. */
  createdAt?: string;
  updatedAt?: string;
  scores?: Scores;
}

export type ValueTier = 'platinum' | 'gold' | 'silver' | 'bronze';
export interface ValueTierThresholds {
  platinum: number;
  gold: number;
  silver: number;
}

/**
 * Monthly value: the recurring charge, or recent spend when the customer is prepaid and the
 * state knows it; long tenure and several products lift the tier by one step.
 */
export function valueTierOf(
  profile: Pick<Profile, 'monthlyCharge' | 'tenureMonths' | 'products'>,
  thresholds: ValueTierThresholds,
  spend30d = 0,
): ValueTier {
  const spend = Math.max(profile.monthlyCharge ?? 0, spend30d);
  const tiers: ValueTier[] = ['bronze', 'silver', 'gold', 'platinum'];
  let rank = spend >= thresholds.platinum ? 3 : spend >= thresholds.gold ? 2 : spend >= thresholds.silver ? 1 : 0;
  const loyal = (profile.tenureMonths ?? 0) >= 48 && (profile.products?.length ?? 0) >= 3;
  if (loyal && rank < 3 && rank > 0) rank += 1;
  return tiers[rank]!;
}

/** The customer as GET answers it: the profile flat plus derived, read-only fields. */
export interface CustomerView extends CustomerRecord {
  valueTier: ValueTier;
  state: StateView;
  recentContacts: unknown[];
}

const stable = (value: unknown): string =>
  JSON.stringify(value, (_k, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );

const PLATFORM_FIELDS = new Set(['customerId', 'version', 'createdAt', 'updatedAt', 'scores']);

/** True when two records hold the same profile, whatever the platform-owned fields say. */
export function sameProfile(a: Profile, b: Profile): boolean {
  const strip = (p: Profile) =>
    Object.fromEntries(Object.entries(p).filter(([k, v]) => !PLATFORM_FIELDS.has(k) && v !== undefined));
  return stable(strip(a)) === stable(strip(b));
}
