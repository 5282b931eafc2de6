import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { physicalName, type MarketConfig } from '#config/market-config.ts';
import { AUTHORIZER_CACHE_SECONDS, restApiNameOf, STAGE_NAME } from '#config/api-stage.ts';
import { problemType } from '../../lambdas/http/problem.ts';
import { ROUTES, type ApiFunction, type RouteSpec } from '../../lambdas/http/routes.ts';
import { AUDIENCE_API_PATHS } from './audience-uploads.ts';
import { tagTenant } from './cost-allocation.ts';
import type { CustomerStore } from './customer-store.ts';
import { CvmFunction, METER_FLUSH_VARIABLE, retentionFor } from './cvm-function.ts';

export interface CvmApiProps {
  readonly config: MarketConfig;
  readonly store: CustomerStore;
  /** Log groups: RETAIN in production, DESTROY elsewhere. */
  readonly logRemovalPolicy: RemovalPolicy;
  /**
   * API functions built by other capabilities' constructs (events, decisions, ...), keyed by the
   * `fn` their routes name in ROUTES. meta and customers are built here.
   */
  readonly functions?: Partial<Record<OwnApiFunction, IFunction>>;
}

/**
 * The API functions of the market's own stack: the audiences function is built, integrated and
 * allowed to be invoked in AudienceUploads' nested stack, with its routes.
 */
export type OwnApiFunction = Exclude<ApiFunction, 'audiences'>;

export { METER_FLUSH_VARIABLE };

/** The API key header; also the authorizer's cache key. */
export const API_KEY_HEADER = 'x-api-key';
export { STAGE_NAME };
export const AUTHORIZER_CACHE_TTL = Duration.seconds(AUTHORIZER_CACHE_SECONDS);

/** One resource path of ROUTES and how API Gateway fronts it (one ANY method; the Lambda routes). */
export interface ApiPath {
  path: string;
  fn: ApiFunction;
  /** True when any route on the path needs a key; the function still checks the route's scope. */
  authorized: boolean;
}

/** Distinct paths of the route table; a path served by two functions is a design error. */
export function apiPaths(routes: RouteSpec[] = ROUTES): ApiPath[] {
  const byPath = new Map<string, ApiPath>();
  for (const route of routes) {
    const seen = byPath.get(route.path);
    if (seen && seen.fn !== route.fn) {
      throw new Error(`routes: ${route.path} is served by both '${seen.fn}' and '${route.fn}'; one path, one function`);
    }
    byPath.set(route.path, {
      path: route.path,
      fn: route.fn,
      authorized: (seen?.authorized ?? false) || route.scope !== 'public',
    });
  }
  return [...byPath.values()];
}

interface Problem {
  type: apigw.ResponseType;
  /** The problem code: its type is `https://telco-cvm.dev/problems/<code>`, as the functions' are. */
  code: string;
  status?: number;
  title: string;
  /** A VTL expression producing a JSON string (already quoted). */
  detail: string;
  /** Seconds for a Retry-After header (a transient failure the client should retry). */
  retryAfter?: number;
}

const GENERIC_DETAIL = '"The request could not be completed. Quote the requestId when reporting it."';

/**
 * Errors API Gateway answers itself, shaped like the Lambdas' problem+json (RFC 9457).
 * `$context.error.messageString` is API Gateway's own message, already a quoted JSON string.
 */
export const GATEWAY_PROBLEMS: Problem[] = [
  {
    type: apigw.ResponseType.UNAUTHORIZED,
    code: 'unauthenticated',
    status: 401,
    title: 'Unauthenticated',
    detail: '"An API key is required (x-api-key)."',
  },
  {
    type: apigw.ResponseType.ACCESS_DENIED,
    code: 'forbidden',
    status: 403,
    title: 'Forbidden',
    detail: '"This API key is unknown, revoked or may not use this route."',
  },
  {
    type: apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN,
    code: 'not-found',
    status: 404,
    title: 'Not found',
    detail: '"No route matches this request."',
  },
  {
    type: apigw.ResponseType.REQUEST_TOO_LARGE,
    code: 'payload-too-large',
    status: 413,
    title: 'Payload too large',
    detail: '$context.error.messageString',
  },
  {
    type: apigw.ResponseType.THROTTLED,
    code: 'throttled',
    status: 429,
    title: 'Too many requests',
    detail: '$context.error.messageString',
    // static: the tenant's usage plan refills its bucket every second
    retryAfter: 1,
  },
  {
    type: apigw.ResponseType.QUOTA_EXCEEDED,
    code: 'quota-exceeded',
    status: 429,
    title: 'Quota exceeded',
    detail: '"The monthly request quota of this tenant is used up."',
    // static (a gateway response cannot compute the month's end): an hour, not a hot loop
    retryAfter: 3600,
  },
  {
    type: apigw.ResponseType.BAD_REQUEST_BODY,
    code: 'invalid-input',
    status: 400,
    title: 'Bad request',
    detail: '$context.error.messageString',
  },
  {
    type: apigw.ResponseType.DEFAULT_4XX,
    code: 'rejected',
    title: 'Request rejected',
    detail: '$context.error.messageString',
  },
  // The authorizer failing (its key store unreachable) is transient: 503 + Retry-After, not 500.
  {
    type: apigw.ResponseType.AUTHORIZER_FAILURE,
    code: 'unavailable',
    status: 503,
    title: 'Service unavailable',
    detail: '"The API key could not be checked; retry shortly."',
    retryAfter: 2,
  },
  { type: apigw.ResponseType.DEFAULT_5XX, code: 'internal', title: 'Internal error', detail: GENERIC_DETAIL },
];

