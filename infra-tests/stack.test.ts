import { deploymentOf, physicalName } from '#config/market-config.ts';
import type { CfnResource } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { loadMarket } from '#config/markets/index.ts';
import {
  DECISION_TABLE,
  decisionTableName,
  KEYS_TABLE,
  idempotencyTableName,
  keysTableName,
  TENANT_TABLE,
  tenantTableName,
} from '../lambdas/adapters/dynamo/table-design.ts';
import { ROUTES as ALL_ROUTES } from '../lambdas/http/routes.ts';
import { AUDIENCE_API_PATHS } from '../lib/constructs/audience-uploads.ts';
import { apiPaths, AUTHORIZER_CACHE_TTL, GATEWAY_PROBLEMS, PROBLEM_JSON, STAGE_NAME } from '../lib/constructs/api.ts';
import { problem as functionProblem, problemType } from '../lambdas/http/problem.ts';
import { synthMarket } from './synth.ts';

/** The routes the market's own stack serves: /v1/audiences is in a nested stack (audiences.test.ts). */
const ROUTES = ALL_ROUTES.filter((r) => !AUDIENCE_API_PATHS.has(r.path));

type Resources = Record<
  string,
  { Type: string; Properties?: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string }
>;

const { stack, template, config } = synthMarket();
const resources = template.toJSON()['Resources'] as Resources;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const logicalIdOf = (c: { node: { defaultChild?: unknown } }) =>
  stack.resolve((c.node.defaultChild as CfnResource).logicalId) as string;

/** Full path of every API Gateway resource, rebuilt from PathPart and ParentId. */
function apiResourcePaths(): Map<string, string> {
  const paths = new Map<string, string>();
  const resolve = (id: string): string => {
    const known = paths.get(id);
    if (known !== undefined) return known;
    const props = resources[id]!.Properties!;
    const parent = props['ParentId'] as { Ref?: string };
    const full = `${parent.Ref ? resolve(parent.Ref) : ''}/${props['PathPart'] as string}`;
    paths.set(id, full);
    return full;
  };
  for (const [id] of ofType('AWS::ApiGateway::Resource')) resolve(id);
  return paths;
}
const pathOfResource = apiResourcePaths();

/** path -> method properties ('/' for the root). */
function methodsByPath(): Map<string, Record<string, any>[]> {
  const out = new Map<string, Record<string, any>[]>();
  for (const [, m] of ofType('AWS::ApiGateway::Method')) {
    const ref = (m.Properties!['ResourceId'] as { Ref?: string }).Ref;
    const p = ref ? pathOfResource.get(ref)! : '/';
    out.set(p, [...(out.get(p) ?? []), m.Properties!]);
  }
  return out;
}
const methods = methodsByPath();

/** The logical id of the Lambda a proxy integration invokes. */
function integratedFunction(method: Record<string, any>): string | undefined {
  const joined = JSON.stringify(method['Integration']['Uri']);
  return /"Fn::GetAtt":\["([A-Za-z0-9]+)","Arn"\]/.exec(joined)?.[1];
}

const apiFnIds = Object.fromEntries(
  Object.entries(stack.api.functions).map(([fn, f]) => [fn, logicalIdOf(f as never)]),
) as Record<string, string>;
const fnIds = {
  ...apiFnIds,
  meta: logicalIdOf(stack.api.functions.meta as never),
  customers: logicalIdOf(stack.api.functions.customers as never),
  authorizer: logicalIdOf(stack.api.authorizerFunction),
};

