/**
 * A small synthesized stack shaped like the market's, for the cost tests: the template facts the
 * model reads without synthesizing the whole market (slow), with knobs the tests turn.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as xray from 'aws-cdk-lib/aws-xray';
import type { CfnTemplate } from './template-facts.ts';

/** REST API + authorizer, decisions and events functions, an SQS consumer. */
export function fixtureTemplate(
  opts: {
    decisionMemory?: number;
    samplingRate?: number;
    accessLogClass?: logs.LogGroupClass;
    /** Physical names of on-demand tables with point-in-time recovery on. */
    pitrTables?: string[];
    /** Physical names of on-demand tables with point-in-time recovery off. */
    tables?: string[];
    /** `CVM_METER_FLUSH_SECONDS` on the decisions and events functions, as on every API function (unset when undefined). */
    meterFlushSeconds?: number;
    /** The decisions function's `DECISIONING.decisionLogDays` (no DECISIONING when undefined). */
    decisionLogDays?: number;
    /** Active tracing on the decisions function (default true). */
    decisionTracing?: boolean;
    /** The API stage traces (default false, as RestApi's). */
    stageTracing?: boolean;
  } = {},
): CfnTemplate {
  const app = new App();
  const stack = new Stack(app, 'Fixture');
  const fn = (id: string, memorySize: number, more: Partial<lambda.FunctionProps> = {}) =>
    new lambda.Function(stack, id, {
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize,
      handler: 'index.handler',
      code: lambda.Code.fromInline('export const handler = async () => ({})'),
      tracing: lambda.Tracing.ACTIVE,
      loggingFormat: lambda.LoggingFormat.JSON,
      logGroup: new logs.LogGroup(stack, `${id}Logs`, { retention: logs.RetentionDays.ONE_MONTH }),
      ...more,
    });
  const decisions = fn('DecisionsFn', opts.decisionMemory ?? 1024, {
    ...(opts.decisionTracing === false ? { tracing: lambda.Tracing.PASS_THROUGH } : {}),
    environment: {
      ...(opts.meterFlushSeconds !== undefined ? { CVM_METER_FLUSH_SECONDS: String(opts.meterFlushSeconds) } : {}),
      ...(opts.decisionLogDays !== undefined
        ? { DECISIONING: JSON.stringify({ timeZone: 'UTC', decisionLogDays: opts.decisionLogDays }) }
        : {}),
    },
  });
  const events = fn(
    'EventsFn',
    512,
    opts.meterFlushSeconds !== undefined
      ? { environment: { CVM_METER_FLUSH_SECONDS: String(opts.meterFlushSeconds) } }
      : {},
  );
  const processor = fn('EventProcessorFn', 512);
  const authorizerFn = fn('AuthorizerFn', 512);
  processor.addEventSource(
    new SqsEventSource(new sqs.Queue(stack, 'Events'), { batchSize: 25, maxBatchingWindow: Duration.seconds(1) }),
  );
  const api = new apigw.RestApi(stack, 'Api', {
    deployOptions: {
      ...(opts.stageTracing ? { tracingEnabled: true } : {}),
      ...(opts.accessLogClass
        ? {
            accessLogDestination: new apigw.LogGroupLogDestination(
              new logs.LogGroup(stack, 'Access', { logGroupClass: opts.accessLogClass }),
            ),
            accessLogFormat: apigw.AccessLogFormat.clf(),
          }
        : {}),
    },
  });
  const authorizer = new apigw.RequestAuthorizer(stack, 'Authz', {
    handler: authorizerFn,
    identitySources: [apigw.IdentitySource.header('x-api-key')],
    resultsCacheTtl: Duration.seconds(60),
  });
  const v1 = api.root.addResource('v1');
  v1.addResource('decisions').addMethod('ANY', new apigw.LambdaIntegration(decisions), { authorizer });
  v1.addResource('events').addMethod('ANY', new apigw.LambdaIntegration(events), { authorizer });
  if (opts.samplingRate !== undefined) {
    new xray.CfnSamplingRule(stack, 'Sampling', {
      samplingRule: {
        ruleName: 'cvm',
        priority: 100,
        fixedRate: opts.samplingRate,
        reservoirSize: 1,
        serviceName: '*',
        serviceType: '*',
        host: '*',
        httpMethod: '*',
        urlPath: '*',
        resourceArn: '*',
        version: 1,
      },
    });
  }
  const tables = [
    ...(opts.pitrTables ?? []).map((name) => ({ name, pitr: true })),
    ...(opts.tables ?? []).map((name) => ({ name, pitr: false })),
  ];
  for (const [i, { name, pitr }] of tables.entries())
    new dynamodb.Table(stack, `Table${i}`, {
      tableName: name,
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: pitr },
    });
  return Template.fromStack(stack).toJSON() as CfnTemplate;
}
