import { Names, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { deploymentOf, type MarketConfig } from '#config/market-config.ts';
import {
  DECISION_TABLE,
  decisionTableName,
  IDEMPOTENCY_TABLE,
  idempotencyTableName,
  KEYS_TABLE,
  keysTableName,
  SCORE_RUN_PK_PREFIX,
  TENANT_TABLE,
  tenantTableName,
  type IndexDesign,
  type KeyAttribute,
  type TableDesign,
} from '../../lambdas/adapters/dynamo/table-design.ts';
import { tagTenant } from './cost-allocation.ts';

export interface CustomerStoreProps {
  readonly config: MarketConfig;
}

const attr = (a: KeyAttribute): dynamodb.Attribute => ({
  name: a.name,
  type: a.type === 'N' ? dynamodb.AttributeType.NUMBER : dynamodb.AttributeType.STRING,
});

/** What a stage keeps of its data when it is torn down (stage config: prod-like keeps all, dev none). */
export interface DataProtection {
  deletionProtection: boolean;
  removalPolicy: RemovalPolicy;
}

export const dataProtectionOf = (config: MarketConfig): DataProtection => ({
  deletionProtection: config.stage.deletionProtection,
  removalPolicy: config.stage.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
});

const projectionOf = (index: IndexDesign) =>
  index.projection?.type === 'KEYS_ONLY'
    ? { projectionType: dynamodb.ProjectionType.KEYS_ONLY }
    : index.projection?.type === 'INCLUDE'
      ? { projectionType: dynamodb.ProjectionType.INCLUDE, nonKeyAttributes: index.projection.attributes }
      : { projectionType: dynamodb.ProjectionType.ALL };

/** A table built from its design: keys, GSIs and TTL exactly as the local runtime has them. */
function tableFromDesign(
  scope: Construct,
  id: string,
  design: TableDesign,
  tableName: string,
  key: kms.IKey,
  protection: DataProtection = { deletionProtection: true, removalPolicy: RemovalPolicy.RETAIN },
  { pointInTimeRecovery = true }: { pointInTimeRecovery?: boolean } = {},
): dynamodb.Table {
  const table = new dynamodb.Table(scope, id, {
    tableName,
    partitionKey: attr(design.partitionKey),
    ...(design.sortKey ? { sortKey: attr(design.sortKey) } : {}),
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: pointInTimeRecovery },
    encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
    encryptionKey: key,
    ...protection,
    ...(design.ttlAttribute ? { timeToLiveAttribute: design.ttlAttribute } : {}),
  });
  for (const index of design.indexes) {
    table.addGlobalSecondaryIndex({
      indexName: index.indexName,
      partitionKey: attr(index.partitionKey),
      ...(index.sortKey ? { sortKey: attr(index.sortKey) } : {}),
      ...projectionOf(index),
    });
  }
  return table;
}

/**
 * Customer data, siloed: per tenant one table, one decision log table and one KMS key for both
 * (tagged with the tenant, so its storage cost is exact), plus the market's shared table of API
 * key hashes. The decision log is a table of its own so the nightly scans of the tenant table
 * never read it.
 */
export class CustomerStore extends Construct {
  readonly tables: Record<string, dynamodb.ITable>;
  /** tenant -> its decision log. */
  readonly decisionTables: Record<string, dynamodb.ITable>;
  readonly keysTable: dynamodb.ITable;
  /** The market's Powertools idempotency records (Idempotency-Key on POSTs), 24 h by TTL. */
  readonly idempotencyTable: dynamodb.Table;
  private readonly ownTables: Record<string, dynamodb.Table> = {};
  private readonly ownDecisionTables: Record<string, dynamodb.Table> = {};

  constructor(scope: Construct, id: string, props: CustomerStoreProps) {
    super(scope, id);
    const { config } = props;
    const protection = dataProtectionOf(config);

    for (const tenant of config.tenants) {
      const silo = new Construct(this, `Tenant-${tenant.id}`);
      const key = new kms.Key(silo, 'Key', {
        description: `Customer data of tenant ${tenant.id} in market ${config.code}, stage ${config.stage.name}`,
        enableKeyRotation: true,
        removalPolicy: protection.removalPolicy,
      });
      this.ownTables[tenant.id] = tableFromDesign(
        silo,
        'Table',
        TENANT_TABLE,
        tenantTableName(deploymentOf(config), tenant.id),
        key,
        protection,
      );
      const decisionTable = tableFromDesign(
        silo,
        'DecisionTable',
        DECISION_TABLE,
        decisionTableName(deploymentOf(config), tenant.id),
        key,
        protection,
        { pointInTimeRecovery: config.retention.decisionLogPitr },
      );
      if (!config.retention.decisionLogPitr)
        Validations.of(decisionTable).acknowledge({
          id: 'AwsSolutions-DDB3',
          reason:
            "The market config turns the decision log's point-in-time recovery off (retention.decisionLogPitr): a restore of the audit log traded for about a tenth of a decision's cost (docs/capacity.md).",
        });
      this.ownDecisionTables[tenant.id] = decisionTable;
      tagTenant(silo, config, tenant);
    }
    this.tables = { ...this.ownTables };
    this.decisionTables = { ...this.ownDecisionTables };

    const keysKey = new kms.Key(this, 'KeysKey', {
      description: `API key hashes of market ${config.code}, stage ${config.stage.name}`,
      enableKeyRotation: true,
      removalPolicy: protection.removalPolicy,
    });
    this.keysTable = tableFromDesign(
      this,
      'KeysTable',
      KEYS_TABLE,
      keysTableName(deploymentOf(config)),
      keysKey,
      protection,
    );
    // Answers kept 24 h for replay: no point-in-time recovery (nothing worth restoring a day later)
    this.idempotencyTable = tableFromDesign(
      this,
      'IdempotencyTable',
      IDEMPOTENCY_TABLE,
      idempotencyTableName(deploymentOf(config)),
      keysKey,
      protection,
      { pointInTimeRecovery: false },
    );
    Validations.of(this.idempotencyTable).acknowledge({
      id: 'AwsSolutions-DDB3',
      reason:
        'Idempotency-Key answers live 24 hours for replay only; a point-in-time restore would bring back nothing a client could still use.',
    });
  }