/** Every action a function's role may take, with the resources, flattened. */
function statementsOf(fnLogicalId: string): { actions: string[]; resources: string }[] {
  const roleRef = (resources[fnLogicalId]!.Properties!['Role'] as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return ofType('AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties!['Roles'] as { Ref: string }[]).some((r) => r.Ref === roleRef))
    .flatMap(
      ([, p]) => p.Properties!['PolicyDocument']['Statement'] as { Action: string | string[]; Resource: unknown }[],
    )
    .map((s) => ({ actions: [s.Action].flat(), resources: JSON.stringify(s.Resource) }));
}

describe('Lambda functions', () => {
  const functions = ofType('AWS::Lambda::Function');

  it('builds the API functions, the authorizer and the score-base tasks', () => {
    const ids = functions.map(([id]) => id);
    const expected = [
      ...new Set([
        ...Object.values(apiFnIds),
        fnIds.authorizer,
        logicalIdOf(stack.scoring.segmentFunction),
        logicalIdOf(stack.scoring.reportFunction),
      ]),
    ];
    expect(ids).toEqual(expect.arrayContaining(expected));
  });

  it.each(functions)('runs %s on Node 24, arm64, traced, logging as JSON to its own log group', (_id, fn) => {
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: expect.any(String) } },
      Environment: { Variables: expect.objectContaining({ NODE_OPTIONS: '--enable-source-maps' }) },
    });
    const logGroup = resources[(fn.Properties!['LoggingConfig'] as { LogGroup: { Ref: string } }).LogGroup.Ref]!;
    expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
    expect(logGroup.Properties!['RetentionInDays']).toBe(config.retention.logsDays);
  });

  it('runs every function with INFO platform logs (REPORT lines: memory, init duration), JSON logs and one customer-ref salt per stack', () => {
    const fns = ofType('AWS::Lambda::Function').filter(([, f]) => f.Properties!['Runtime'] === 'nodejs24.x');
    expect(fns.length).toBeGreaterThan(5);
    const salts = new Set<string>();
    for (const [, fn] of fns) {
      expect(fn.Properties!['LoggingConfig']).toMatchObject({
        LogFormat: 'JSON',
        SystemLogLevel: 'INFO',
        ApplicationLogLevel: 'INFO',
      });
      salts.add(JSON.stringify(fn.Properties!['Environment']['Variables']['CUSTOMER_REF_SALT']));
    }
    expect([...salts]).toEqual([
      JSON.stringify({ 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] }),
    ]);
  });

  it('keeps the API access logs in the Infrequent Access class (no metric filters read them)', () => {
    const stage = Object.values(template.findResources('AWS::ApiGateway::Stage'))[0]!;
    const groupId = stage['Properties']['AccessLogSetting']['DestinationArn']['Fn::GetAtt'][0] as string;
    expect(template.toJSON()['Resources'][groupId]['Properties']['LogGroupClass']).toBe('INFREQUENT_ACCESS');
    template.resourceCountIs('AWS::Logs::MetricFilter', 0);
  });

  it('gives no function an AWS-managed policy', () => {
    for (const [, role] of ofType('AWS::IAM::Role')) {
      const principal = JSON.stringify(role.Properties!['AssumeRolePolicyDocument']);
      if (principal.includes('lambda.amazonaws.com')) expect(role.Properties!['ManagedPolicyArns']).toBeUndefined();
    }
  });

  it('hands the customers and authorizer functions the env that composition/platform-env.ts parses', () => {
    for (const id of [fnIds.customers, fnIds.authorizer]) {
      const vars = resources[id]!.Properties!['Environment']['Variables'] as Record<string, unknown>;
      expect(vars['MARKET']).toBe(config.code);
      expect(vars['KEYS_TABLE']).toEqual({ Ref: expect.any(String) });
      expect(JSON.parse(vars['VALUE_TIERS'] as string)).toEqual(config.valueTiers);
      const tenantTables = JSON.stringify(stack.resolve(vars['TENANT_TABLES']));
      for (const tenant of config.tenants) expect(tenantTables).toContain(`\\"${tenant.id}\\":`);
    }
    const authVars = resources[fnIds.authorizer]!.Properties!['Environment']['Variables'] as Record<string, unknown>;
    const secrets = JSON.stringify(authVars['USAGE_KEY_SECRETS']);
    for (const tenant of config.tenants) expect(secrets).toContain(`\\"${tenant.id}\\":`);
  });

  it('lets only the customers function touch tenant tables, and the authorizer only read keys', () => {
    const tenantTableIds = config.tenants.map((t) => logicalIdOf(stack.store.tables[t.id]!));
    const keysTableId = logicalIdOf(stack.store.keysTable);
    const dynamo = (fn: string) => statementsOf(fn).filter((s) => s.actions.some((a) => a.startsWith('dynamodb:')));

    expect(dynamo(fnIds.meta)).toEqual([]);

    const customers = dynamo(fnIds.customers);
    for (const id of tenantTableIds)
      expect(customers.some((s) => s.resources.includes(id) && s.actions.includes('dynamodb:PutItem'))).toBe(true);
    expect(customers.some((s) => s.resources.includes(keysTableId))).toBe(false);

    const authorizer = dynamo(fnIds.authorizer);
    expect(authorizer.length).toBeGreaterThan(0);
    for (const s of authorizer) {
      expect(s.resources).toContain(keysTableId);
      for (const id of tenantTableIds) expect(s.resources).not.toContain(id);
      expect(s.actions.filter((a) => /Put|Update|Delete|Write/.test(a))).toEqual([]);
    }
    expect(statementsOf(fnIds.authorizer).some((s) => s.actions.includes('secretsmanager:GetSecretValue'))).toBe(true);
  });
});

