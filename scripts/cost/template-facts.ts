/**
 * What the cost model needs to know about a synthesized CloudFormation template: Lambda memory,
 * architecture, logging and tracing, which function serves which API path, queue consumers, table
 * billing modes and point-in-time recovery, state machines, the scoring endpoint, the X-Ray
 * sampling rule and the stage's tracing, and what the market config's cost levers set in the
 * functions' environment (the metrics interval, the decision log's TTL). Pure: template in, facts
 * out, so a test can change a fixture and see the cost move.
 */

type Resource = { Type: string; Properties?: Record<string, any> };
export interface CfnTemplate {
  Resources?: Record<string, Resource>;
}

export type Architecture = 'arm64' | 'x86_64';

export interface FunctionFacts {
  logicalId: string;
  memoryMb: number;
  architecture: Architecture;
  tracing: boolean;
  /** Retention of the function's log group; undefined = never expires. */
  logRetentionDays?: number;
  /** Lambda's own START/END/REPORT lines are written unless this is WARN or higher. */
  systemLogLevel: string;
  description?: string;
  /** Seconds between a container's metrics lines (`CVM_METER_FLUSH_SECONDS`); 0: one line per invocation. */
  meterFlushSeconds: number;
  /** The decision log's TTL in days, where the function's `DECISIONING` settings carry it (the decisions function). */
  decisionLogDays?: number;
}

export interface TemplateFacts {
  api: {
    type: 'REST' | 'HTTP' | 'none';
    /** API path (`/v1/decisions`) -> logical id of the function that serves it. */
    routes: Record<string, string>;
    authorizerFunction?: string;
    authorizerCacheTtlSeconds: number;
    accessLogs: boolean;
    /** The class of the access log group (Infrequent Access ingests at half the price). */
    accessLogClass: 'STANDARD' | 'INFREQUENT_ACCESS';
    /** One access log line as the stage's format writes it with typical values (undefined: no format). */
    accessLogLineBytes?: number;
    /** The stage sends X-Ray the requests its sampling picks: each is a recorded trace, whatever the functions do. */
    tracing: boolean;
  };
  functions: Record<string, FunctionFacts>;
  queueConsumers: { functionId: string; batchSize: number }[];
  tables: {
    logicalId: string;
    tableName?: string;
    billingMode: 'PAY_PER_REQUEST' | 'PROVISIONED';
    /** Continuous backups: billed per GB-month of the table. */
    pointInTimeRecovery: boolean;
  }[];
  stateMachines: { logicalId: string; type: 'STANDARD' | 'EXPRESS' }[];
  scoring: {
    mode: 'embedded' | 'sagemaker';
    kind?: 'serverless' | 'real-time';
    memoryMb?: number;
    instanceType?: string;
    instanceCount?: number;
  };
  tracing: { samplingRate: number; reservoirPerSecond: number; source: 'sampling-rule' | 'x-ray default rule' };
}

/** Typical values of the `$context` variables an access log format names (lengths are what count). */
const TYPICAL_CONTEXT: Record<string, string> = {
  requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
  requestTime: '23/Nov/2026:16:54:17 +0000',
  'identity.sourceIp': '203.0.113.10',
  httpMethod: 'POST',
  resourcePath: '/v1/decisions',
  status: '200',
  responseLength: '812',
  responseLatency: '23',
  'integration.latency': '21',
  'authorizer.tenant': 'consumer',
  'authorizer.keyId': 'consumer-channel-1',
  'error.message': '-',
  xrayTraceId: '1-5759e988-bd862e3fe1be46a994272793',
};

/**
 * Bytes of one access log line: the format with each `$context.x` replaced by a typical value
 * (12 characters when unknown), plus the newline and the 26 bytes CloudWatch counts per event.
 */
export function accessLogLineBytes(format: string): number {
  const line = format.replace(/\$context\.([A-Za-z.]+)/g, (_, name: string) => TYPICAL_CONTEXT[name] ?? 'x'.repeat(12));
  return Buffer.byteLength(line) + 1 + 26;
}

/** X-Ray's default rule when the template brings none: the first request each second, then 5%. */
export const XRAY_DEFAULT = { rate: 0.05, reservoir: 1 };

const refOf = (v: unknown): string | undefined =>
  v && typeof v === 'object' && 'Ref' in v ? String((v as { Ref: unknown }).Ref) : undefined;
const getAttOf = (v: unknown): [string, string] | undefined => {
  const g = v && typeof v === 'object' ? (v as Record<string, unknown>)['Fn::GetAtt'] : undefined;
  return Array.isArray(g) ? [String(g[0]), String(g[1])] : undefined;
};

