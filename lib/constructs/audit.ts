import type { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { MarketConfig } from '#config/market-config.ts';
import type { CustomerStore } from './customer-store.ts';
import { CvmFunction } from './cvm-function.ts';

export interface AuditApiProps {
  readonly config: MarketConfig;
  readonly store: CustomerStore;
  readonly logRemovalPolicy: RemovalPolicy;
}

/**
 * The audit trail's read side: `GET /v1/audit` (admin keys). Entries are written by the functions
 * that make the changes, into the tenant's own table; this function may only read those tables.
 */
export class AuditApi extends Construct {
  readonly apiFunction: CvmFunction;

  constructor(scope: Construct, id: string, props: AuditApiProps) {
    super(scope, id);
    const { config, store } = props;
    this.apiFunction = new CvmFunction(this, 'AuditFn', {
      handlerFile: 'serve-audit.ts',
      description: 'Audit trail of a tenant: who changed consent, keys, catalog, triggers, campaigns',
      logRetentionDays: config.retention.logsDays,
      logRemovalPolicy: props.logRemovalPolicy,
      memorySize: 512,
      environment: { MARKET: config.code, ...store.tableNamesEnv() },
    });
    // least privilege: Query on the tenant tables (audit partitions), no index, no write
    for (const table of Object.values(store.tables)) {
      this.apiFunction.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: [table.tableArn] }),
      );
      table.encryptionKey?.grantDecrypt(this.apiFunction);
    }
  }
}