describe('DynamoDB tables', () => {
  const tables = ofType('AWS::DynamoDB::Table');

  it('has a table and a decision log per tenant plus the keys table, named from table-design', () => {
    const names = tables.map(([, t]) => t.Properties!['TableName']).sort();
    expect(names).toEqual(
      [
        ...config.tenants.map((t) => tenantTableName(deploymentOf(config), t.id)),
        ...config.tenants.map((t) => decisionTableName(deploymentOf(config), t.id)),
        keysTableName(deploymentOf(config)),
        idempotencyTableName(deploymentOf(config)),
      ].sort(),
    );
  });

  it('keeps Idempotency-Key answers 24 h in one table only the decisions and campaigns APIs use', () => {
    const [id, table] = tables.find(
      ([, t]) => t.Properties!['TableName'] === idempotencyTableName(deploymentOf(config)),
    )!;
    expect(table.Properties!['TimeToLiveSpecification']).toEqual({ AttributeName: 'expiration', Enabled: true });
    expect(table.Properties!['KeySchema']).toEqual([{ AttributeName: 'id', KeyType: 'HASH' }]);
    expect(table.Properties!['PointInTimeRecoverySpecification']).toEqual({ PointInTimeRecoveryEnabled: false });
    const users = Object.entries(fnIds)
      .filter(([, fn]) =>
        statementsOf(fn).some((s) => s.resources.includes(id) && s.actions.includes('dynamodb:PutItem')),
      )
      .map(([name]) => name)
      .sort();
    expect(users).toEqual(['campaigns', 'decisions']);
    for (const fn of users) {
      const vars = resources[fnIds[fn as keyof typeof fnIds]]!.Properties!['Environment']['Variables'];
      expect(vars['IDEMPOTENCY_TABLE']).toEqual({ Ref: id });
    }
  });

  it('builds one table per tenant for a market with a single tenant too', () => {
    const ir = synthMarket(loadMarket('ir'));
    const irNames = ir.template.findResources('AWS::DynamoDB::Table');
    expect(
      Object.values(irNames)
        .map((t) => t['Properties']['TableName'])
        .sort(),
    ).toEqual(['cvm-ir-dev-consumer', 'cvm-ir-dev-consumer-decisions', 'cvm-ir-dev-idempotency', 'cvm-ir-dev-keys']);
  });

  // a prod-like stage keeps its data (infra-tests/stages.test.ts: dev is destroyable)
  // (but for the 24 h answers of Idempotency-Key: nothing there is worth a point-in-time restore)
  const prodTables = Object.entries(
    synthMarket(loadMarket('demo', 'prod')).template.findResources('AWS::DynamoDB::Table'),
  ).filter(([, t]) => !String(t['Properties']['TableName']).endsWith('-idempotency')) as typeof tables;
  it.each(prodTables)(
    'keeps %s of a prod stage on demand, recoverable, encrypted with its own rotating key, protected and retained',
    (_id, table) => {
      expect(table.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: {
          SSEEnabled: true,
          SSEType: 'KMS',
          KMSMasterKeyId: { 'Fn::GetAtt': [expect.any(String), 'Arn'] },
        },
        DeletionProtectionEnabled: true,
      });
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.UpdateReplacePolicy).toBe('Retain');
      const keyId = (table.Properties!['SSESpecification']['KMSMasterKeyId'] as { 'Fn::GetAtt': [string] })[
        'Fn::GetAtt'
      ][0];
      expect(resources[keyId]!.Type).toBe('AWS::KMS::Key');
      expect(resources[keyId]!.Properties!['EnableKeyRotation']).toBe(true);
    },
  );

  it("never shares a KMS key between two tenants: a tenant's decision log uses its table's key", () => {
    const keyOf = (name: string) => {
      const table = tables.find(([, t]) => t.Properties!['TableName'] === name)![1];
      return JSON.stringify(table.Properties!['SSESpecification']['KMSMasterKeyId']);
    };
    const tenantKeys = config.tenants.map((t) => keyOf(tenantTableName(deploymentOf(config), t.id)));
    expect(new Set([...tenantKeys, keyOf(keysTableName(deploymentOf(config)))]).size).toBe(tenantKeys.length + 1);
    for (const [i, t] of config.tenants.entries())
      expect(keyOf(decisionTableName(deploymentOf(config), t.id))).toBe(tenantKeys[i]);
  });

  it('gives each decision log the key, indexes (with their projections) and TTL of DECISION_TABLE, and the tenant tags', () => {
    for (const tenant of config.tenants) {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        TableName: decisionTableName(deploymentOf(config), tenant.id),
        KeySchema: [{ AttributeName: DECISION_TABLE.partitionKey.name, KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [
          Match.objectLike({ IndexName: 'byCustomer', Projection: { ProjectionType: 'KEYS_ONLY' } }),
          Match.objectLike({
            IndexName: 'byDay',
            Projection: {
              ProjectionType: 'INCLUDE',
              NonKeyAttributes: Match.arrayWith(['customerId', 'offered', 'responses']),
            },
          }),
        ],
        TimeToLiveSpecification: { AttributeName: DECISION_TABLE.ttlAttribute, Enabled: true },
        Tags: Match.arrayWith([{ Key: 'cvm:tenant', Value: tenant.id }]),
      });
    }
  });

  it('lets the decisions, customers and campaign-step functions use the decision logs, and the reports job only Query byDay', () => {
    const logIds = config.tenants.map((t) => logicalIdOf(stack.store.decisionTables[t.id]!));
    const touches = (fn: string) =>
      statementsOf(fn).filter(
        (s) => logIds.some((id) => s.resources.includes(id)) && s.actions.some((a) => a.startsWith('dynamodb:')),
      );
    for (const fn of [apiFnIds['decisions']!, fnIds.customers, logicalIdOf(stack.campaigns.stepFunction)])
      expect(touches(fn).some((s) => s.actions.includes('dynamodb:PutItem'))).toBe(true);
    const build = touches(logicalIdOf(stack.reports.buildFunction));
    expect([...new Set(build.flatMap((s) => s.actions))]).toEqual(['dynamodb:Query']);
    for (const id of logIds)
      expect(build.some((s) => s.resources.includes(id) && s.resources.includes('/index/byDay'))).toBe(true);
    // never a decision log itself: every resource naming one is its byDay index
    for (const s of build)
      for (const r of [JSON.parse(s.resources)].flat().map((x) => JSON.stringify(x)))
        if (logIds.some((id) => r.includes(id))) expect(r).toContain('/index/byDay');
    expect(touches(fnIds.meta)).toEqual([]);
  });

  it('gives tenant tables the keys, GSIs and TTL of TENANT_TABLE and the keys table those of KEYS_TABLE', () => {
    for (const tenant of config.tenants) {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        TableName: tenantTableName(deploymentOf(config), tenant.id),
        KeySchema: [
          { AttributeName: TENANT_TABLE.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: TENANT_TABLE.sortKey!.name, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: TENANT_TABLE.indexes.map((i) => Match.objectLike({ IndexName: i.indexName })),
        TimeToLiveSpecification: { AttributeName: TENANT_TABLE.ttlAttribute, Enabled: true },
      });
    }
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: keysTableName(deploymentOf(config)),
      KeySchema: [{ AttributeName: KEYS_TABLE.partitionKey.name, KeyType: 'HASH' }],
      GlobalSecondaryIndexes: Match.absent(),
      TimeToLiveSpecification: { AttributeName: KEYS_TABLE.ttlAttribute, Enabled: true },
    });
  });
});

