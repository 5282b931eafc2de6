import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import type { CfnResource } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, describe, expect, it } from 'vitest';
import type { MarketConfig } from '#config/market-config.ts';
import { loadMarket } from '#config/markets/index.ts';
import { EmfMeter } from '../lambdas/adapters/usage/emf-meter.ts';
import { FALLBACK_REASONS, METRIC } from '../lambdas/adapters/metrics/platform-metrics.ts';
import { driftMetricsFromEnv, triggerRecorderFromEnv } from '../lambdas/adapters/metrics/powertools-metrics.ts';
import { METER_NAMES } from '../lambdas/domain/usage-readings.ts';
import { scoringEnv } from '../lambdas/composition/scoring-env.ts';
import { onlineScoring } from '../lambdas/composition/online-scoring.ts';
import { systemClock } from '../lambdas/adapters/clock.ts';
import { fileModelSource } from '../lambdas/adapters/models/file-model-store.ts';
import { loadPinnedModels } from '../lambdas/domain/scoring/model-store.ts';
import { emittedMetrics, type MetricIdentity } from '../lambdas/test-support/emf.ts';
import { synthMarket, type Synthesized } from './synth.ts';

type Resource = { Type: string; Properties: Record<string, any> };
const resourcesOf = (s: Synthesized) => s.template.toJSON()['Resources'] as Record<string, Resource>;
const ofType = (s: Synthesized, type: string) => Object.entries(resourcesOf(s)).filter(([, r]) => r.Type === type);
const alarmsOf = (s: Synthesized) => ofType(s, 'AWS::CloudWatch::Alarm').map(([, r]) => r.Properties);
/** The alarm topic (the market's other topic carries delivery receipts). */
const topicOf = (s: Synthesized) =>
  s.stack.resolve((s.stack.observability.alarmTopic.node.defaultChild as CfnResource).logicalId) as string;

const demo = synthMarket();
const alarms = alarmsOf(demo);
const dashboardBody = () =>
  JSON.stringify(demo.stack.resolve(ofType(demo, 'AWS::CloudWatch::Dashboard')[0]![1].Properties['DashboardBody']));

const withSageMaker = (config: MarketConfig): MarketConfig => ({
  ...config,
  scoring: { ...config.scoring, mode: 'sagemaker' },
});
const sagemaker = synthMarket(withSageMaker(loadMarket('demo')));

