import { consentChange, type AuditLog, type CustomerAuditTrail } from '#domain/audit.ts';
import type { CampaignMemberships } from '#domain/campaign/ports.ts';
import type { Clock } from '#domain/clock.ts';
import { stateView, type StateView } from '#domain/customer-state.ts';
import {
  valueTierOf,
  type CustomerRecord,
  type CustomerView,
  type Profile,
  type ValueTierThresholds,
} from '#domain/customer.ts';
import { ConflictError, NotFoundError, PreconditionFailedError } from '#domain/errors.ts';
import type { CustomerId, TenantId } from '#domain/ids.ts';
import { mergePatch } from '#domain/merge-patch.ts';
import { ifMatchHolds, versionTag, type IfMatch } from '#domain/preconditions.ts';
import { decisionView } from '#domain/decisioning/decision-record.ts';
import type { CustomerDecisions } from '#domain/ports/decisions.ts';
import type { CustomerRepo } from '#domain/ports/customers.ts';
import { effectiveScores } from '#domain/scoring/realtime-score.ts';

export interface CustomerPorts {
  customers: CustomerRepo;
  clock: Clock;
  valueTiers: ValueTierThresholds;
  /** Consent changes are recorded here when present. */
  audit?: AuditLog;
}

/**
 * Export and erasure reach every store that names the customer: its own items, the decision log,
 * campaign memberships and audience lists, and the audit entries about it. Messages already
 * queued are stopped at send time by the tombstone (deliver-outbound.ts).
 */
export interface PrivacyPorts extends CustomerPorts {
  customerDecisions: CustomerDecisions;
  campaignMemberships: CampaignMemberships;
  customerAudit: CustomerAuditTrail;
  /** The market's salted reference of a customer: what redacted audit entries keep. */
  customerRef: (customerId: CustomerId) => string;
}

const spendOf = (state: StateView | undefined): number => state?.spend30d?.value ?? 0;