export const PROBLEM_JSON = 'application/problem+json';

function problemTemplate(p: Problem): string {
  const status = p.status === undefined ? '' : `"status":${p.status},`;
  return `{"type":"${problemType(p.code)}","title":"${p.title}",${status}"detail":${p.detail},"requestId":"$context.requestId"}`;
}

/**
 * The market's HTTP API: a regional REST API whose resources come from ROUTES, a REQUEST
 * authorizer (API key -> tenant), and one usage plan per tenant so throttling and metering are
 * per tenant.
 */
export class CvmApi extends Construct {
  readonly restApi: apigw.RestApi;
  readonly functions: Record<OwnApiFunction, IFunction>;
  readonly authorizerFunction: CvmFunction;
  /** The REQUEST authorizer's id: routes added in a nested stack (AudienceUploads) take it too. */
  readonly authorizerId: string;
  readonly usagePlans: Record<string, apigw.UsagePlan>;

  constructor(scope: Construct, id: string, props: CvmApiProps) {
    super(scope, id);
    const { config, store, logRemovalPolicy } = props;
    const stack = Stack.of(this);
    const fnDefaults = { logRetentionDays: config.retention.logsDays, logRemovalPolicy };
    const platformEnv = {
      MARKET: config.code,
      ...store.tableNamesEnv(),
      VALUE_TIERS: JSON.stringify(config.valueTiers),
    };

    // --- functions ---------------------------------------------------------------------------
    const meta = new CvmFunction(this, 'MetaFn', {
      ...fnDefaults,
      handlerFile: 'serve-meta.ts',
      description: 'Health, OpenAPI document and 404 for unknown routes',
      memorySize: 256,
      environment: { MARKET: config.code },
    });
    const customers = new CvmFunction(this, 'CustomersFn', {
      ...fnDefaults,
      handlerFile: 'serve-customers.ts',
      description: 'Customer profiles, export, erasure and households',
      memorySize: 1024,
      environment: platformEnv,
    });
    store.grantReadWrite(customers);
    // export and erasure reach the customer's decisions in the decision log
    store.grantDecisionLog(customers);
    const authorizerFn = new CvmFunction(this, 'AuthorizerFn', {
      ...fnDefaults,
      handlerFile: 'authorize-request.ts',
      description: 'API key -> tenant and scope; hands API Gateway the tenant usage-plan key',
      memorySize: 512,
      timeout: Duration.seconds(5),
      environment: platformEnv,
    });
    store.grantReadKeys(authorizerFn);
    this.functions = { ...(props.functions ?? {}), meta, customers } as Record<OwnApiFunction, IFunction>;
    // one metrics line per container and interval: the API functions invoke most often, and
    // their API requests per tenant are counted exactly by the usage plans anyway
    for (const fn of new Set(Object.values(this.functions)))
      if (fn instanceof lambda.Function)
        fn.addEnvironment(METER_FLUSH_VARIABLE, String(config.observability.meterFlushSeconds));
    this.authorizerFunction = authorizerFn;

    // --- the REST API ------------------------------------------------------------------------
    // Infrequent Access ingests at half the price and is still queried with Logs Insights; access
    // logs need no metric filters (API metrics come from API Gateway, meters from EMF)
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: retentionFor(config.retention.logsDays),
      removalPolicy: logRemovalPolicy,
      logGroupClass: logs.LogGroupClass.INFREQUENT_ACCESS,
    });
    const tenantRate = config.tenants.reduce((sum, t) => sum + t.throttle.rateLimit, 0);
    const tenantBurst = config.tenants.reduce((sum, t) => sum + t.throttle.burstLimit, 0);

    const api = new apigw.RestApi(this, 'RestApi', {
      restApiName: restApiNameOf(config),
      description: `telco-cvm API of market ${config.code}, stage ${config.stage.name}`,
      endpointTypes: [apigw.EndpointType.REGIONAL],
      apiKeySourceType: apigw.ApiKeySourceType.AUTHORIZER,
      // every request body reaches the functions base64, byte for byte: decoded as text by the
      // gateway, bytes that are not UTF-8 would arrive as U+FFFD and be stored instead of refused
      // (lambdas/http/http-handler.ts decodes strictly). Responses are text (isBase64Encoded false).
      binaryMediaTypes: ['*/*'],
      // API Gateway writes execution and access logs through one account-wide role; keep it when
      // the stack goes, other APIs in the account depend on it.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: STAGE_NAME,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigw.AccessLogFormat.custom(
          JSON.stringify({
            requestId: apigw.AccessLogField.contextRequestId(),
            time: apigw.AccessLogField.contextRequestTime(),
            ip: apigw.AccessLogField.contextIdentitySourceIp(),
            method: apigw.AccessLogField.contextHttpMethod(),
            resourcePath: apigw.AccessLogField.contextResourcePath(),
            status: apigw.AccessLogField.contextStatus(),
            responseLength: apigw.AccessLogField.contextResponseLength(),
            latencyMs: apigw.AccessLogField.contextResponseLatency(),
            integrationLatencyMs: apigw.AccessLogField.contextIntegrationLatency(),
            // metered usage per tenant: the cost report splits shared API cost by this field
            tenant: apigw.AccessLogField.contextAuthorizer('tenant'),
            keyId: apigw.AccessLogField.contextAuthorizer('keyId'),
            error: apigw.AccessLogField.contextErrorMessage(),
            xrayTraceId: apigw.AccessLogField.contextXrayTraceId(),
          }),
        ),
        tracingEnabled: true,
        metricsEnabled: true,
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        // the stage never throttles below what the tenants' usage plans allow together
        throttlingRateLimit: tenantRate,
        throttlingBurstLimit: tenantBurst,
      },
    });
    this.restApi = api;

    for (const problem of GATEWAY_PROBLEMS) {
      api.addGatewayResponse(`Problem${problem.type.responseType}`, {
        type: problem.type,
        ...(problem.status === undefined ? {} : { statusCode: String(problem.status) }),
        responseHeaders: {
          'Content-Type': `'${PROBLEM_JSON}'`,
          ...(problem.retryAfter ? { 'Retry-After': `'${problem.retryAfter}'` } : {}),
        },
        templates: { 'application/json': problemTemplate(problem) },
      });
    }

    const authorizer = new apigw.RequestAuthorizer(this, 'KeyAuthorizer', {
      authorizerName: physicalName(config, 'api-key'),
      handler: authorizerFn,
      // with a results cache, the identity source is the cache key: it must be the API key
      identitySources: [apigw.IdentitySource.header(API_KEY_HEADER)],
      resultsCacheTtl: AUTHORIZER_CACHE_TTL,
    });

    // /v1/audiences is added by AudienceUploads, in its nested stack (the 500-resource limit)
    const ownPaths = apiPaths().filter((a) => !AUDIENCE_API_PATHS.has(a.path));
    // One permission per function for the whole API instead of one per method.
    const integrations = {} as Record<OwnApiFunction, apigw.LambdaIntegration>;
    for (const fn of new Set([...ownPaths.map((p) => p.fn as OwnApiFunction), 'meta' as const])) {
      const handler = this.functions[fn];
      if (!handler) throw new Error(`routes name the API function '${fn}', but no construct built it`);
      integrations[fn] = new apigw.LambdaIntegration(handler, { proxy: true, scopePermissionToMethod: false });
    }

    const publicMethods: apigw.Method[] = [];
    const authorizedMethods: apigw.Method[] = [];
    for (const p of ownPaths) {
      const resource = api.root.resourceForPath(p.path);
      const method = resource.addMethod(
        'ANY',
        integrations[p.fn as OwnApiFunction],
        p.authorized
          ? { authorizationType: apigw.AuthorizationType.CUSTOM, authorizer, apiKeyRequired: true }
          : { authorizationType: apigw.AuthorizationType.NONE },
      );
      (p.authorized ? authorizedMethods : publicMethods).push(method);
    }
    this.authorizerId = authorizer.authorizerId;
    // Everything else reaches the meta function, which answers 404 problem+json.
    publicMethods.push(
      api.root.addMethod('ANY', integrations.meta, { authorizationType: apigw.AuthorizationType.NONE }),
    );
    publicMethods.push(
      api.root
        .addResource('{proxy+}')
        .addMethod('ANY', integrations.meta, { authorizationType: apigw.AuthorizationType.NONE }),
    );

    // --- one usage plan per tenant -----------------------------------------------------------
    const usageKeySecrets: Record<string, string> = {};
    const usagePlans: Record<string, apigw.UsagePlan> = {};
    for (const tenant of config.tenants) {
      const silo = new Construct(this, `Tenant-${tenant.id}`);
      const secret = new secretsmanager.Secret(silo, 'UsageKeySecret', {
        description: `API Gateway usage-plan key of tenant ${tenant.id} in market ${config.code}`,
        generateSecretString: { passwordLength: 40, excludePunctuation: true },
      });
      const key = new apigw.ApiKey(silo, 'UsageKey', {
        apiKeyName: physicalName(config, tenant.id),
        description: `Usage-plan key of tenant ${tenant.id}; the authorizer returns it, callers never see it`,
        value: secret.secretValue.unsafeUnwrap(),
        enabled: true,
      });
      const plan = new apigw.UsagePlan(silo, 'UsagePlan', {
        name: physicalName(config, tenant.id), // usagePlanName in the usage-plan usage source
        description: `Throttle and monthly quota of tenant ${tenant.id}`,
        throttle: { rateLimit: tenant.throttle.rateLimit, burstLimit: tenant.throttle.burstLimit },
        quota: { limit: tenant.throttle.monthlyQuota, period: apigw.Period.MONTH },
        apiStages: [{ api, stage: api.deploymentStage }],
      });
      plan.addApiKey(key);
      secret.grantRead(authorizerFn);
      usageKeySecrets[tenant.id] = secret.secretArn;
      usagePlans[tenant.id] = plan;
      tagTenant(silo, config, tenant);

      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'The secret is the value of an API Gateway usage-plan key, which has no rotation hook; it never leaves AWS (the authorizer hands it to API Gateway) and callers authenticate with their own keys, kept as hashes in the key table.',
      });
    }
    this.usagePlans = usagePlans;
    authorizerFn.addEnvironment('USAGE_KEY_SECRETS', stack.toJsonString(usageKeySecrets));

    // --- optional WAF ------------------------------------------------------------------------
    if (config.waf) {
      const acl = new wafv2.CfnWebACL(this, 'WebAcl', {
        scope: 'REGIONAL',
        defaultAction: { allow: {} },
        visibilityConfig: {
          cloudWatchMetricsEnabled: true,
          metricName: physicalName(config, 'waf'),
          sampledRequestsEnabled: true,
        },
        rules: [
          {
            name: 'aws-common',
            priority: 0,
            overrideAction: { none: {} },
            statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesCommonRuleSet' } },
            visibilityConfig: {
              cloudWatchMetricsEnabled: true,
              metricName: 'aws-common',
              sampledRequestsEnabled: true,
            },
          },
          {
            name: 'aws-bad-inputs',
            priority: 1,
            overrideAction: { none: {} },
            statement: {
              managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesKnownBadInputsRuleSet' },
            },
            visibilityConfig: {
              cloudWatchMetricsEnabled: true,
              metricName: 'aws-bad-inputs',
              sampledRequestsEnabled: true,
            },
          },
        ],
      });
      new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', {
        resourceArn: api.deploymentStage.stageArn,
        webAclArn: acl.attrArn,
      });
    }

    // --- cdk-nag: what is deliberate, and why ------------------------------------------------
    Validations.of(api).acknowledge({
      id: 'AwsSolutions-APIG2',
      reason:
        'Requests are validated in the Lambda by the zod schemas the OpenAPI document is generated from, so errors are problem+json naming the field; a gateway validator would duplicate that with less precise bodies.',
    });
    if (!config.waf) {
      Validations.of(api.deploymentStage).acknowledge({
        id: 'AwsSolutions-APIG3',
        reason: `WAF is opt-in per market (config.waf) and market '${config.code}' has it off; tenant usage plans throttle and cap each key.`,
      });
    }
    Validations.of(api.node.findChild('CloudWatchRole')).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        'The account-level API Gateway logging role uses the AWS-managed AmazonAPIGatewayPushToCloudWatchLogs policy, as API Gateway documents it.',
    });
    const publicReason =
      'Deliberately public: health, the OpenAPI document, and the catch-all that only answers 404 problem+json.';
    for (const method of publicMethods) {
      Validations.of(method).acknowledge(
        { id: 'AwsSolutions-APIG4', reason: publicReason },
        { id: 'AwsSolutions-COG4', reason: publicReason },
      );
    }
    for (const method of authorizedMethods) {
      Validations.of(method).acknowledge({
        id: 'AwsSolutions-COG4',
        reason:
          'Callers are machines (channels, campaign systems) with per-tenant API keys checked by the Lambda REQUEST authorizer; there are no Cognito users.',
      });
    }
  }

  /** The invoke URL of the `live` stage. */
  get url(): string {
    return this.restApi.url;
  }
}
