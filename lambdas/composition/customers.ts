import { DynamoAuditLog } from '#adapters/dynamo/audit-log.ts';
import { DynamoCampaignMemberships } from '#adapters/dynamo/campaign-memberships.ts';
import { DynamoCustomerRepo } from '#adapters/dynamo/customer-repo.ts';
import { DynamoCustomerDecisions } from '#adapters/dynamo/decision-log-indexes.ts';
import type { PrivacyPorts } from '#app/customers.ts';
import { customerRef } from '#edge/logger.ts';
import type { PlatformEnv } from './platform-env.ts';
import { platformBase } from './platform.ts';

/** The customers API's ports, built once per container. */
export function customerPortsFor(env: PlatformEnv): PrivacyPorts {
  const { db, clock, tableOf, decisionTableOf } = platformBase(env);
  const audit = new DynamoAuditLog(db, tableOf);
  return {
    customers: new DynamoCustomerRepo(db, tableOf),
    clock,
    valueTiers: env.VALUE_TIERS,
    audit,
    // export and erasure reach every store that names the customer
    customerDecisions: new DynamoCustomerDecisions(db, decisionTableOf),
    campaignMemberships: new DynamoCampaignMemberships(db, tableOf, () => clock.now()),
    customerAudit: audit,
    /** The salted reference erasure leaves in the audit trail (the same as log lines use). */
    customerRef: (customerId: string) => customerRef(customerId),
  };
}
