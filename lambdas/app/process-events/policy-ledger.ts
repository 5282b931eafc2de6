import type { ContactRecord } from '#domain/action.ts';
import type { ContactHistory } from '#domain/contact-history.ts';
import { historySince, type ContactPolicy } from '#domain/contact-policy.ts';
import { MARKETING_KINDS } from '#domain/contact-window.ts';
import type { CustomerRecord } from '#domain/customer.ts';
import type { PolicyView } from '#domain/event-fold.ts';
import type { CustomerId, TenantId } from '#domain/ids.ts';
import { ledgerWithPending } from '#domain/triggers.ts';
import { ProcessorWiringError } from './wiring-error.ts';

/**
 * The contact ledger a firing is asked with: the customer's stored contact history over the
 * triggers' look-back and, when the policy caps households, the household's marketing contacts,
 * each with the firings still pending in the outbox.
 */
export const policyLedger =
  (history: ContactHistory | undefined, policy: ContactPolicy) =>
  async (
    tenant: TenantId,
    customerId: CustomerId,
    profile: CustomerRecord | undefined,
    pending: readonly ContactRecord[],
    lookBackDays: number,
    now: Date,
  ): Promise<Pick<PolicyView, 'contacts' | 'household'>> => {
    if (!history)
      throw new ProcessorWiringError(
        'a trigger would fire but the processor has no contact history to ask the contact policy with',
      );
    const cap = policy.household;
    const householdId = cap ? profile?.householdId : undefined;
    const [stored, household] = await Promise.all([
      history.customerContacts(tenant, customerId, historySince(now, lookBackDays)),
      householdId ? history.householdContacts(tenant, householdId, historySince(now, cap!.days)) : undefined,
    ]);
    return {
      contacts: ledgerWithPending(stored, pending),
      ...(household
        ? {
            household: ledgerWithPending(
              household,
              pending.filter((c) => MARKETING_KINDS.has(c.kind)),
            ),
          }
        : {}),
    };
  };
