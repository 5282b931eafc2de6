import { Aws, Duration, NestedStack, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { physicalName, type MarketConfig } from '#config/market-config.ts';
import { AUDIENCE_ROUTES } from '../../lambdas/http/routes/audiences.ts';
import type { CustomerStore } from './customer-store.ts';
import { CvmFunction, METER_FLUSH_VARIABLE } from './cvm-function.ts';

/** The API paths this construct serves (CvmApi leaves them out of the market's own stack). */
export const AUDIENCE_API_PATHS: ReadonlySet<string> = new Set(AUDIENCE_ROUTES.map((r) => r.path));
/** Where uploads land; a Lambda builds `audiences/<tenant>/<audienceId>.csv` itself. */
export const AUDIENCE_PREFIX = 'audiences/';
/** An upload is read (and deleted) on the first GET after it; whatever is left is gone after this. */
export const AUDIENCE_UPLOAD_EXPIRY_DAYS = 7;

/** The bucket's name, built from the config (the function's policy and environment name it). */
export function audienceBucketName(config: Pick<MarketConfig, 'code' | 'stage' | 'aws'>): string {
  // S3 names are global: the account makes them unique (a pseudo parameter when the config has none)
  const name = physicalName(config, 'audiences', config.aws.account ?? Aws.ACCOUNT_ID);
  if (config.aws.account && name.length > 63)
    throw new Error(`audience bucket name ${name} is longer than S3's 63 characters`);
  return name;
}

export interface AudienceUploadsProps {
  readonly config: MarketConfig;
  readonly api: apigw.RestApi;
  /** The API's REQUEST authorizer (API key -> tenant), the same every other route has. */
  readonly authorizerId: string;
  readonly store: CustomerStore;
  /** Log groups: RETAIN in production, DESTROY elsewhere. */
  readonly logRemovalPolicy: RemovalPolicy;
}

/**
 * Uploaded campaign audiences: the market's upload bucket (one for all tenants, a prefix per
 * tenant, no per-tenant resource), the audiences API function that signs upload URLs and reads
 * the uploads, and the API resources of /v1/audiences, in one nested stack so the market's stack
 * stays under CloudFormation's 500 resources at its most tenants (the function's role, log group,
 * invoke permission and errors alarm count here). The market's API deployment depends on the nested stack and
 * changes with its routes.
 */
export class AudienceUploads extends Construct {
  readonly stack: NestedStack;
  readonly bucket: s3.Bucket;
  /** The audiences API function (`fn: 'audiences'` in the route table), the only one with the bucket's rights. */
  readonly apiFunction: CvmFunction;

  constructor(scope: Construct, id: string, props: AudienceUploadsProps) {
    super(scope, id);
    const { config, api, store } = props;
    this.stack = new NestedStack(this, 'Stack', {
      description: `Audience uploads, their API function and /v1/audiences of market ${config.code}, stage ${config.stage.name}`,
    });
    const bucketName = audienceBucketName(config);
    this.bucket = new s3.Bucket(this.stack, 'Bucket', {
      bucketName,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: false,
      lifecycleRules: [
        {
          id: 'expire-uploads',
          prefix: AUDIENCE_PREFIX,
          expiration: Duration.days(AUDIENCE_UPLOAD_EXPIRY_DAYS),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      // uploads are transient copies: their ids live in the tenant tables once read
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Uploads are transient: written once through a presigned URL, read once by the audiences function, then deleted (and expired by lifecycle). Access logs would need a second bucket per market for objects that live minutes; CloudTrail records the API calls that create the URLs.',
    });

    const { TENANT_TABLES, KEYS_TABLE } = store.tableNamesEnv();
    const fn = new CvmFunction(this.stack, 'AudiencesFn', {
      logRetentionDays: config.retention.logsDays,
      logRemovalPolicy: props.logRemovalPolicy,
      handlerFile: 'serve-audiences.ts',
      description: 'Audiences API: upload URLs for campaign audiences, then their import into the tenant table',
      // a GET parses and stores ids for up to 20 s: CPU bound, and Lambda's CPU follows memory
      memorySize: 1024,
      timeout: Duration.seconds(29),
      environment: {
        MARKET: config.code,
        // the audience and audit items are in the tenant tables; the key table is only named (the
        // platform environment requires it), never read
        TENANT_TABLES,
        KEYS_TABLE,
        AUDIENCE_BUCKET: bucketName,
        // new uploaded audiences expire this long after creation
        AUDIENCE_RETENTION_DAYS: String(config.retention.audienceDays),
        // one metrics line per container and interval, as every API function
        [METER_FLUSH_VARIABLE]: String(config.observability.meterFlushSeconds),
      },
    });
    this.apiFunction = fn;
    store.grantReadWrite(fn);
    // the function presigns PUTs (the URL carries its permission) and reads and deletes uploads
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'],
        resources: [`arn:${Aws.PARTITION}:s3:::${bucketName}/${AUDIENCE_PREFIX}*`],
      }),
    );
    const nagBucket = physicalName(config, 'audiences', config.aws.account ?? '<AWS::AccountId>');
    Validations.of(fn.role!).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${nagBucket}/${AUDIENCE_PREFIX}*]`,
      reason:
        "Each tenant's uploads are objects under audiences/<tenant>/ with generated audience ids; the function builds every key from the caller's tenant itself, so the wildcard is the upload prefix of this one bucket.",
    });

    // --- /v1/audiences on the market's API -----------------------------------------------------
    const restApi = apigw.RestApi.fromRestApiAttributes(this.stack, 'Api', {
      restApiId: api.restApiId,
      rootResourceId: api.restApiRootResourceId,
    });
    const v1 = api.root.getResource('v1');
    if (!v1) throw new Error('the API has no /v1 resource to add /v1/audiences under');
    const parent = apigw.Resource.fromResourceAttributes(this.stack, 'V1', {
      restApi,
      resourceId: v1.resourceId,
      path: '/v1',
    });
    // a proxy integration on the function's ARN, and one invoke permission for both paths (not
    // one per method, which a LambdaIntegration would add)
    const integration = new apigw.Integration({
      type: apigw.IntegrationType.AWS_PROXY,
      integrationHttpMethod: 'POST',
      uri: `arn:${Aws.PARTITION}:apigateway:${Aws.REGION}:lambda:path/2015-03-31/functions/${fn.functionArn}/invocations`,
    });
    fn.addPermission('ApiInvoke', {
      principal: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      sourceArn: api.arnForExecuteApi('*', '/v1/audiences*', '*'),
    });
    const authorizer: apigw.IAuthorizer = {
      authorizerId: props.authorizerId,
      authorizationType: apigw.AuthorizationType.CUSTOM,
    };
    for (const path of AUDIENCE_API_PATHS) {
      const resource = parent.resourceForPath(path.slice('/v1/'.length));
      const method = resource.addMethod('ANY', integration, {
        authorizationType: apigw.AuthorizationType.CUSTOM,
        authorizer,
        apiKeyRequired: true,
      });
      Validations.of(method).acknowledge({
        id: 'AwsSolutions-COG4',
        reason:
          'Callers are machines (channels, campaign systems) with per-tenant API keys checked by the Lambda REQUEST authorizer; there are no Cognito users.',
      });
    }
    // the stage serves what the nested stack added: deploy after it, and anew when its routes change
    const deployment = api.latestDeployment;
    if (deployment) {
      deployment.node.addDependency(this.stack);
      deployment.addToLogicalId({ audienceRoutes: [...AUDIENCE_API_PATHS] });
    }
  }
}
