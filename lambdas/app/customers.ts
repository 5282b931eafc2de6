import { consentChange, type AuditLog } from '#domain/audit.ts';
import type { Clock } from '#domain/clock.ts';
import { stateView } from '#domain/customer-state.ts';
import {
  valueTierOf,
  type CustomerRecord,
  type CustomerView,
  type Profile,
  type ValueTierThresholds,
} from '#domain/customer.ts';
import { ConflictError, NotFoundError, PreconditionFailedError } from '#domain/errors.ts';
import type { CustomerId, TenantId } from '#domain/ids.ts';
import { decisionView } from '#domain/decisioning/decision-record.ts';
import type { CustomerDecisions, CustomerRepo } from '#domain/ports.ts';

export interface CustomerPorts {
  customers: CustomerRepo;
  clock: Clock;
  valueTiers: ValueTierThresholds;
  /** Consent changes are recorded here when present. */
  audit?: AuditLog;
}

/** Export and erasure reach the customer's decisions in the decision log too. */
export interface PrivacyPorts extends CustomerPorts {
  customerDecisions: CustomerDecisions;
}

const spendOf = (state: Record<string, unknown> | undefined): number => {
  const spend = (state?.['spend30d'] as { value?: number } | undefined)?.value;
  return typeof spend === 'number' ? spend : 0;
};

export const viewOf = (
  record: CustomerRecord,
  state: Record<string, unknown> | undefined,
  contacts: Record<string, unknown>[],
  tiers: ValueTierThresholds,
): CustomerView => ({
  ...record,
  valueTier: valueTierOf(record, tiers, spendOf(state)),
  state: state ?? {},
  recentContacts: contacts,
});

export const getCustomer =
  (ports: CustomerPorts) =>
  async (tenant: TenantId, customerId: CustomerId): Promise<CustomerView> => {
    const agg = await ports.customers.load(tenant, customerId);
    if (!agg.record) throw new NotFoundError(`customer ${customerId} not found`);
    // the state's windows slide on with the platform clock between events
    return viewOf(
      agg.record,
      stateView(agg.state, ports.clock.now(), { dedupeWindowHours: 24 }),
      agg.contacts,
      ports.valueTiers,
    );
  };

export interface PutCustomerInput {
  customerId: CustomerId;
  profile: Profile;
  /** From If-Match; undefined means unconditional. */
  ifMatch?: number;
  /** The key that made the change (for the audit trail). */
  actorKeyId?: string;
}

export const putCustomer =
  (ports: CustomerPorts) =>
  async (tenant: TenantId, input: PutCustomerInput): Promise<{ created: boolean; customer: CustomerView }> => {
    const agg = await ports.customers.load(tenant, input.customerId);
    if (agg.erasedAt) throw new ConflictError(`customer ${input.customerId} was erased and cannot be recreated`);
    const current = agg.record;
    if (input.ifMatch !== undefined && current?.version !== input.ifMatch) {
      throw new PreconditionFailedError(`customer ${input.customerId} is not at version ${input.ifMatch}`);
    }
    const now = ports.clock.now().toISOString();
    const record: CustomerRecord = {
      ...input.profile,
      customerId: input.customerId,
      version: (current?.version ?? 0) + 1,
      createdAt: current?.createdAt ?? now,
      updatedAt: now,
      ...(current?.scores ? { scores: current.scores } : {}),
    };
    // The stored version, not the header, guards the write, so two concurrent PUTs cannot both win.
    await ports.customers.save(tenant, record, current?.version ?? 0);
    const consent = consentChange(current?.consent, record.consent);
    if (consent && ports.audit) {
      await ports.audit.record({
        tenant,
        keyId: input.actorKeyId ?? 'unknown',
        what: 'customer.consent',
        subject: input.customerId,
        at: now,
        ...consent,
      });
    }
    return { created: !current, customer: viewOf(record, agg.state, agg.contacts, ports.valueTiers) };
  };

export const deleteCustomer =
  (ports: PrivacyPorts) =>
  async (tenant: TenantId, customerId: CustomerId): Promise<void> => {
    const agg = await ports.customers.load(tenant, customerId);
    if (!agg.record && !agg.state && agg.ledger.version === 0 && agg.contacts.length === 0) {
      throw new NotFoundError(`customer ${customerId} not found`);
    }
    // The decision log first: if that fails the customer is still there and DELETE can be
    // repeated (after the tombstone it answers 404). Then the tombstone, which stops new
    // decisions, and a last sweep for any decision made meanwhile.
    await ports.customerDecisions.eraseCustomer(tenant, customerId);
    await ports.customers.erase(tenant, customerId, ports.clock.now());
    await ports.customerDecisions.eraseCustomer(tenant, customerId);
  };

/** Subject access: every item under the customer, and every decision of the log about it (expired or not). */
export const exportCustomer = (ports: PrivacyPorts) => async (tenant: TenantId, customerId: CustomerId) => {
  const items = await ports.customers.exportAll(tenant, customerId);
  const live = items.filter((i) => i['kind'] !== 'tombstone');
  if (live.length === 0) throw new NotFoundError(`customer ${customerId} not found`);
  const decisions = await ports.customerDecisions.ofCustomer(tenant, customerId);
  return {
    customerId,
    exportedAt: ports.clock.now().toISOString(),
    items: live,
    decisions: decisions.map(decisionView),
  };
};

export const getHousehold = (ports: CustomerPorts) => async (tenant: TenantId, householdId: string) => {
  const members = await ports.customers.household(tenant, householdId);
  if (members.length === 0) throw new NotFoundError(`household ${householdId} not found`);
  const monthlyValue = members.reduce((sum, m) => sum + (m.monthlyCharge ?? 0), 0);
  return {
    householdId,
    members: members.map((m) => ({
      customerId: m.customerId,
      segment: m.segment,
      tariff: m.tariff,
      monthlyCharge: m.monthlyCharge,
      valueTier: valueTierOf(m, ports.valueTiers),
    })),
    monthlyValue: Math.round(monthlyValue * 100) / 100,
  };
};
