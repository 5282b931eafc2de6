import { offsetClock, systemClock } from '#adapters/clock.ts';
import { DynamoAuditLog } from '#adapters/dynamo/audit-log.ts';
import { DynamoCampaignStore } from '#adapters/dynamo/campaign-store.ts';
import { documentClient } from '#adapters/dynamo/client.ts';
import { DynamoCustomerRepo } from '#adapters/dynamo/customer-repo.ts';
import { DynamoCustomerDecisions } from '#adapters/dynamo/decision-log-indexes.ts';
import { DynamoKeyStore } from '#adapters/dynamo/key-store.ts';
import type { Clock } from '#domain/clock.ts';
import { customerRef } from '#edge/logger.ts';
import { meter } from './container-meter.ts';
import type { PlatformEnv } from './platform-env.ts';
import { decisionTablesOf, ownedTablesOf, tenantTableOf } from './tenant-tables.ts';

/** The composition root: concrete adapters for the ports, built once per container. */
export function adaptersFor(env: PlatformEnv) {
  // The capacity each call consumes is metered to the table's tenant (no extra call or write).
  const db = documentClient({
    endpoint: env.DYNAMODB_ENDPOINT,
    region: env.AWS_REGION,
    metering: { meter, tenantTables: ownedTablesOf(env) },
  });
  const tableOf = tenantTableOf(env.TENANT_TABLES);
  const decisionTableOf = tenantTableOf(decisionTablesOf(env));
  // CVM_NOW runs the platform clock from a chosen instant (local runs and demos only).
  const audit = new DynamoAuditLog(db, tableOf);
  const clock: Clock = env.CVM_NOW ? offsetClock(new Date(env.CVM_NOW), Date.now) : systemClock;
  return {
    db,
    clock,
    tableOf,
    decisionTableOf,
    customers: new DynamoCustomerRepo(db, tableOf),
    /** A customer's decisions in the decision log (export and erasure). */
    customerDecisions: new DynamoCustomerDecisions(db, decisionTableOf),
    keys: new DynamoKeyStore(db, env.KEYS_TABLE),
    /** Who changed what, in the tenant's own table (consent, keys, catalog, triggers, campaigns). */
    audit,
    /** The audit entries about one customer (export and erasure). */
    customerAudit: audit,
    /** A customer's campaign memberships and audience lists (export and erasure). */
    campaignMemberships: new DynamoCampaignStore(db, tableOf),
    /** The salted reference erasure leaves in the audit trail (the same as log lines use). */
    customerRef: (customerId: string) => customerRef(customerId),
    valueTiers: env.VALUE_TIERS,
    /**
     * Per-tenant metering (EMF in Lambda, .local/metering.jsonl locally); API calls are metered by
     * the pipeline, DynamoDB capacity by `db`. Entry points flush it when the invocation ends.
     */
    meter,
  };
}

export type Adapters = ReturnType<typeof adaptersFor>;
