import { describe, expect, it } from 'vitest';
import { deploymentOf, physicalName } from '#config/market-config.ts';
import {
  handoffQueueName,
  OUTBOUND_QUEUE,
  outboundDlqName,
  outboundQueueName,
} from '../lambdas/adapters/sqs/queue-design.ts';
import { CHANNEL_ROUTES } from '../lambdas/http/routes/channels.ts';
import { TAG_COST_CENTER, TAG_TENANT } from '../lib/constructs/cost-allocation.ts';
import { synthMarket } from './synth.ts';
import { templateQueries } from './template-queries.ts';

const synthesized = synthMarket();
const { stack, template, config } = synthesized;
const { resources, ofType, idOf, queueNamed, tagsOf, statementsOf } = templateQueries(synthesized);
const alarmsOn = (queueId: string) =>
  ofType('AWS::CloudWatch::Alarm')
    .map(([, a]) => a.Properties!)
    .filter((a) => JSON.stringify(a).includes(`"${queueId}"`));
const envOf = (fnId: string) => resources[fnId]!.Properties!['Environment']['Variables'] as Record<string, unknown>;

describe('outbound queues', () => {
  it.each(config.tenants.map((t) => [t.id, t] as const))(
    'gives tenant %s its own outbound and hand-off queues and DLQ, encrypted, TLS-only and tagged with it',
    (id, tenant) => {
      const deployment = deploymentOf(config);
      const [outId, outbound] = queueNamed(outboundQueueName(deployment, id))!;
      const [handoffId, handoff] = queueNamed(handoffQueueName(deployment, id))!;
      const [dlqId, dlq] = queueNamed(outboundDlqName(deployment, id))!;
      expect(outbound.Properties!['QueueName']).toBe(`cvm-${deployment}-${id}-outbound`);
      const redrive = { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 5 };
      expect(outbound.Properties).toMatchObject({
        SqsManagedSseEnabled: true,
        VisibilityTimeout: OUTBOUND_QUEUE.visibilityTimeoutSeconds,
        MessageRetentionPeriod: OUTBOUND_QUEUE.retentionDays * 86_400,
        RedrivePolicy: redrive,
      });
      expect(handoff.Properties).toMatchObject({
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: 14 * 86_400,
        RedrivePolicy: redrive,
      });
      for (const [qid, q] of [
        [outId, outbound],
        [handoffId, handoff],
        [dlqId, dlq],
      ] as const) {
        expect(tagsOf(q), qid).toMatchObject({ [TAG_TENANT]: id, [TAG_COST_CENTER]: tenant.costCenter });
        const policy = ofType('AWS::SQS::QueuePolicy').find(([, p]) =>
          JSON.stringify(p.Properties!['Queues']).includes(qid),
        );
        expect(JSON.stringify(policy![1].Properties!['PolicyDocument']), qid).toContain(
          '"aws:SecureTransport":"false"',
        );
      }
    },
  );

  it('keeps a message longer than the longest hold: a hop is 15 minutes, quiet hours and deferrals under two days', () => {
    expect(OUTBOUND_QUEUE.retentionDays * 86_400).toBeGreaterThan(2 * 86_400);
  });

  it('has no queues shared by the tenants any more', () => {
    for (const channel of config.channels)
      expect(queueNamed(`cvm-${deploymentOf(config)}-outbound-${channel}`)).toBeUndefined();
  });

  it.each(config.tenants.map((t) => [t.id] as const))(
    "alarms on tenant %s's outbound DLQ, and on the oldest message's age and the backlog of its outbound and hand-off queues",
    (id) => {
      const deployment = deploymentOf(config);
      // the alarm topic (the market's other topic is the delivery receipts'); one alarm per
      // concern reads all of the tenant's queues (infra-tests/alarm-coverage.test.ts: every queue)
      const topic = idOf(stack.observability.alarmTopic);
      const [dlqId] = queueNamed(outboundDlqName(deployment, id))!;
      expect(alarmsOn(dlqId)).toEqual([
        expect.objectContaining({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' }),
      ]);
      for (const name of [outboundQueueName(deployment, id), handoffQueueName(deployment, id)]) {
        const [qid] = queueNamed(name)!;
        const alarms = alarmsOn(qid);
        expect(
          alarms.find((a) => JSON.stringify(a.Metrics).includes('ApproximateAgeOfOldestMessage')),
          name,
        ).toMatchObject({
          Threshold: config.delivery.alarms.oldestMessageMinutes * 60,
          AlarmActions: [{ Ref: topic }],
        });
        const backlog = alarms.find((a) =>
          JSON.stringify(a.Metrics ?? []).includes('ApproximateNumberOfMessagesNotVisible'),
        );
        expect(backlog, name).toMatchObject({
          Threshold: config.delivery.alarms.backlogMessages,
          EvaluationPeriods: 3,
          AlarmActions: [{ Ref: topic }],
        });
      }
    },
  );
});

describe('the sender and the channels API', () => {
  const senderId = idOf(stack.delivery.sender);
  const channelsId = idOf(stack.delivery.apiFunction);

  it("reads every tenant's outbound queue with partial batch failures and bounded concurrency", () => {
    for (const tenant of config.tenants) {
      const [queueId] = queueNamed(outboundQueueName(deploymentOf(config), tenant.id))!;
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: senderId },
        EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
        BatchSize: OUTBOUND_QUEUE.batchSize,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: OUTBOUND_QUEUE.maxConcurrency },
      });
    }
    expect(resources[senderId]!.Properties!['Timeout']).toBe(OUTBOUND_QUEUE.senderTimeoutSeconds);
    expect(OUTBOUND_QUEUE.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(6 * OUTBOUND_QUEUE.senderTimeoutSeconds);
  });

  it('may put holds back on the outbound queues, hand off to the hand-off queues and change visibility for retries', () => {
    const statements = statementsOf(senderId);
    for (const tenant of config.tenants) {
      const [outId] = queueNamed(outboundQueueName(deploymentOf(config), tenant.id))!;
      const [handoffId] = queueNamed(handoffQueueName(deploymentOf(config), tenant.id))!;
      for (const [qid, action] of [
        [outId, 'sqs:SendMessage'],
        [outId, 'sqs:ChangeMessageVisibility'],
        [handoffId, 'sqs:SendMessage'],
      ] as const)
        expect(
          statements.some((s) => s.resources.includes(qid) && s.actions.includes(action)),
          `${action} on ${qid}`,
        ).toBe(true);
    }
    const vars = envOf(senderId);
    for (const name of ['OUTBOUND_QUEUES', 'HANDOFF_QUEUES', 'CHANNEL_KEYS'])
      for (const tenant of config.tenants)
        expect(JSON.stringify(stack.resolve(vars[name])), name).toContain(`\\"${tenant.id}\\":`);
    expect(JSON.parse(vars['DELIVERY'] as string)).toMatchObject({
      channels: config.delivery.channels,
      tenants: config.delivery.tenants,
      allowPrivateTargets: false,
    });
  });

  it("seals secrets with each tenant's own table key: the channels API may encrypt, the sender decrypt", () => {
    const keys = JSON.stringify(stack.resolve(envOf(channelsId)['CHANNEL_KEYS']));
    for (const tenant of config.tenants) {
      const keyId = idOf(stack.store.tables[tenant.id]!.encryptionKey as never);
      expect(keys).toContain(keyId);
      const may = (fnId: string, action: string) =>
        statementsOf(fnId).some((s) => s.resources.includes(keyId) && s.actions.includes(action));
      expect(may(channelsId, 'kms:Encrypt'), tenant.id).toBe(true);
      expect(may(senderId, 'kms:Decrypt'), tenant.id).toBe(true);
    }
  });

  it("may send SMS, e-mail and push through AWS in the market's region and account only, and nothing else may", () => {
    const region = config.aws.region;
    const resolved = (fnId: string) =>
      statementsOf(fnId).map((st) => ({ actions: st.actions, resources: JSON.parse(st.resources) as unknown }));
    const sending = (fnId: string) =>
      resolved(fnId).filter((st) => st.actions.some((a) => /^(sms-voice|ses|sns):/.test(a)));
    const arnsOf = (resources: unknown) =>
      [resources].flat().map((r) => JSON.stringify(r).replace(/\{"Ref":"AWS::AccountId"\}/g, '"ACCOUNT"'));
    const grants = Object.fromEntries(sending(senderId).map((st) => [st.actions.join(','), arnsOf(st.resources)]));
    expect(Object.keys(grants).sort()).toEqual(['ses:SendEmail', 'sms-voice:SendTextMessage', 'sns:Publish']);
    const expectArns = (action: string, kinds: string[], service: string) => {
      expect(grants[action]!.length, action).toBe(kinds.length);
      for (const arn of grants[action]!) {
        expect(arn, action).toContain(`:${service}:${region}:`);
        expect(arn, action).toContain('"ACCOUNT"');
      }
      expect(grants[action]!.map((arn) => /:([a-z-]+)\/\*"/.exec(arn)?.[1]).sort(), action).toEqual([...kinds].sort());
    };
    expectArns('sms-voice:SendTextMessage', ['phone-number', 'sender-id', 'pool', 'configuration-set'], 'sms-voice');
    expectArns('ses:SendEmail', ['identity', 'configuration-set'], 'ses');
    // endpoints only: no topic, so the sender cannot publish to the alarm topic or any other
    expectArns('sns:Publish', ['endpoint'], 'sns');
    expect(sending(channelsId)).toEqual([]);
  });

  it('serves /v1/channels from the channels function', () => {
    expect(idOf(stack.api.functions.channels as never)).toBe(channelsId);
    expect(CHANNEL_ROUTES.every((r) => r.fn === 'channels' && r.scope === 'admin')).toBe(true);
  });

  it('hands campaign contacts to the tenant outbound queues too', () => {
    const vars = envOf(idOf(stack.campaigns.stepFunction));
    for (const tenant of config.tenants)
      expect(JSON.stringify(stack.resolve(vars['OUTBOUND_QUEUES']))).toContain(`\\"${tenant.id}\\":`);
  });
});

// --- delivery receipts (SMS and SES event destinations -> SNS -> the receipts function) ---
const receipts = (stack as unknown as { receipts: { topic: never; receiptsFunction: never } }).receipts;

describe('delivery receipts', () => {
  const topicId = idOf(receipts.topic);
  const fnId = idOf(receipts.receiptsFunction);

  it('gives the market one receipts topic, encrypted with its own rotating key, for its SMS and SES event destinations', () => {
    const topic = resources[topicId]!;
    expect(topic.Properties).toMatchObject({ TopicName: physicalName(config, 'receipts') });
    const keyId = (topic.Properties!['KmsMasterKeyId'] as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
    expect(resources[keyId]!.Properties).toMatchObject({ EnableKeyRotation: true });
    const policy = ofType('AWS::SNS::TopicPolicy').find(([, p]) =>
      JSON.stringify(p.Properties!['Topics']).includes(topicId),
    );
    const text = JSON.stringify(policy![1].Properties!['PolicyDocument']);
    expect(text).toContain('"aws:SecureTransport":"false"');
    for (const service of ['sms-voice.amazonaws.com', 'ses.amazonaws.com']) expect(text).toContain(service);
    expect(text).toContain('aws:SourceAccount');
  });

  it('subscribes the receipts function, which may send to every tenant event queue and nothing else', () => {
    const subscription = ofType('AWS::SNS::Subscription').find(([, s]) => s.Properties!['Protocol'] === 'lambda');
    expect(subscription![1].Properties).toMatchObject({
      TopicArn: { Ref: topicId },
      Endpoint: { 'Fn::GetAtt': [fnId, 'Arn'] },
    });
    const env = resources[fnId]!.Properties!['Environment']['Variables'] as Record<string, unknown>;
    expect(Object.keys(env)).toEqual(expect.arrayContaining(['MARKET', 'TENANT_TABLES', 'EVENT_QUEUES']));
    // beyond its logs and traces: sending to the tenants' event queues, exactly those
    const grants = statementsOf(fnId).filter((st) => !st.actions.some((a) => /^(logs|xray):/.test(a)));
    expect(grants.map((g) => g.actions)).toEqual([['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage']]);
    const eventQueueIds = ofType('AWS::SQS::Queue')
      .filter(([, q]) => /-events$/.test(q.Properties!['QueueName']))
      .map(([id]) => id);
    expect(eventQueueIds).toHaveLength(config.tenants.length);
    expect(JSON.parse(grants[0]!.resources)).toEqual(eventQueueIds.map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] })));
  });
});