  /** The routes that take an Idempotency-Key keep and read their first answers here. */
  grantIdempotency(grantee: iam.IGrantable): void {
    this.idempotencyTable.grantReadWriteData(grantee);
    this.acknowledgeGrantWildcards(grantee, this.idempotencyTable);
  }

  /** Read and write on one tenant's table, or on every tenant table when no tenant is named. */
  grantReadWrite(grantee: iam.IGrantable, tenant?: string): void {
    const targets = tenant === undefined ? Object.values(this.ownTables) : [this.tableOf(tenant)];
    for (const table of targets) {
      table.grantReadWriteData(grantee);
      this.acknowledgeGrantWildcards(grantee, table);
    }
  }

  /** Read and write on every tenant's decision log (decisions, responses, export, erasure). */
  grantDecisionLog(grantee: iam.IGrantable): void {
    for (const table of Object.values(this.ownDecisionTables)) {
      table.grantReadWriteData(grantee);
      this.acknowledgeGrantWildcards(grantee, table);
    }
  }

  /**
   * Batch scoring: Scan (parallel segments), UpdateItem (the scores attribute) and PutItem (each
   * segment's outcome under its run, `SB#<run>`) on every tenant table.
   */
  grantScoring(grantee: iam.IGrantable): void {
    for (const table of Object.values(this.ownTables)) {
      table.grant(grantee, 'dynamodb:Scan', 'dynamodb:UpdateItem', 'dynamodb:PutItem');
      table.encryptionKey?.grantEncryptDecrypt(grantee);
      this.acknowledgeGrantWildcards(grantee, table);
    }
  }

  /**
   * The score-base report: Query of the runs' partitions only (`SB#<run>`, the segments' outcomes)
   * on every tenant table, and decrypt with its key. No index, no other item.
   */
  grantScoreRunReads(grantee: iam.IGrantable): void {
    for (const table of Object.values(this.ownTables)) {
      grantee.grantPrincipal.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['dynamodb:Query'],
          resources: [table.tableArn],
          conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${SCORE_RUN_PK_PREFIX}*`] } },
        }),
      );
      table.encryptionKey?.grantDecrypt(grantee);
    }
  }

  /** Read-only on the API key table (the authorizer). */
  grantReadKeys(grantee: iam.IGrantable): void {
    this.keysTable.grantReadData(grantee);
  }

  /** TENANT_TABLES, DECISION_TABLES and KEYS_TABLE as composition/platform-env.ts reads them. */
  tableNamesEnv(): { TENANT_TABLES: string; DECISION_TABLES: string; KEYS_TABLE: string; IDEMPOTENCY_TABLE: string } {
    const namesOf = (tables: Record<string, dynamodb.ITable>) =>
      Stack.of(this).toJsonString(
        Object.fromEntries(Object.entries(tables).map(([tenant, table]) => [tenant, table.tableName])),
      );
    return {
      TENANT_TABLES: namesOf(this.tables),
      DECISION_TABLES: namesOf(this.decisionTables),
      KEYS_TABLE: this.keysTable.tableName,
      IDEMPOTENCY_TABLE: this.idempotencyTable.tableName,
    };
  }

  private tableOf(tenant: string): dynamodb.Table {
    const table = this.ownTables[tenant];
    if (!table) throw new Error(`no table for tenant '${tenant}'`);
    return table;
  }

  /**
   * The wildcards a CDK read/write grant carries, acknowledged on the grantee only and only for
   * the table granted: its own indexes, and the KMS action families DynamoDB needs on its key.
   */
  private acknowledgeGrantWildcards(grantee: iam.IGrantable, table: dynamodb.Table): void {
    const principal = grantee.grantPrincipal;
    if (!Construct.isConstruct(principal)) return;
    const cfnTable = table.node.defaultChild as dynamodb.CfnTable;
    // a grantee in a nested stack (AudienceUploads) reads the ARN from the parameter CDK names
    // after the table's unique id; cdk-nag prints the parameter, not the table
    const arn =
      Stack.of(principal) === Stack.of(this)
        ? `${Stack.of(this).resolve(cfnTable.logicalId) as string}.Arn`
        : `referenceto${Names.nodeUniqueId(cfnTable.node)}Arn`;
    const kmsReason =
      "DynamoDB encryption with the table's customer-managed key needs the GenerateDataKey*/ReEncrypt* families; the statement is limited to that one key.";
    Validations.of(principal).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::<${arn}>/index/*]`,
        reason:
          "Queries use the table's own GSIs (TENANT_TABLE.indexes); the wildcard covers only indexes of this one table.",
      },
      { id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', reason: kmsReason },
      { id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]', reason: kmsReason },
    );
  }
}
