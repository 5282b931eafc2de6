import { deploymentOf } from '#config/market-config.ts';
import { decisioningSettingsOf, marketRulesEnvOf } from '#config/decisioning-settings.ts';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import {
  EVENT_QUEUE,
  eventDlqName,
  eventQueueName,
  OUTBOUND_QUEUE,
  outboundQueueName,
} from '../lambdas/adapters/sqs/queue-design.ts';
import { TAG_COST_CENTER, TAG_TENANT } from '../lib/constructs/cost-allocation.ts';
import { synthMarket } from './synth.ts';
import { templateQueries } from './template-queries.ts';

const synthesized = synthMarket();
const { stack, template, config } = synthesized;
const { resources, ofType, idOf, queueNamed, tagsOf, statementsOf } = templateQueries(synthesized);

describe('event pipeline', () => {
  it.each(config.tenants.map((t) => [t.id, t] as const))(
    'gives tenant %s its own encrypted, TLS-only queue with a DLQ after the receive limit',
    (id, tenant) => {
      const [queueId, queue] = queueNamed(eventQueueName(deploymentOf(config), id))!;
      const [dlqId, dlq] = queueNamed(eventDlqName(deploymentOf(config), id))!;
      expect(queue.Properties).toMatchObject({
        SqsManagedSseEnabled: true,
        VisibilityTimeout: EVENT_QUEUE.visibilityTimeoutSeconds,
        RedrivePolicy: {
          deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
          maxReceiveCount: EVENT_QUEUE.maxReceiveCount,
        },
      });
      expect(dlq.Properties).toMatchObject({ SqsManagedSseEnabled: true });
      for (const [qid, q] of [
        [queueId, queue],
        [dlqId, dlq],
      ] as const) {
        expect(tagsOf(q)).toMatchObject({ [TAG_TENANT]: id, [TAG_COST_CENTER]: tenant.costCenter });
        const policy = ofType('AWS::SQS::QueuePolicy').find(([, p]) =>
          JSON.stringify(p.Properties!['Queues']).includes(qid),
        );
        expect(JSON.stringify(policy![1].Properties!['PolicyDocument']), qid).toContain(
          '"aws:SecureTransport":"false"',
        );
      }
      // one alarm over the tenant's DLQs (infra-tests/alarm-coverage.test.ts checks every queue)
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Metrics: Match.arrayWith([
          Match.objectLike({
            MetricStat: Match.objectLike({
              Metric: {
                Namespace: 'AWS/SQS',
                MetricName: 'ApproximateNumberOfMessagesVisible',
                Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
              },
            }),
          }),
        ]),
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    },
  );

  it('feeds the processor from every tenant queue with partial batch failures', () => {
    const processorId = idOf(stack.events.processor);
    for (const tenant of config.tenants) {
      const [queueId] = queueNamed(eventQueueName(deploymentOf(config), tenant.id))!;
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: processorId },
        EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
        BatchSize: EVENT_QUEUE.batchSize,
        MaximumBatchingWindowInSeconds: EVENT_QUEUE.maxBatchingWindowSeconds,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        // a backlog drain never takes the account's concurrency from decisions
        ScalingConfig: { MaximumConcurrency: EVENT_QUEUE.maxConcurrency },
      });
    }
    const processorMappings = ofType('AWS::Lambda::EventSourceMapping').filter(
      ([, m]) => m.Properties!['FunctionName']?.Ref === processorId,
    );
    expect(processorMappings).toHaveLength(config.tenants.length);
  });

  it("has an outbound queue per tenant, redriving into the tenant's outbound DLQ", () => {
    for (const tenant of config.tenants) {
      const [, q] = queueNamed(outboundQueueName(deploymentOf(config), tenant.id))!;
      expect(q.Properties!['RedrivePolicy']).toMatchObject({ maxReceiveCount: OUTBOUND_QUEUE.maxReceiveCount });
    }
  });

  it('serves /v1/events and /v1/triggers from the events function, which may only send to the tenant queues', () => {
    const eventsFn = idOf(stack.events.apiFunction);
    expect(idOf(stack.api.functions.events as never)).toBe(eventsFn);
    const sqsStatements = statementsOf(eventsFn).filter((s) => s.actions.some((a) => a.startsWith('sqs:')));
    expect(
      sqsStatements
        .flatMap((s) => s.actions)
        .every((a) => a === 'sqs:SendMessage' || a === 'sqs:GetQueueAttributes' || a === 'sqs:GetQueueUrl'),
    ).toBe(true);
    for (const tenant of config.tenants)
      expect(JSON.stringify(sqsStatements)).toContain(queueNamed(eventQueueName(deploymentOf(config), tenant.id))![0]);
    const vars = resources[eventsFn]!.Properties!['Environment']['Variables'];
    for (const tenant of config.tenants)
      expect(JSON.stringify(stack.resolve(vars['EVENT_QUEUES']))).toContain(`\\"${tenant.id}\\":`);
  });

  it('lets the processor write the tenant tables and send to the outbound queues, with the market rules in its env', () => {
    const processorId = idOf(stack.events.processor);
    const statements = statementsOf(processorId);
    for (const tenant of config.tenants) {
      const tableId = idOf(stack.store.tables[tenant.id] as never);
      expect(statements.some((s) => s.resources.includes(tableId) && s.actions.includes('dynamodb:PutItem'))).toBe(
        true,
      );
    }
    for (const tenant of config.tenants) {
      const [qid] = queueNamed(outboundQueueName(deploymentOf(config), tenant.id))!;
      expect(statements.some((s) => s.resources.includes(qid) && s.actions.includes('sqs:SendMessage'))).toBe(true);
    }
    const vars = resources[processorId]!.Properties!['Environment']['Variables'];
    // the same market rules as every function reads (decisioning-settings.ts marketRulesEnvOf)
    expect(JSON.parse(vars['MARKET_RULES'])).toEqual(JSON.parse(marketRulesEnvOf(config).MARKET_RULES));
    expect(JSON.parse(vars['MARKET_RULES'])).toMatchObject({
      timezone: config.timezone,
      quietHours: config.quietHours,
      defaultLanguage: config.defaultLanguage,
    });
    // the same contact policy as decisions: triggers read it from DECISIONING
    expect(JSON.parse(vars['DECISIONING']).contactPolicy).toEqual(decisioningSettingsOf(config).contactPolicy);
    expect(resources[processorId]!.Properties!['Timeout']).toBe(EVENT_QUEUE.processorTimeoutSeconds);
    expect(EVENT_QUEUE.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(6 * EVENT_QUEUE.processorTimeoutSeconds);
    template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.handler', Timeout: Match.anyValue() });
  });
});