describe('REST API', () => {
  it('is one regional API per market that takes usage-plan keys from the authorizer', () => {
    template.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      Name: physicalName(config),
      ApiKeySourceType: 'AUTHORIZER',
      EndpointConfiguration: { Types: ['REGIONAL'] },
      // bodies reach the functions as bytes (base64), so one that is not UTF-8 can be refused
      BinaryMediaTypes: ['*/*'],
    });
  });

  it(`deploys stage '${STAGE_NAME}' with JSON access logs, tracing, metrics and throttling`, () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: STAGE_NAME,
      TracingEnabled: true,
      AccessLogSetting: {
        DestinationArn: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] },
        Format: Match.stringLikeRegexp('^\\{"requestId":"\\$context.requestId"'),
      },
      MethodSettings: [
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          MetricsEnabled: true,
          DataTraceEnabled: false,
          ThrottlingRateLimit: Match.anyValue(),
          ThrottlingBurstLimit: Match.anyValue(),
        }),
      ],
    });
    const stage = Object.values(template.findResources('AWS::ApiGateway::Stage'))[0]!;
    const format = JSON.parse(stage['Properties']['AccessLogSetting']['Format'] as string) as Record<string, string>;
    expect(format['tenant']).toBe('$context.authorizer.tenant');
  });

  it("has a resource and one ANY method for every path in ROUTES, served by that route's function", () => {
    for (const route of ROUTES) {
      const onPath = methods.get(route.path);
      expect(onPath, `no method on ${route.path}`).toHaveLength(1);
      expect(onPath![0]!['HttpMethod']).toBe('ANY');
      expect(onPath![0]!['Integration']).toMatchObject({ Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' });
      expect(integratedFunction(onPath![0]!)).toBe(apiFnIds[route.fn]);
    }
  });

  it('puts the REQUEST authorizer on every non-public route and none on public ones', () => {
    template.resourceCountIs('AWS::ApiGateway::Authorizer', 1);
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'REQUEST',
      IdentitySource: 'method.request.header.x-api-key',
      AuthorizerResultTtlInSeconds: AUTHORIZER_CACHE_TTL.toSeconds(),
      AuthorizerUri: Match.objectLike({
        'Fn::Join': Match.arrayWith([Match.arrayWith([{ 'Fn::GetAtt': [fnIds.authorizer, 'Arn'] }])]),
      }),
    });
    const authorizerId = Object.keys(template.findResources('AWS::ApiGateway::Authorizer'))[0]!;
    for (const route of ROUTES) {
      const method = methods.get(route.path)![0]!;
      if (route.scope === 'public') {
        expect(method, route.path).toMatchObject({ AuthorizationType: 'NONE' });
        expect(method['AuthorizerId']).toBeUndefined();
      } else {
        expect(method, route.path).toMatchObject({
          AuthorizationType: 'CUSTOM',
          AuthorizerId: { Ref: authorizerId },
          ApiKeyRequired: true,
        });
      }
    }
  });

  it('sends the root and every unknown path to the meta function, which answers 404', () => {
    for (const p of ['/', '/{proxy+}']) {
      const [method] = methods.get(p)!;
      expect(method).toMatchObject({ HttpMethod: 'ANY', AuthorizationType: 'NONE' });
      expect(integratedFunction(method!)).toBe(fnIds.meta);
    }
    expect(methods.size).toBe(apiPaths(ROUTES).length + 2);
  });

  it.each(GATEWAY_PROBLEMS.map((p) => [p.type.responseType, p] as const))(
    'answers %s from the gateway as problem+json',
    (type, problem) => {
      const [response] = Object.values(
        template.findResources('AWS::ApiGateway::GatewayResponse', { Properties: { ResponseType: type } }),
      );
      expect(response, type).toBeDefined();
      const props = response!['Properties'] as Record<string, any>;
      expect(props['ResponseParameters']).toEqual({
        'gatewayresponse.header.Content-Type': `'${PROBLEM_JSON}'`,
        ...(problem.retryAfter ? { 'gatewayresponse.header.Retry-After': `'${problem.retryAfter}'` } : {}),
      });
      if (problem.status !== undefined) expect(props['StatusCode']).toBe(String(problem.status));
      // with API Gateway's variables filled in, the template is a problem document
      const filled = (props['ResponseTemplates']['application/json'] as string)
        .replace('$context.error.messageString', '"Unauthorized"')
        .replace('$context.requestId', 'req-1');
      const body = JSON.parse(filled) as Record<string, unknown>;
      // one namespace and one title per code for gateway and function problems
      expect(body).toMatchObject({
        type: problemType(problem.code),
        title: functionProblem(problem.code, '').title,
        requestId: 'req-1',
        detail: expect.any(String),
      });
      if (problem.status !== undefined) expect(body['status']).toBe(problem.status);
    },
  );

  it('tells a throttled or over-quota client when to retry (Retry-After 1 and 3600)', () => {
    const retryAfter = (type: string) =>
      Object.values(
        template.findResources('AWS::ApiGateway::GatewayResponse', { Properties: { ResponseType: type } }),
      )[0]!['Properties']['ResponseParameters']['gatewayresponse.header.Retry-After'];
    expect(retryAfter('THROTTLED')).toBe("'1'");
    expect(retryAfter('QUOTA_EXCEEDED')).toBe("'3600'");
  });

  it('maps 401, 403, 404, 413 and 429 with those statuses', () => {
    const statuses = Object.values(template.findResources('AWS::ApiGateway::GatewayResponse')).map(
      (r) => r['Properties']['StatusCode'],
    );
    expect(statuses).toEqual(expect.arrayContaining(['401', '403', '404', '413', '429']));
  });

  it('answers an authorizer failure (key store unreachable) with 503 and Retry-After, not 500', () => {
    const [response] = Object.values(
      template.findResources('AWS::ApiGateway::GatewayResponse', {
        Properties: { ResponseType: 'AUTHORIZER_FAILURE' },
      }),
    );
    expect(response!['Properties']['StatusCode']).toBe('503');
    expect(response!['Properties']['ResponseParameters']['gatewayresponse.header.Retry-After']).toBe("'2'");
  });

  it('keeps 5xx details generic', () => {
    const [response] = Object.values(
      template.findResources('AWS::ApiGateway::GatewayResponse', { Properties: { ResponseType: 'DEFAULT_5XX' } }),
    );
    expect(response!['Properties']['ResponseTemplates']['application/json']).not.toContain('$context.error');
  });
});

