import type { CustomerId, TenantId } from '#domain/ids.ts';
import type { CustomerStateRepo, OutboundQueue } from '#domain/ports/events.ts';
import type { OutboundMessage } from '#domain/triggers.ts';

/**
 * The outbox: firings are written with the state and their contacts with the contact ledgers (one
 * transaction), and handed off only after it, under deterministic message ids. A crash anywhere
 * repeats a hand-off (senders dedupe on `messageId`) but never a firing; whoever next writes the
 * state carries a leftover outbox along.
 */
export const outboxHandOff =
  (outbound: OutboundQueue, states: CustomerStateRepo) =>
  async (tenant: TenantId, customerId: CustomerId, outbox: readonly OutboundMessage[], version: number) => {
    if (outbox.length === 0) return;
    await outbound.send([...outbox]);
    await states.clearOutbox(tenant, customerId, version);
  };