export const viewOf = (
  record: CustomerRecord,
  state: StateView | undefined,
  contacts: Record<string, unknown>[],
  tiers: ValueTierThresholds,
): CustomerView => ({
  ...record,
  // the real-time churn score, when the processor computed one after the nightly run
  ...(state?.scores ? { scores: effectiveScores(record.scores, state) } : {}),
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
    return viewOf(agg.record, stateView(agg.state, ports.clock.now()), agg.contacts, ports.valueTiers);
  };

export interface PutCustomerInput {
  customerId: CustomerId;
  profile: Profile;
  /** From If-Match; undefined means unconditional. */
  ifMatch?: IfMatch;
  /** The key that made the change (for the audit trail). */
  actorKeyId?: string;
}

/**
 * Reads a write lost to a concurrent one may take before giving up with 409. Every lost race
 * means another write won, so ten concurrent PUTs need at most nine retries of the last one.
 */
const PUT_ATTEMPTS = 25;

/** What a profile write needs besides the profile: its precondition and who makes it. */
interface ProfileWrite {
  customerId: CustomerId;
  /** From If-Match; undefined means unconditional. */
  ifMatch?: IfMatch;
  actorKeyId?: string;
}

/**
 * Writes the profile `next` makes of the stored one. The stored version guards the write, so two
 * concurrent writes cannot both win; the loser reads again and asks `next` again on the fresh
 * profile (an unconditional PUT is last-writer-wins and never a 412; a PATCH re-applies its patch).
 * A conditional write is evaluated against each fresh read, so one that lost its race to another
 * write fails with 412 as RFC 9110 13.1.1 asks.
 */
const writeProfile =
  (ports: CustomerPorts) =>
  async (
    tenant: TenantId,
    write: ProfileWrite,
    next: (current: CustomerRecord | undefined) => Profile,
  ): Promise<{ created: boolean; customer: CustomerView }> => {
    for (let attempt = 1; ; attempt++) {
      // after a lost race, a consistent read: an eventually consistent one may still show the old version
      const agg = await ports.customers.load(tenant, write.customerId, attempt > 1 ? { consistent: true } : {});
      if (agg.erasedAt) throw new ConflictError(`customer ${write.customerId} was erased and cannot be recreated`);
      const current = agg.record;
      if (write.ifMatch && !ifMatchHolds(write.ifMatch, current ? versionTag(current.version) : undefined)) {
        throw new PreconditionFailedError(
          current
            ? `customer ${write.customerId} is at version ${current.version}, which If-Match does not name`
            : `customer ${write.customerId} does not exist, so If-Match cannot hold`,
        );
      }
      const now = ports.clock.now().toISOString();
      const record: CustomerRecord = {
        ...next(current),
        customerId: write.customerId,
        version: (current?.version ?? 0) + 1,
        createdAt: current?.createdAt ?? now,
        updatedAt: now,
        ...(current?.scores ? { scores: current.scores } : {}),
      };
      try {
        await ports.customers.save(tenant, record, current?.version ?? 0);
      } catch (err) {
        // a concurrent write moved the version on: read it again (an erasure answers 409 above)
        if (!(err instanceof PreconditionFailedError)) throw err;
        if (attempt >= PUT_ATTEMPTS)
          throw new ConflictError(`customer ${write.customerId} is being changed by many writers at once; retry`);
        continue;
      }
      const consent = consentChange(current?.consent, record.consent);
      if (consent && ports.audit) {
        await ports.audit.record({
          tenant,
          keyId: write.actorKeyId ?? 'unknown',
          what: 'customer.consent',
          subject: write.customerId,
          at: now,
          ...consent,
        });
      }
      // the state as GET shows it: measured at the platform clock, its storage (buckets, event ids) left out
      const state = stateView(agg.state, ports.clock.now());
      return { created: !current, customer: viewOf(record, state, agg.contacts, ports.valueTiers) };
    }
  };

/** PUT: creates or replaces the whole profile. */
export const putCustomer = (ports: CustomerPorts) => (tenant: TenantId, input: PutCustomerInput) =>
  writeProfile(ports)(tenant, input, () => input.profile);

export interface PatchCustomerInput extends ProfileWrite {
  /** An RFC 7396 merge patch over the stored profile. */
  patch: Record<string, unknown>;
  /** The profile rules a PUT body meets (the HTTP schema): the patched profile must meet them too. */
  validate: (merged: unknown) => Profile;
}

/**
 * PATCH: applies a JSON Merge Patch to the stored profile, so a partial update keeps everything
 * it does not name (consent, household). The patched profile is validated as a PUT body is; on a
 * lost race the patch is applied again to the newer profile.
 */
export const patchCustomer =
  (ports: CustomerPorts) =>
  async (tenant: TenantId, input: PatchCustomerInput): Promise<CustomerView> =>
    (
      await writeProfile(ports)(tenant, input, (current) => {
        if (!current) throw new NotFoundError(`customer ${input.customerId} not found`);
        return input.validate(mergePatch(current, input.patch));
      })
    ).customer;

export const deleteCustomer =
  (ports: PrivacyPorts) =>
  async (tenant: TenantId, customerId: CustomerId): Promise<void> => {
    const agg = await ports.customers.load(tenant, customerId);
    if (agg.erasedAt) {
      // a DELETE repeated after an interrupted erasure finishes it, and still answers 404
      await forgetElsewhere(ports, tenant, customerId);
      throw new NotFoundError(`customer ${customerId} not found`);
    }
    if (!agg.record && !agg.state && agg.ledger.version === 0 && agg.contacts.length === 0) {
      throw new NotFoundError(`customer ${customerId} not found`);
    }
    // The other stores first: if one fails the customer is still there and DELETE can be
    // repeated. Then the tombstone, which stops new decisions, memberships and consent changes,
    // and a last sweep for anything written meanwhile.
    await forgetElsewhere(ports, tenant, customerId);
    await ports.customers.erase(tenant, customerId, ports.clock.now());
    await forgetElsewhere(ports, tenant, customerId);
  };

/** Everything outside the customer's own partition that names it; each step is idempotent. */
async function forgetElsewhere(ports: PrivacyPorts, tenant: TenantId, customerId: CustomerId): Promise<void> {
  await ports.customerDecisions.eraseCustomer(tenant, customerId);
  await ports.campaignMemberships.forgetCustomer(tenant, customerId);
  await ports.customerAudit.redactCustomer(tenant, customerId, ports.customerRef(customerId));
}

/**
 * Subject access: every item under the customer, every decision of the log about it (expired or
 * not), its campaign memberships and the audit entries about it.
 */
export const exportCustomer = (ports: PrivacyPorts) => async (tenant: TenantId, customerId: CustomerId) => {
  const items = await ports.customers.exportAll(tenant, customerId);
  const live = items.filter((i) => i['kind'] !== 'tombstone');
  if (live.length === 0) throw new NotFoundError(`customer ${customerId} not found`);
  const [decisions, campaigns, audiences, audit] = await Promise.all([
    ports.customerDecisions.ofCustomer(tenant, customerId),
    ports.campaignMemberships.membershipsOf(tenant, customerId),
    ports.campaignMemberships.audiencesNaming(tenant, customerId),
    ports.customerAudit.aboutCustomer(tenant, customerId),
  ]);
  return {
    customerId,
    exportedAt: ports.clock.now().toISOString(),
    items: live,
    decisions: decisions.map(decisionView),
    campaigns,
    audiences,
    audit,
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
