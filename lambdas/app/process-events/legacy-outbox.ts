import type { ContactPolicy } from '#domain/contact-policy.ts';
import type { CustomerRecord } from '#domain/customer.ts';
import { ConflictError } from '#domain/errors.ts';
import type { CustomerId, TenantId } from '#domain/ids.ts';
import type { ContactLedgers } from '#domain/ports/contact-ledgers.ts';
import { contactOf } from '#domain/pending-contacts.ts';
import type { OutboundMessage } from '#domain/triggers.ts';
import { firingWrites, readPolicyLedgers } from './policy-ledger.ts';
import type { TriggerRules } from './trigger-rules.ts';

const ATTEMPTS = 5;

/**
 * An outbox a processor of before the contact ledger left behind (a crash between its state write
 * and its hand-off) holds firings no ledger counts yet: they join the ledgers before anything else
 * happens to the customer, each once (a contact's id is its message id), and are handed off as any
 * leftover is. Migration only (issue 15, item 6): this processor writes firings with the ledgers.
 */
export const ledgerLegacyOutbox = (ledgers: ContactLedgers | undefined, policy: ContactPolicy) => {
  const read = readPolicyLedgers(ledgers, policy);
  return async (
    tenant: TenantId,
    customerId: CustomerId,
    profile: CustomerRecord | undefined,
    outbox: readonly OutboundMessage[],
    rules: TriggerRules,
    now: Date,
  ): Promise<void> => {
    const fired = outbox.map(contactOf);
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const current = await read(tenant, customerId, profile, rules, now);
      const held = new Set(current.customer.ledger.contacts.map((c) => c.id));
      const missing = fired.filter((c) => !held.has(c.id));
      if (missing.length === 0) return;
      const writes = firingWrites(customerId, current, missing, rules, now);
      if (!writes || (await ledgers!.commit(tenant, writes))) return;
    }
    throw new ConflictError(
      `the contact ledger kept changing under ${ATTEMPTS} attempts; the events will be redelivered`,
    );
  };
};
