import { MARKETING_KINDS, type ActionKind } from '../contact-window.ts';
import type { Reason } from '../contact-policy.ts';

/**
 * Experiments: a sticky global control group (no marketing at all) and a champion/challenger
 * split of the arbitration strategy. Membership is a pure function of tenant, customer and
 * experiment id, so every decision, campaign and report agrees on it without storing anything.
 */
export type ExperimentGroup = 'control' | 'champion' | 'challenger';

export interface ExperimentConfig {
  /** Changing the id reshuffles everyone (a new experiment). */
  id: string;
  /** Share of customers in the global control group, 0-100. */
  controlPercent: number;
  /** Share of the remaining customers on the challenger strategy, 0-100. */
  challengerPercent: number;
}

/** cyrb53: a fast, well-mixed 53-bit string hash (public domain); deterministic across runtimes. */
export function hash53(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** A uniform number in [0, 1) from a string. */
export const unitHash = (text: string, seed = 0): number => hash53(text, seed) / 2 ** 53;

export function experimentGroup(tenant: string, customerId: string, config: ExperimentConfig): ExperimentGroup {
  const key = `${tenant}\u0000${customerId}\u0000${config.id}`;
  if (unitHash(key) * 100 < config.controlPercent) return 'control';
  return unitHash(key, 1) * 100 < config.challengerPercent ? 'challenger' : 'champion';
}

/**
 * The global control group is held out of marketing by every path (decisions, triggers and, through
 * decisions, campaigns): offers and retention never reach it, so its behaviour is the baseline
 * every uplift is measured against. Service and information treatments still do: a control
 * customer with a broken line still gets the proactive call.
 */
export const heldOut = (group: ExperimentGroup | undefined, kind: ActionKind): boolean =>
  group === 'control' && MARKETING_KINDS.has(kind);

export const CONTROL_GROUP_REASON: Reason = {
  code: 'control-group',
  detail: 'global control group: no marketing',
};
