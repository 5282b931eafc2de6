import type { Action } from '#domain/action.ts';
import { customerBounds, householdBounds, type LedgerBounds } from '#domain/contact-ledger.ts';
import { historyDays, type ContactPolicy } from '#domain/contact-policy.ts';

/** What a decision derives from the tenant's catalog and the policy: the same for every decision until either changes. */
export interface CatalogFacts {
  policy: ContactPolicy;
  /** The limits the customer's ledger is kept to: the policy's windows and every action's per-customer limits. */
  bounds: LedgerBounds;
  household: LedgerBounds;
  /** How far back the policy looks, in days: what a ledger built from items of before it reads. */
  historyDays: number;
  actionIds: string[];
}

const facts = new WeakMap<readonly Action[], CatalogFacts>();

/** Once per cached catalog array (the container's catalog cache hands out the same one), not per decision. */
export function catalogFacts(actions: readonly Action[], policy: ContactPolicy): CatalogFacts {
  let f = facts.get(actions);
  if (f?.policy !== policy) {
    f = {
      policy,
      bounds: customerBounds(policy, actions),
      household: householdBounds(policy),
      historyDays: historyDays(policy, actions),
      actionIds: actions.map((a) => a.actionId),
    };
    facts.set(actions, f);
  }
  return f;
}
