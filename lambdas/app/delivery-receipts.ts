import { receiptOfNotification, type ReceiptEvent } from '#domain/delivery/receipts.ts';
import type { TenantId } from '#domain/ids.ts';
import type { EventQueue } from '#domain/ports/events.ts';

export interface ReceiptPorts {
  /** Each tenant's own event queue: the receipts join the tenant's other events there. */
  events: EventQueue;
  /** The market's tenants: a receipt tagged with another tenant is not ours. */
  tenants: ReadonlySet<TenantId>;
}

/** What one batch of notifications came to: events queued per tenant, the rest by why they were left. */
export interface ReceiptOutcome {
  queued: Record<TenantId, number>;
  ignored: Record<string, number>;
}

/**
 * SMS and SES receipts (the SNS notifications of their event destinations) onto the tenants'
 * event queues as `message.delivered` / `message.failed` events. A queue that fails throws, so SNS
 * retries the whole notification; the events' ids make the retry harmless.
 */
export const forwardReceipts =
  (ports: ReceiptPorts) =>
  async (messages: readonly string[]): Promise<ReceiptOutcome> => {
    const byTenant = new Map<TenantId, ReceiptEvent[]>();
    const ignored: Record<string, number> = {};
    const ignore = (reason: string) => (ignored[reason] = (ignored[reason] ?? 0) + 1);
    for (const message of messages) {
      const receipt = receiptOfNotification(message);
      if (receipt.kind === 'ignored') {
        ignore(receipt.reason);
        continue;
      }
      if (!ports.tenants.has(receipt.tenant)) {
        ignore('unknown-tenant');
        continue;
      }
      byTenant.set(receipt.tenant, [...(byTenant.get(receipt.tenant) ?? []), receipt.event]);
    }
    const queued: Record<TenantId, number> = {};
    for (const [tenant, events] of byTenant) {
      await ports.events.enqueue(tenant, events);
      queued[tenant] = events.length;
    }
    return { queued, ignored };
  };
