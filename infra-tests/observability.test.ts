import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { loadMarket } from '#config/markets/index.ts';
import { METER_NAMES } from '../lambdas/domain/metering.ts';
import { synthMarket } from './synth.ts';

type Resource = { Type: string; Properties: Record<string, any> };
const demo = synthMarket();
const resources = demo.template.toJSON()['Resources'] as Record<string, Resource>;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const alarms = ofType('AWS::CloudWatch::Alarm').map(([, r]) => r.Properties);
const topicId = ofType('AWS::SNS::Topic')[0]![0];
const dashboardBody = () => JSON.stringify(demo.stack.resolve(ofType('AWS::CloudWatch::Dashboard')[0]![1].Properties['DashboardBody']));

describe('observability of a market', () => {
  it('sends alarms to one KMS-encrypted topic that refuses plain HTTP', () => {
    demo.template.resourceCountIs('AWS::SNS::Topic', 1);
    demo.template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    demo.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    demo.template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' } })]) },
    });
  });

  it('subscribes the config\'s e-mail only when there is one', () => {
    demo.template.resourceCountIs('AWS::SNS::Subscription', 0);
    const withEmail = synthMarket({ ...loadMarket('demo'), alarmTopicEmail: 'noc@example.com' });
    withEmail.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'noc@example.com' });
  });

  it('alarms on the API 5xx rate, p99 latency and every function\'s errors, to the topic', () => {
    const descriptions = alarms.map((a) => String(a['AlarmDescription']));
    expect(descriptions.some((d) => /5xx/.test(d))).toBe(true);
    expect(descriptions.some((d) => /p99 latency/.test(d))).toBe(true);
    for (const name of ['customers', 'decisions', 'events', 'authorizer', 'event-processor', 'score-segment']) {
      expect(descriptions, name).toContain(`Lambda ${name} of market demo raised errors in 2 consecutive 5-minute periods`);
    }
    for (const alarm of alarms) expect(alarm['AlarmActions'], String(alarm['AlarmDescription'])).toEqual([{ Ref: topicId }]);
  });

  it('routes the event pipeline\'s DLQ alarms and the scoring workflow\'s failures to the topic', () => {
    expect(alarms.filter((a) => /DLQ|could not take/.test(String(a['AlarmDescription']))).length).toBeGreaterThanOrEqual(demo.config.tenants.length);
    expect(alarms.some((a) => /Workflow score-base/.test(String(a['AlarmDescription'])))).toBe(true);
  });

  it('samples API traces at the config\'s rate', () => {
    demo.template.hasResourceProperties('AWS::XRay::SamplingRule', {
      SamplingRule: Match.objectLike({ FixedRate: demo.config.tracingSampleRate, ServiceName: 'cvm-demo/live' }),
    });
    const sampled = synthMarket({ ...loadMarket('demo'), tracingSampleRate: 0.5 });
    sampled.template.hasResourceProperties('AWS::XRay::SamplingRule', { SamplingRule: Match.objectLike({ FixedRate: 0.5 }) });
  });

  it('graphs API traffic, latency, errors, functions and every meter per tenant on one dashboard', () => {
    demo.template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const body = dashboardBody();
    for (const title of ['API requests', 'API latency (ms)', 'API 4xx / 5xx', 'Lambda errors', 'Lambda duration p99 (ms)', 'Alarms']) expect(body).toContain(title);
    for (const name of METER_NAMES) expect(body).toContain(`${name} per tenant`);
    expect(body).toContain('\\"telco-cvm\\",\\"ApiRequest\\",\\"market\\",\\"demo\\",\\"service\\",\\"telco-cvm\\",\\"tenant\\",\\"consumer\\"');
  });
});