/** The dashboard's widgets, tokens (region, function names) left as `<token>` inside their strings. */
function widgetsOf(s: Synthesized): { properties: { title?: string; metrics?: unknown[][] } }[] {
  const body = s.stack.resolve(ofType(s, 'AWS::CloudWatch::Dashboard')[0]![1].Properties['DashboardBody']) as
    | string
    | { 'Fn::Join': [string, unknown[]] };
  const text =
    typeof body === 'string' ? body : body['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : '<token>')).join('');
  return (JSON.parse(text) as { widgets: { properties: { title?: string; metrics?: unknown[][] } }[] }).widgets;
}

/** The metrics a dashboard widget graphs (math expressions left out): `[namespace, name, k, v, ..., {options}]`. */
function graphed(s: Synthesized, title: string): MetricIdentity[] {
  const widget = widgetsOf(s).find((w) => w.properties.title === title);
  expect(widget, `widget '${title}'`).toBeDefined();
  return (widget!.properties.metrics ?? [])
    .filter((m) => typeof m[0] === 'string')
    .map((m) => {
      const parts = m.filter((p): p is string => typeof p === 'string');
      const [namespace, name, ...pairs] = parts;
      const dimensions: Record<string, string> = {};
      for (let i = 0; i < pairs.length; i += 2) dimensions[pairs[i]!] = pairs[i + 1]!;
      return { namespace: namespace!, name: name!, dimensions };
    });
}

/** The metrics an alarm reads: its own, or those of its math expression. */
function alarmed(alarm: Record<string, any>): MetricIdentity[] {
  const toIdentity = (m: {
    Namespace: string;
    MetricName: string;
    Dimensions?: { Name: string; Value: string }[];
  }): MetricIdentity => ({
    namespace: m.Namespace,
    name: m.MetricName,
    dimensions: Object.fromEntries((m.Dimensions ?? []).map((d) => [d.Name, d.Value])),
  });
  if (alarm['MetricName']) return [toIdentity(alarm as never)];
  return (alarm['Metrics'] as { MetricStat?: { Metric: never } }[]).flatMap((m) =>
    m.MetricStat ? [toIdentity(m.MetricStat.Metric)] : [],
  );
}

const sorted = (ids: MetricIdentity[]) =>
  ids.map((i) => JSON.stringify({ ...i, dimensions: Object.fromEntries(Object.entries(i.dimensions).sort()) })).sort();

describe('observability of a market', () => {
  it('sends alarms to one KMS-encrypted topic that refuses plain HTTP', () => {
    // the alarm topic, and the delivery receipts topic (infra-tests/delivery.test.ts)
    demo.template.resourceCountIs('AWS::SNS::Topic', 2);
    demo.template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    demo.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    demo.template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' } })]),
      },
    });
  });

  it("subscribes the config's e-mail only when there is one", () => {
    // none on the alarm topic (the receipts topic's function subscription is the only one)
    demo.template.resourcePropertiesCountIs('AWS::SNS::Subscription', { Protocol: 'email' }, 0);
    const withEmail = synthMarket({ ...loadMarket('demo'), alarmTopicEmail: 'noc@example.com' });
    withEmail.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'noc@example.com',
    });
  });

  it("alarms on the API 5xx rate, p99 latency and every function's errors, to the topic", () => {
    const descriptions = alarms.map((a) => String(a['AlarmDescription']));
    expect(descriptions.some((d) => /5xx/.test(d))).toBe(true);
    expect(descriptions.some((d) => /p99 latency/.test(d))).toBe(true);
    for (const name of ['customers', 'decisions', 'events', 'authorizer', 'event-processor', 'score-segment']) {
      expect(
        descriptions.filter((d) =>
          d.startsWith(`Lambda ${name} of market demo raised errors in 2 consecutive 5-minute periods`),
        ),
        name,
      ).toHaveLength(1);
    }
  });

  it('sends every alarm of the market, raised and cleared, to the one topic', () => {
    for (const s of [demo, sagemaker]) {
      const topic = topicOf(s);
      for (const alarm of alarmsOf(s)) {
        expect(alarm['AlarmActions'], String(alarm['AlarmDescription'])).toEqual([{ Ref: topic }]);
        expect(alarm['OKActions'], String(alarm['AlarmDescription'])).toEqual([{ Ref: topic }]);
      }
    }
  });

  it("takes the 5xx-rate and p99-latency thresholds from the config's alerting", () => {
    const byDescription = (s: Synthesized, re: RegExp) =>
      alarmsOf(s).find((a) => re.test(String(a['AlarmDescription'])))!;
    expect(byDescription(demo, /answered 5xx/)['Threshold']).toBe(demo.config.alerting.serverErrorRatePercent);
    expect(byDescription(demo, /p99 latency/)['Threshold']).toBe(demo.config.alerting.p99LatencyMs);
    const strict = synthMarket({
      ...loadMarket('demo'),
      alerting: { serverErrorRatePercent: 0.5, p99LatencyMs: 400, scoringFallbackRatePercent: 5 },
    });
    expect(byDescription(strict, /answered 5xx/)['Threshold']).toBe(0.5);
    expect(byDescription(strict, /p99 latency/)).toMatchObject({
      Threshold: 400,
      AlarmDescription: expect.stringContaining('400 ms'),
    });
  });

  it("routes the event pipeline's DLQ alarms and the scoring workflow's failures to the topic", () => {
    expect(
      alarms.filter((a) => /dead-letter queue|could not take/.test(String(a['AlarmDescription']))).length,
    ).toBeGreaterThanOrEqual(demo.config.tenants.length);
    expect(alarms.some((a) => /Workflow score-base/.test(String(a['AlarmDescription'])))).toBe(true);
  });

  it("samples API traces at the config's rate", () => {
    demo.template.hasResourceProperties('AWS::XRay::SamplingRule', {
      SamplingRule: Match.objectLike({ FixedRate: demo.config.tracingSampleRate, ServiceName: 'cvm-demo-dev/live' }),
    });
    const sampled = synthMarket({ ...loadMarket('demo'), tracingSampleRate: 0.5 });
    sampled.template.hasResourceProperties('AWS::XRay::SamplingRule', {
      SamplingRule: Match.objectLike({ FixedRate: 0.5 }),
    });
  });

  it('traces every house function while the sample rate is above 0, and none at 0', () => {
    const houseFns = (s: Synthesized) =>
      ofType(s, 'AWS::Lambda::Function').filter(([, f]) => f.Properties['Runtime'] === 'nodejs24.x');
    expect(houseFns(demo).length).toBeGreaterThan(10);
    for (const [id, fn] of houseFns(demo)) {
      expect(fn.Properties['TracingConfig'], id).toEqual({ Mode: 'Active' });
      // the X-Ray SDK and the Powertools tracer that read it are gone from the bundles
      expect(fn.Properties['Environment']['Variables'], id).not.toHaveProperty('POWERTOOLS_TRACE_ENABLED');
    }
    const untraced = synthMarket({ ...loadMarket('demo'), tracingSampleRate: 0 });
    for (const [id, fn] of houseFns(untraced))
      expect(fn.Properties['TracingConfig'], id).toEqual({ Mode: 'PassThrough' });
  });

  it("alarms on each tenant's tables with alarms tagged with the tenant, throttles in one alarm over both tables", () => {
    for (const tenant of demo.config.tenants) {
      const own = ofType(demo, 'AWS::CloudWatch::Alarm').filter(([, a]) =>
        String(a.Properties['AlarmDescription']).includes(`tables of tenant ${tenant.id} `),
      );
      expect(own).toHaveLength(1);
      const tags = Object.fromEntries(
        (own[0]![1].Properties['Tags'] as { Key: string; Value: string }[]).map((t) => [t.Key, t.Value]),
      );
      expect(tags).toMatchObject({ 'cvm:tenant': tenant.id, 'cvm:cost-center': tenant.costCenter });
    }
  });

  it('graphs API traffic, latency, errors, functions and every meter per tenant on one dashboard', () => {
    demo.template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const body = dashboardBody();
    for (const title of [
      'API requests',
      'API latency (ms)',
      'API 4xx / 5xx',
      'Lambda errors',
      'Lambda duration p99 (ms)',
      'Alarms',
    ])
      expect(body).toContain(title);
    for (const name of METER_NAMES) expect(body).toContain(`${name} per tenant`);
  });

  it("graphs the depth of every dead-letter queue, each tenant's events and outbound messages, on one widget", () => {
    const depths = graphed(demo, 'DLQ depth (messages)');
    expect(depths).toHaveLength(2 * demo.config.tenants.length);
    for (const d of depths)
      expect(d).toMatchObject({
        namespace: 'AWS/SQS',
        name: 'ApproximateNumberOfMessagesVisible',
        dimensions: { QueueName: '<token>' },
      });
  });
});