describe('usage plans', () => {
  it.each(config.tenants.map((t) => [t.id, t] as const))(
    'gives tenant %s a usage plan with its throttle and monthly quota',
    (id, tenant) => {
      template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
        UsagePlanName: physicalName(config, id),
        Throttle: { RateLimit: tenant.throttle.rateLimit, BurstLimit: tenant.throttle.burstLimit },
        Quota: { Limit: tenant.throttle.monthlyQuota, Period: 'MONTH' },
        ApiStages: [Match.objectLike({ ApiId: { Ref: Match.anyValue() }, Stage: { Ref: Match.anyValue() } })],
      });
    },
  );

  it('gives each tenant an API key whose value is its generated secret, attached to its plan', () => {
    template.resourceCountIs('AWS::ApiGateway::UsagePlan', config.tenants.length);
    template.resourceCountIs('AWS::ApiGateway::UsagePlanKey', config.tenants.length);
    // the usage-key secrets; the first admin keys' secrets (named `...-admin-key`) are seed.test.ts's
    const usageKeySecrets = ofType('AWS::SecretsManager::Secret').filter(
      ([, s]) => !String(s.Properties!['Name'] ?? '').endsWith('-admin-key'),
    );
    expect(usageKeySecrets).toHaveLength(config.tenants.length);
    for (const [, secret] of usageKeySecrets) {
      expect(secret.Properties!['GenerateSecretString']).toEqual({ PasswordLength: 40, ExcludePunctuation: true });
    }
    for (const [, key] of ofType('AWS::ApiGateway::ApiKey')) {
      expect(key.Properties!['Enabled']).toBe(true);
      expect(JSON.stringify(key.Properties!['Value'])).toMatch(/\{\{resolve:secretsmanager:.*SecretString/);
    }
    // each key is attached to the plan of its own tenant
    for (const [, link] of ofType('AWS::ApiGateway::UsagePlanKey')) {
      const key = resources[(link.Properties!['KeyId'] as { Ref: string }).Ref]!;
      const plan = resources[(link.Properties!['UsagePlanId'] as { Ref: string }).Ref]!;
      expect(key.Properties!['Name']).toBe(plan.Properties!['UsagePlanName']);
    }
  });
});
