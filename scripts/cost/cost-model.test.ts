import { App, Duration, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as xray from 'aws-cdk-lib/aws-xray';
import { describe, expect, it } from 'vitest';
import { loadMarket } from '#config/markets/index.ts';
import {
  DEFAULT_ASSUMPTIONS,
  decisionMs,
  decisionUsage,
  decisionWriteUnits,
  priceUsage,
  total,
  writeUnits,
  readUnits,
  type FnProfile,
} from './cost-math.ts';
import { costModel } from './model.ts';
import { loadPrices } from './prices.ts';
import { accessLogLineBytes, templateFacts, type CfnTemplate } from './template-facts.ts';

const prices = loadPrices();
const market = loadMarket('demo');
const a = DEFAULT_ASSUMPTIONS;

/** A small synthesized stack shaped like the market's: REST API + authorizer, decisions and events functions, an SQS consumer. */
function fixtureTemplate(
  opts: { decisionMemory?: number; samplingRate?: number; accessLogClass?: logs.LogGroupClass } = {},
): CfnTemplate {
  const app = new App();
  const stack = new Stack(app, 'Fixture');
  const fn = (id: string, memorySize: number) =>
    new lambda.Function(stack, id, {
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize,
      handler: 'index.handler',
      code: lambda.Code.fromInline('export const handler = async () => ({})'),
      tracing: lambda.Tracing.ACTIVE,
      loggingFormat: lambda.LoggingFormat.JSON,
      logGroup: new logs.LogGroup(stack, `${id}Logs`, { retention: logs.RetentionDays.ONE_MONTH }),
    });
  const decisions = fn('DecisionsFn', opts.decisionMemory ?? 1024);
  const events = fn('EventsFn', 512);
  const processor = fn('EventProcessorFn', 512);
  const authorizerFn = fn('AuthorizerFn', 512);
  processor.addEventSource(
    new SqsEventSource(new sqs.Queue(stack, 'Events'), { batchSize: 25, maxBatchingWindow: Duration.seconds(1) }),
  );
  const api = new apigw.RestApi(
    stack,
    'Api',
    opts.accessLogClass
      ? {
          deployOptions: {
            accessLogDestination: new apigw.LogGroupLogDestination(
              new logs.LogGroup(stack, 'Access', { logGroupClass: opts.accessLogClass }),
            ),
            accessLogFormat: apigw.AccessLogFormat.clf(),
          },
        }
      : {},
  );
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
  return Template.fromStack(stack).toJSON() as CfnTemplate;
}

const base = fixtureTemplate();
const decisionFnId = (t: CfnTemplate) => templateFacts(t).api.routes['/v1/decisions']!;

describe('reading the template', () => {
  it('finds which function serves each API path, the authorizer and the queue consumer', () => {
    const facts = templateFacts(base);
    expect(facts.api.type).toBe('REST');
    expect(facts.functions[decisionFnId(base)]).toMatchObject({
      memoryMb: 1024,
      architecture: 'arm64',
      tracing: true,
      logRetentionDays: 30,
    });
    expect(facts.api.routes['/v1/events']).toMatch(/^EventsFn/);
    expect(facts.api.authorizerFunction).toMatch(/^AuthorizerFn/);
    expect(facts.api.authorizerCacheTtlSeconds).toBe(60);
    expect(facts.queueConsumers).toEqual([{ functionId: expect.stringMatching(/^EventProcessorFn/), batchSize: 25 }]);
    expect(facts.scoring).toEqual({ mode: 'embedded' });
  });

  it("takes the sampling rate from the X-Ray sampling rule, and X-Ray's default without one", () => {
    expect(templateFacts(base).tracing).toMatchObject({ samplingRate: 0.05, source: 'x-ray default rule' });
    expect(templateFacts(fixtureTemplate({ samplingRate: 0.2 })).tracing).toMatchObject({
      samplingRate: 0.2,
      source: 'sampling-rule',
    });
  });
});

describe('the cost model', () => {
  it('costs more per decision when the decision Lambda gets more memory in the template', () => {
    const before = costModel(base, market, prices, a, 9_000_000);
    const bigger = structuredClone(base);
    bigger.Resources![decisionFnId(bigger)]!.Properties!['MemorySize'] = 2048;
    const after = costModel(bigger, market, prices, a, 9_000_000);
    expect(after.functions.decision.memoryMb).toBe(2048);
    // above a full vCPU the time no longer shrinks: 1M x (ms at 2 GB x 2 - ms at 1 GB x 1) GB-s x $0.0000133334
    const ms = (mb: number) => decisionMs({ ...after.functions.decision, memoryMb: mb }, a);
    expect(ms(2048)).toBeLessThan(ms(1024));
    expect(after.decisions.total - before.decisions.total).toBeCloseTo(
      1e6 * ((ms(2048) / 1000) * 2 - (ms(1024) / 1000) * 1) * 0.0000133334,
      4,
    );
  });

  it('costs more per decision when the sampling rule traces more', () => {
    const sampled = costModel(fixtureTemplate({ samplingRate: 0.2 }), market, prices, a, 1);
    const defaulted = costModel(base, market, prices, a, 1);
    // 15% more of 1M traces at $5/M
    expect(sampled.decisions.total - defaulted.decisions.total).toBeCloseTo(0.75, 2);
  });

  it('prices the same decisions at $2.50 per 1M less behind an HTTP API', () => {
    const model = costModel(base, market, prices, a, 1);
    expect(model.decisions.total - model.decisions.httpApiTotal).toBeCloseTo(2.5, 6);
    expect(model.decisions.lines.find((l) => l.component === 'API Gateway (REST)')?.usd).toBeCloseTo(3.5, 6);
  });

  it('adds inference on top of the decision figure for every scoring mode', () => {
    const model = costModel(base, market, prices, a, 1);
    expect(model.scoringModes.map((s) => s.title)).toEqual([
      'embedded (in-process evaluator)',
      'sagemaker serverless',
      'sagemaker real-time',
    ]);
    for (const s of model.scoringModes) expect(s.total).toBeGreaterThan(model.decisions.total);
    const serverless = model.scoringModes[1]!;
    // 1M x 40 ms x 2 GB x $0.00002 + 2 GB processed x $0.016
    expect(serverless.lines.find((l) => l.component === 'SageMaker inference')?.usd).toBeCloseTo(
      1.6 + ((1e6 * 2 * 1024) / 1024 ** 3) * 0.016,
      4,
    );
    expect(serverless.lines.some((l) => l.component === 'Lambda requests')).toBe(false);
  });

  it('uses the batch size of the queue consumer for the event processor', () => {
    const model = costModel(base, market, prices, a, 1);
    const duration = model.events.lines.find((l) => l.component === 'Lambda duration')!;
    expect(duration.detail).toContain('event-processor 40k x 120 ms at 512 MB');
  });

  it('falls back to the house defaults, saying so, for a function the template does not have yet', () => {
    const model = costModel(base, market, prices, a, 1);
    expect(model.functions.scoring.source).toMatch(/^assumed/);
    expect(model.nightly[0]!.notes.join(' ')).toContain('assumed');
  });

  it('scales nightly scoring with the number of customers', () => {
    const small = costModel(base, market, prices, a, 1_000_000).nightly[0]!.total;
    const large = costModel(base, market, prices, a, 9_000_000).nightly[0]!.total;
    expect(large / small).toBeGreaterThan(8.9);
    expect(large / small).toBeLessThan(9.1);
  });
});

describe('cost arithmetic', () => {
  const fn: FnProfile = { name: 'f', memoryMb: 1024, architecture: 'arm64', systemLogLevel: 'INFO', source: 'test' };

  it('counts DynamoDB units as AWS bills them', () => {
    expect(readUnits(6)).toBe(1);
    expect(readUnits(6, true)).toBe(2);
    expect(writeUnits(0.3)).toBe(1);
    expect(writeUnits(1.5)).toBe(2);
  });

  it('prices a decision line by line from usage', () => {
    const usage = decisionUsage(
      { decisions: 1e6, decisionFn: fn, authorizerFn: fn, samplingRate: 0 },
      { ...a, authorizerCacheHitRate: 1 },
    );
    const lines = priceUsage(usage, prices, { apiType: 'REST', logRetentionDays: 30, logCompression: 0 });
    const of = (c: string) => lines.find((l) => l.component === c)?.usd;
    expect(of('API Gateway (REST)')).toBeCloseTo(3.5, 6);
    expect(of('Lambda requests')).toBeCloseTo(0.2, 6);
    // 2 DynamoDB waits of 6 ms + 4.5 ms CPU stretched to 1769/1024 of a vCPU = 20 ms
    expect(decisionMs(fn, a)).toBe(Math.ceil(2 * 6 + 4.5 * (1769 / 1024)));
    expect(of('Lambda duration')).toBeCloseTo(1e6 * (decisionMs(fn, a) / 1000) * 0.0000133334, 6);
    // the customer's Query (1 RRU) + 20% household members' ledger Query (0.5 RRU)
    expect(of('DynamoDB reads')).toBeCloseTo(0.125 * (1 + 0.2 * 0.5), 6);
    // the log item + 20% household index entries + 30% capped answers / leases of 10
    expect(decisionWriteUnits(a)).toBeCloseTo(1.2 + 0.03, 6);
    expect(of('DynamoDB writes')).toBeCloseTo(0.625 * 1.23, 6);
    expect(of('Authorizer (Lambda)')).toBeUndefined();
    expect(total(lines)).toBeGreaterThan(4.5);
  });

  it('prices access logs of an Infrequent Access group at its ingestion price', () => {
    const standard = costModel(fixtureTemplate({ accessLogClass: logs.LogGroupClass.STANDARD }), market, prices, a, 1);
    const ia = costModel(
      fixtureTemplate({ accessLogClass: logs.LogGroupClass.INFREQUENT_ACCESS }),
      market,
      prices,
      a,
      1,
    );
    expect(
      templateFacts(fixtureTemplate({ accessLogClass: logs.LogGroupClass.INFREQUENT_ACCESS })).api.accessLogClass,
    ).toBe('INFREQUENT_ACCESS');
    expect(ia.decisions.lines.find((l) => l.component === 'Logs (Infrequent Access)')!.detail).toContain('GB ingested');
    // the line is sized from the stage's format: 1M lines at $0.50/GB instead of $0.25/GB (storage alike)
    const line = templateFacts(fixtureTemplate({ accessLogClass: logs.LogGroupClass.STANDARD })).api
      .accessLogLineBytes!;
    expect(line).toBeGreaterThan(100);
    expect(standard.decisions.total - ia.decisions.total).toBeCloseTo(((1e6 * line) / 1024 ** 3) * 0.25, 4);
  });

  it('sizes an access log line from the format, with typical values for its variables', () => {
    expect(accessLogLineBytes('{"requestId":"$context.requestId","status":"$context.status"}')).toBe(
      '{"requestId":"c6af9ac6-7b61-11e6-9a41-93e8deadbeef","status":"200"}'.length + 1 + 26,
    );
    expect(accessLogLineBytes('$context.somethingNew')).toBe(12 + 1 + 26);
  });

  it('drops the platform log lines when the system log level is WARN', () => {
    const info = decisionUsage({ decisions: 1e6, decisionFn: fn, authorizerFn: fn, samplingRate: 0 }, a);
    const warn = decisionUsage(
      { decisions: 1e6, decisionFn: { ...fn, systemLogLevel: 'WARN' }, authorizerFn: fn, samplingRate: 0 },
      a,
    );
    expect(info.logBytes - warn.logBytes).toBe(1e6 * a.platformLogBytes);
  });
});
