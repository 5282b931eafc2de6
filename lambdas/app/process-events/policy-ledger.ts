import type { ContactRecord } from '#domain/action.ts';
import {
  ledgerContactsOf,
  ledgerRecords,
  marketingPart,
  withContacts,
  type StoredLedger,
} from '#domain/contact-ledger.ts';
import { historySince, type ContactPolicy } from '#domain/contact-policy.ts';
import { MARKETING_KINDS } from '#domain/contact-window.ts';
import type { CustomerRecord } from '#domain/customer.ts';
import type { PolicyView } from '#domain/event-fold.ts';
import type { CustomerId, TenantId } from '#domain/ids.ts';
import type { ContactLedgers, LedgerWrites } from '#domain/ports/contact-ledgers.ts';
import { ledgerWithPending } from '#domain/pending-contacts.ts';
import type { TriggerRules } from './trigger-rules.ts';
import { ProcessorWiringError } from './wiring-error.ts';

/** The ledgers a batch's firings are asked against and committed to, as read (strongly consistent). */
export interface PolicyLedgers {
  customer: StoredLedger;
  /** The household's, when the customer is in one and the policy caps households. */
  household?: StoredLedger & { householdId: string };
}

/** Reads the customer's contact ledger and, when the policy caps households, its household's. */
export const readPolicyLedgers =
  (ledgers: ContactLedgers | undefined, policy: ContactPolicy) =>
  async (
    tenant: TenantId,
    customerId: CustomerId,
    profile: CustomerRecord | undefined,
    rules: TriggerRules,
    now: Date,
  ): Promise<PolicyLedgers> => {
    if (!ledgers)
      throw new ProcessorWiringError(
        'a trigger would fire but the processor has no contact ledger to ask the contact policy with',
      );
    const householdId = policy.household ? profile?.householdId : undefined;
    const [customer, household] = await Promise.all([
      ledgers.customer(tenant, customerId, { since: historySince(now, rules.historyDays), bounds: rules.bounds, now }),
      householdId
        ? ledgers.household(
            tenant,
            householdId,
            { since: historySince(now, policy.household!.days), bounds: rules.household, now },
            true,
          )
        : undefined,
    ]);
    return { customer, ...(household && householdId ? { household: { ...household, householdId } } : {}) };
  };

/**
 * The ledgers as a fold asks the policy with them: each with the firings still pending in the
 * outbox (counted once: a firing written with its ledger is in both).
 */
export function policyViewOf(
  ledgers: PolicyLedgers,
  pending: readonly ContactRecord[],
): Pick<PolicyView, 'contacts' | 'household'> {
  return {
    contacts: ledgerWithPending(ledgerRecords(ledgers.customer.ledger), pending),
    ...(ledgers.household
      ? {
          household: ledgerWithPending(
            ledgerRecords(ledgers.household.ledger),
            pending.filter((c) => MARKETING_KINDS.has(c.kind)),
          ),
        }
      : {}),
  };
}

/**
 * The ledgers' next versions with a batch's firings, committed in the same transaction as the
 * state that carries them in its outbox; undefined when nothing fired that a limit counts (a
 * contact no limit counts is not kept, so there is nothing to guard).
 */
export function firingWrites(
  customerId: CustomerId,
  ledgers: PolicyLedgers | undefined,
  fired: readonly ContactRecord[],
  rules: TriggerRules,
  now: Date,
): LedgerWrites | undefined {
  if (!ledgers || fired.length === 0) return undefined;
  const contacts = ledgerContactsOf(fired);
  const next = withContacts(ledgers.customer.ledger, contacts, rules.bounds, now);
  const counted = next.contacts.some((c) => contacts.some((f) => f.id === c.id));
  const shared = contacts.flatMap((c) => marketingPart(c) ?? []);
  const h = ledgers.household && shared.length ? ledgers.household : undefined;
  if (!counted && !h) return undefined;
  return {
    customerId,
    customer: { ledger: next, expectedVersion: ledgers.customer.version },
    ...(h
      ? {
          household: {
            householdId: h.householdId,
            ledger: withContacts(h.ledger, shared, rules.household, now),
            expectedVersion: h.version,
          },
        }
      : {}),
  };
}