/**
 * A dashboard line whose namespace, name or dimensions differ from what is emitted by a single
 * letter graphs nothing, silently. So these run the emitting code, read the EMF it writes, and
 * compare the metrics it addresses with the ones the dashboard and the alarms name.
 */
describe('the dashboard and alarms read what the code emits', () => {
  const sm = mockClient(SageMakerRuntimeClient);
  afterAll(() => sm.restore());

  it('graphs each meter with one line per configured tenant, as the EMF meter writes it', async () => {
    for (const name of METER_NAMES) {
      const meter = new EmfMeter(demo.config.code);
      const emitted = await emittedMetrics(() => {
        for (const t of demo.config.tenants) meter.meter(t.id, name, 1);
        meter.flush?.();
      });
      expect(emitted.length, name).toBe(demo.config.tenants.length);
      expect(sorted(graphed(demo, `${name} per tenant`)), name).toEqual(sorted(emitted));
    }
  });

  it('graphs decisions with one line per channel of the config, as the meter writes them by channel', async () => {
    const meter = new EmfMeter(demo.config.code);
    const emitted = await emittedMetrics(() => {
      for (const channel of demo.config.channels) {
        meter.meter('consumer', 'Decision', 1, { channel });
        meter.flush?.();
      }
    });
    const byChannel = emitted.filter((m) => m.name === METRIC.decision && 'channel' in m.dimensions);
    expect(byChannel.map((m) => m.dimensions['channel'])).toEqual(demo.config.channels);
    expect(sorted(graphed(demo, 'Decisions by channel'))).toEqual(sorted(byChannel));
  });

  it('graphs trigger firings with one line per configured tenant, as the event processor writes them', async () => {
    const record = triggerRecorderFromEnv({ MARKET: demo.config.code });
    const emitted = await emittedMetrics(() => {
      for (const t of demo.config.tenants) record(t.id, 3);
    });
    expect(emitted.map((m) => m.name)).toEqual(demo.config.tenants.map(() => METRIC.triggerFired));
    expect(sorted(graphed(demo, 'Trigger firings per tenant'))).toEqual(sorted(emitted));
  });

  it("alarms on the fallback rate over the metrics the online scoring port writes, at the config's threshold", async () => {
    const env = scoringEnv({
      MARKET: sagemaker.config.code,
      TENANT_TABLES: '{}',
      AWS_REGION: sagemaker.config.aws.region,
      ...sagemaker.stack.scoring.scoringEnvironment(),
    });
    // the port the decisions function builds (composition/decisions.ts decisionScoring)
    const models = await loadPinnedModels(fileModelSource(env.MODELS_DIR), env.MARKET, env.MODEL_PINS);
    const scoring = onlineScoring(env, models, systemClock);
    sm.on(InvokeEndpointCommand).rejects(
      Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 429 } }),
    );
    const emitted = await emittedMetrics(async () => {
      const out = await scoring.score({ profile: { tenureMonths: 3, monthlyCharge: 80, contract: 'month-to-month' } });
      expect(out).toMatchObject({ source: 'embedded', fallbackReason: 'throttled' });
    });
    const request = emitted.find((m) => m.name === METRIC.scoringRequest)!;
    const fallback = emitted.find((m) => m.name === METRIC.scoringFallback)!;
    expect(request).toBeDefined();
    expect(fallback.dimensions).toEqual({ ...request.dimensions, reason: 'throttled' });
    const expected = [
      request,
      ...FALLBACK_REASONS.map((reason) => ({ ...fallback, dimensions: { ...fallback.dimensions, reason } })),
    ];

    const alarm = alarmsOf(sagemaker).find((a) =>
      /fell back to the in-process evaluator/.test(String(a['AlarmDescription'])),
    )!;
    expect(alarm).toMatchObject({
      Threshold: sagemaker.config.alerting.scoringFallbackRatePercent,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: topicOf(sagemaker) }],
    });
    expect(sorted(alarmed(alarm))).toEqual(sorted(expected));
    const expression = (alarm['Metrics'] as { Expression?: string; ReturnData?: boolean }[]).find((m) => m.Expression)!;
    expect(expression.Expression).toMatch(
      /^IF\(requests > 0, 100 \* \(FILL\(fallback0, 0\)( \+ FILL\(fallback\d, 0\))+\) \/ requests, 0\)$/,
    );
    // the rate's requests are on the graph too, hidden
    expect(sorted(graphed(sagemaker, 'SageMaker fallbacks'))).toEqual(sorted(expected));
  });

  it("alarms on the worst model's nightly ScorePsi as the score report writes it, at models.psiAlarmThreshold", async () => {
    const drift = driftMetricsFromEnv({ MARKET: demo.config.code }, 'consumer');
    const models = Object.keys(demo.config.scoring.models).sort();
    const emitted = await emittedMetrics(() => {
      for (const model of models) drift.scorePsi(model, 0.3);
      drift.featurePsi(models[0]!, 'tenure_months', 0.1);
    });
    const scorePsi = emitted.filter((m) => m.name === METRIC.scorePsi);
    expect(scorePsi.map((m) => m.dimensions['model'])).toEqual(models);
    const byDrift = (s: Synthesized) =>
      alarmsOf(s).filter((a) => /drifted from its training data/.test(a['AlarmDescription']));
    const [alarm] = byDrift(demo);
    expect(byDrift(demo)).toHaveLength(1);
    expect(alarm).toMatchObject({
      Threshold: demo.config.models.psiAlarmThreshold,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmDescription: expect.stringContaining('(runbook: docs/operations.md#score-drift)'),
    });
    expect(sorted(alarmed(alarm!))).toEqual(sorted(scorePsi));
    for (const m of alarm!['Metrics'] as { MetricStat?: { Stat: string; Period: number } }[])
      if (m.MetricStat) expect(m.MetricStat).toMatchObject({ Stat: 'Maximum', Period: 86400 });
    expect(sorted(graphed(demo, 'Score drift (PSI per model)'))).toEqual(sorted(scorePsi));
    // the feature series are found by a search of the market's FeaturePsi, whatever the models rank first
    const [[search]] = widgetsOf(demo).find((w) => w.properties.title?.startsWith('Feature drift'))!.properties
      .metrics as [[{ expression: string }]];
    const feature = emitted.find((m) => m.name === METRIC.featurePsi)!;
    expect(Object.keys(feature.dimensions).sort()).toEqual(['feature', 'market', 'model', 'service']);
    expect(search.expression).toBe(
      `SEARCH('{${feature.namespace},service,market,model,feature} MetricName="FeaturePsi" market="${demo.config.code}"', 'Maximum', 86400)`,
    );

    const strict = synthMarket({
      ...loadMarket('demo'),
      models: { ...loadMarket('demo').models, psiAlarmThreshold: 0.1 },
    });
    expect(byDrift(strict)[0]).toMatchObject({
      Threshold: 0.1,
      AlarmDescription: expect.stringContaining('PSI above 0.1'),
    });
  });

  it('graphs and alarms on fallbacks in embedded mode too, so a switch to SageMaker is never unwatched', () => {
    expect(widgetsOf(demo).some((w) => w.properties.title === 'SageMaker fallbacks')).toBe(true);
    const alarm = alarms.find((a) => /fell back/.test(String(a['AlarmDescription'])))!;
    expect(sorted(alarmed(alarm))).toEqual(
      sorted(alarmed(alarmsOf(sagemaker).find((a) => /fell back/.test(String(a['AlarmDescription'])))!)),
    );
  });
});