/** `decisionLogDays` of a `DECISIONING` variable (JSON written at synth; a token or other JSON gives undefined). */
function decisionLogDaysOf(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const days = (JSON.parse(value) as { decisionLogDays?: unknown }).decisionLogDays;
    return typeof days === 'number' && days > 0 ? days : undefined;
  } catch {
    return undefined;
  }
}

export function templateFacts(template: CfnTemplate): TemplateFacts {
  const resources = template.Resources ?? {};
  const entries = Object.entries(resources);
  const ofType = (type: string) => entries.filter(([, r]) => r.Type === type);
  const functionIds = new Set(ofType('AWS::Lambda::Function').map(([id]) => id));
  /** The first Lambda function a JSON value names (GetAtt ...Arn or Ref). */
  const functionIn = (value: unknown): string | undefined => {
    const json = JSON.stringify(value ?? null);
    for (const m of json.matchAll(/"(?:Fn::GetAtt"|Ref"):\[?"([A-Za-z0-9]+)"/g))
      if (functionIds.has(m[1]!)) return m[1];
    return undefined;
  };

  const functions: Record<string, FunctionFacts> = {};
  for (const [id, r] of ofType('AWS::Lambda::Function')) {
    const p = r.Properties ?? {};
    const logGroupId = refOf(p['LoggingConfig']?.['LogGroup']);
    const retention = logGroupId ? resources[logGroupId]?.Properties?.['RetentionInDays'] : undefined;
    const env = (p['Environment']?.['Variables'] ?? {}) as Record<string, unknown>;
    const flush = Number(env['CVM_METER_FLUSH_SECONDS'] ?? 0);
    const logDays = decisionLogDaysOf(env['DECISIONING']);
    functions[id] = {
      logicalId: id,
      memoryMb: typeof p['MemorySize'] === 'number' ? p['MemorySize'] : 128,
      architecture: Array.isArray(p['Architectures']) && p['Architectures'][0] === 'arm64' ? 'arm64' : 'x86_64',
      tracing: p['TracingConfig']?.['Mode'] === 'Active',
      ...(typeof retention === 'number' ? { logRetentionDays: retention } : {}),
      systemLogLevel:
        typeof p['LoggingConfig']?.['SystemLogLevel'] === 'string' ? p['LoggingConfig']['SystemLogLevel'] : 'INFO',
      ...(typeof p['Description'] === 'string' ? { description: p['Description'] } : {}),
      meterFlushSeconds: Number.isFinite(flush) && flush > 0 ? flush : 0,
      ...(logDays !== undefined ? { decisionLogDays: logDays } : {}),
    };
  }

  // --- REST API: resource paths, then the function behind each path's method ---------------
  const restApis = ofType('AWS::ApiGateway::RestApi');
  const httpApis = ofType('AWS::ApiGatewayV2::Api').filter(([, r]) => r.Properties?.['ProtocolType'] === 'HTTP');
  const routes: Record<string, string> = {};
  const pathOf = (resourceId: string, seen = 0): string => {
    const r = resources[resourceId];
    if (!r || seen > 50) return '';
    const parent = refOf(r.Properties?.['ParentId']);
    return `${parent ? pathOf(parent, seen + 1) : ''}/${r.Properties?.['PathPart'] ?? ''}`;
  };
  for (const [, m] of ofType('AWS::ApiGateway::Method')) {
    const resourceId = refOf(m.Properties?.['ResourceId']);
    const path = resourceId ? pathOf(resourceId) : '/';
    const fn = functionIn(m.Properties?.['Integration']?.['Uri']);
    if (fn) routes[path] = fn;
  }
  for (const [, route] of ofType('AWS::ApiGatewayV2::Route')) {
    const key = String(route.Properties?.['RouteKey'] ?? '');
    const integrationId = /"Ref":"([A-Za-z0-9]+)"/.exec(JSON.stringify(route.Properties?.['Target'] ?? ''))?.[1];
    const fn = integrationId ? functionIn(resources[integrationId]?.Properties?.['IntegrationUri']) : undefined;
    if (fn) routes[key.replace(/^[A-Z]+ /, '')] = fn;
  }
  const authorizer = ofType('AWS::ApiGateway::Authorizer')[0]?.[1] ?? ofType('AWS::ApiGatewayV2::Authorizer')[0]?.[1];
  const authorizerFunction = functionIn(authorizer?.Properties?.['AuthorizerUri']);
  const stage = ofType('AWS::ApiGateway::Stage')[0]?.[1] ?? ofType('AWS::ApiGatewayV2::Stage')[0]?.[1];

  const accessLogSetting = (stage?.Properties?.['AccessLogSetting'] ?? stage?.Properties?.['AccessLogSettings']) as
    | Record<string, unknown>
    | undefined;
  const accessLogGroupId = getAttOf(accessLogSetting?.['DestinationArn'])?.[0];
  const accessLogGroup = accessLogGroupId ? resources[accessLogGroupId] : undefined;

  // --- the rest ----------------------------------------------------------------------------
  const queueConsumers = ofType('AWS::Lambda::EventSourceMapping')
    .filter(
      ([, r]) =>
        JSON.stringify(r.Properties?.['EventSourceArn'] ?? '').includes('Queue') || !r.Properties?.['StartingPosition'],
    )
    .flatMap(([, r]) => {
      const fn = functionIn(r.Properties?.['FunctionName']);
      return fn ? [{ functionId: fn, batchSize: Number(r.Properties?.['BatchSize'] ?? 10) }] : [];
    });
  const tables = ofType('AWS::DynamoDB::Table').map(([id, r]) => ({
    logicalId: id,
    ...(typeof r.Properties?.['TableName'] === 'string' ? { tableName: r.Properties['TableName'] as string } : {}),
    billingMode:
      r.Properties?.['BillingMode'] === 'PAY_PER_REQUEST' ? ('PAY_PER_REQUEST' as const) : ('PROVISIONED' as const),
    pointInTimeRecovery: r.Properties?.['PointInTimeRecoverySpecification']?.['PointInTimeRecoveryEnabled'] === true,
  }));
  const stateMachines = ofType('AWS::StepFunctions::StateMachine').map(([id, r]) => ({
    logicalId: id,
    type: r.Properties?.['StateMachineType'] === 'EXPRESS' ? ('EXPRESS' as const) : ('STANDARD' as const),
  }));

  const variant = ofType('AWS::SageMaker::EndpointConfig')[0]?.[1]?.Properties?.['ProductionVariants']?.[0] as
    | Record<string, any>
    | undefined;
  const scoring: TemplateFacts['scoring'] = !variant
    ? { mode: 'embedded' }
    : variant['ServerlessConfig']
      ? { mode: 'sagemaker', kind: 'serverless', memoryMb: Number(variant['ServerlessConfig']['MemorySizeInMB']) }
      : {
          mode: 'sagemaker',
          kind: 'real-time',
          instanceType: String(variant['InstanceType']),
          instanceCount: Number(variant['InitialInstanceCount'] ?? 1),
        };

  const rules = ofType('AWS::XRay::SamplingRule')
    .map(([, r]) => r.Properties?.['SamplingRule'] as Record<string, any> | undefined)
    .filter((r): r is Record<string, any> => !!r && typeof r['FixedRate'] === 'number')
    .sort((a, b) => Number(a['Priority'] ?? 0) - Number(b['Priority'] ?? 0));
  const rule = rules[0];
  const tracing: TemplateFacts['tracing'] = rule
    ? {
        samplingRate: rule['FixedRate'],
        reservoirPerSecond: Number(rule['ReservoirSize'] ?? 0),
        source: 'sampling-rule',
      }
    : { samplingRate: XRAY_DEFAULT.rate, reservoirPerSecond: XRAY_DEFAULT.reservoir, source: 'x-ray default rule' };

  return {
    api: {
      type: restApis.length ? 'REST' : httpApis.length ? 'HTTP' : 'none',
      routes,
      ...(authorizerFunction ? { authorizerFunction } : {}),
      authorizerCacheTtlSeconds: Number(authorizer?.Properties?.['AuthorizerResultTtlInSeconds'] ?? 300),
      accessLogs: !!(stage?.Properties?.['AccessLogSetting'] ?? stage?.Properties?.['AccessLogSettings']),
      accessLogClass:
        accessLogGroup?.Properties?.['LogGroupClass'] === 'INFREQUENT_ACCESS' ? 'INFREQUENT_ACCESS' : 'STANDARD',
      ...(typeof accessLogSetting?.['Format'] === 'string'
        ? { accessLogLineBytes: accessLogLineBytes(accessLogSetting['Format']) }
        : {}),
      tracing: stage?.Properties?.['TracingEnabled'] === true,
    },
    functions,
    queueConsumers,
    tables,
    stateMachines,
    scoring,
    tracing,
  };
}
