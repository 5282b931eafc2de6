import type { CustomerId, TenantId } from '#domain/ids.ts';
import type { CustomerStateRepo, OutboundQueue } from '#domain/ports.ts';
import { contactOf, type OutboundMessage } from '#domain/triggers.ts';

/**
 * The outbox: firings are written with the state (the same conditional write) and handed off only
 * after it, under deterministic message ids. A crash anywhere repeats a hand-off (senders dedupe on
 * `messageId`) but never a firing; whoever next writes the state carries a leftover outbox along.
 */
export const outboxHandOff =
  (outbound: OutboundQueue, states: CustomerStateRepo) =>
  async (
    tenant: TenantId,
    customerId: CustomerId,
    householdId: string | undefined,
    outbox: readonly OutboundMessage[],
    version: number,
  ): Promise<void> => {
    if (outbox.length === 0) return;
    await outbound.send([...outbox]);
    // a household member's firings count against the household cap of decisions too
    await states.recordContacts(tenant, customerId, outbox.map(contactOf), householdId);
    await states.clearOutbox(tenant, customerId, version);
  };
