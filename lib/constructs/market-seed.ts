import { CustomResource, Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { deploymentOf, type MarketConfig, physicalName } from '#config/market-config.ts';
import { contentHash } from '../../lambdas/domain/starter.ts';
import { tagTenant } from './cost-allocation.ts';
import { type CustomerStore, dataProtectionOf } from './customer-store.ts';
import { CvmFunction } from './cvm-function.ts';

export interface MarketSeedProps {
  readonly config: MarketConfig;
  readonly store: CustomerStore;
  readonly logRemovalPolicy: RemovalPolicy;
}

/** The secret holding a tenant's first admin key: `cvm-<market>-<stage>-<tenant>-admin-key` (README). */
export const adminKeySecretName = (config: Pick<MarketConfig, 'code' | 'stage'>, tenant: string): string =>
  physicalName(config, tenant, 'admin-key');

/**
 * CloudFormation hands the starter set to the function inside the event; an invocation's payload
 * is limited (old and new properties both travel on an Update), so a starter set is kept small.
 */
const MAX_STARTER_JSON = 100_000;

/**
 * A market that works on day one: at deploy, a custom resource backed by the house function
 * applies the market's starter catalog and triggers to every tenant and issues each tenant's first
 * admin key into its own secret. Not the `custom_resources.Provider` framework: its functions pick
 * their own runtime. The resource's properties carry a hash of the starter set (and the tenants),
 * so a config change runs an Update; a stack deletion deletes nothing.
 */
export class MarketSeed extends Construct {
  readonly function: CvmFunction;
  /** tenant -> the secret its first admin key goes to. */
  readonly adminKeySecrets: Record<string, secretsmanager.Secret> = {};

  constructor(scope: Construct, id: string, props: MarketSeedProps) {
    super(scope, id);
    const { config, store } = props;
    const starter = JSON.stringify(config.starter);
    if (starter.length > MAX_STARTER_JSON)
      throw new Error(
        `market '${config.code}': starter: ${starter.length} characters of JSON; keep the starter set under ${MAX_STARTER_JSON} and add the rest through the API`,
      );

    for (const tenant of config.tenants) {
      const silo = new Construct(this, `Tenant-${tenant.id}`);
      const secret = new secretsmanager.Secret(silo, 'AdminKey', {
        secretName: adminKeySecretName(config, tenant.id),
        description: `First admin API key of tenant ${tenant.id} in market ${config.code}, stage ${config.stage.name}; written once by the seed function`,
        // the tenant's own customer-managed key, the one its tables are encrypted with
        encryptionKey: store.tables[tenant.id]?.encryptionKey,
        removalPolicy: dataProtectionOf(config).removalPolicy,
      });
      // Created without a value: the seed function generates the key, keeps only its hash and
      // writes the key here once. The template never holds it, nor a generator that could re-roll it.
      (secret.node.defaultChild as secretsmanager.CfnSecret).addPropertyDeletionOverride('GenerateSecretString');
      tagTenant(silo, config, tenant);
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'The first admin key is rotated with `npm run keys -- rotate` (a new key, the old one runs out after an overlap), not by Secrets Manager: a new secret value would not change the key hash the API checks.',
      });
      this.adminKeySecrets[tenant.id] = secret;
    }

    const { TENANT_TABLES, KEYS_TABLE } = store.tableNamesEnv();
    this.function = new CvmFunction(this, 'SeedFn', {
      handlerFile: 'seed-market.ts',
      description: "Applies the market's starter catalog and triggers, issues first admin keys (custom resource)",
      logRetentionDays: config.retention.logsDays,
      logRemovalPolicy: props.logRemovalPolicy,
      memorySize: 256,
      timeout: Duration.minutes(2),
      environment: {
        MARKET: config.code,
        DEPLOYMENT: deploymentOf(config),
        TENANT_TABLES,
        KEYS_TABLE,
        ADMIN_KEY_SECRETS: Stack.of(this).toJsonString(
          Object.fromEntries(Object.entries(this.adminKeySecrets).map(([tenant, s]) => [tenant, s.secretArn])),
        ),
      },
    });
    this.grantLeastPrivilege(store);

    new CustomResource(this, 'Seed', {
      serviceToken: this.function.functionArn,
      resourceType: 'Custom::CvmMarketSeed',
      properties: {
        StarterHash: contentHash(config.starter),
        // one JSON string: CloudFormation would turn the numbers and booleans of a nested object into strings
        Starter: starter,
        Tenants: config.tenants.map((t) => t.id).join(','),
      },
    });
  }

  /**
   * Items and audit entries in the tenant tables (no index, no delete, no scan), the key table's
   * Get/Put/Scan (`keys list` is a filtered Scan), and on the secrets only DescribeSecret and
   * PutSecretValue: the function can tell whether a key was issued and write one, never read one.
   */
  private grantLeastPrivilege(store: CustomerStore): void {
    const fn = this.function;
    for (const table of Object.values(store.tables)) {
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
          resources: [table.tableArn],
        }),
      );
      // also what PutSecretValue needs: the secrets are encrypted with these keys
      table.encryptionKey?.grantEncryptDecrypt(fn);
    }
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Scan'],
        resources: [store.keysTable.tableArn],
      }),
    );
    store.keysTable.encryptionKey?.grantEncryptDecrypt(fn);
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:DescribeSecret', 'secretsmanager:PutSecretValue'],
        resources: Object.values(this.adminKeySecrets).map((s) => s.secretArn),
      }),
    );
    const kmsReason =
      "DynamoDB and Secrets Manager encryption with the tenants' and the key table's customer-managed keys need the GenerateDataKey*/ReEncrypt* families; each statement names its keys.";
    Validations.of(fn.role!).acknowledge(
      { id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', reason: kmsReason },
      { id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]', reason: kmsReason },
    );
  }
}
