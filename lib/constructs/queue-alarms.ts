import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** A queue that is encrypted (SQS-managed SSE); TLS is enforced by its silo's one policy (`tlsOnly`). */
export const encryptedQueue = (scope: Construct, id: string, props: sqs.QueueProps) =>
  new sqs.Queue(scope, id, { encryption: sqs.QueueEncryption.SQS_MANAGED, ...props });

/**
 * One policy refusing plain HTTP on all of a tenant's queues: what `enforceSSL` adds per queue, in
 * one resource instead of one each (the stack's 500-resource limit caps the tenants of a market).
 */
export function tlsOnly(scope: Construct, queues: sqs.IQueue[]): sqs.QueuePolicy {
  const policy = new sqs.QueuePolicy(scope, 'TlsOnly', { queues });
  policy.document.addStatements(
    new iam.PolicyStatement({
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['sqs:*'],
      resources: queues.map((q) => q.queueArn),
      conditions: { Bool: { 'aws:SecureTransport': 'false' } },
    }),
  );
  return policy;
}

/** A message in a dead-letter queue: alarmed at once. */
export function dlqAlarm(scope: Construct, id: string, dlq: sqs.IQueue, description: string): cloudwatch.Alarm {
  return new cloudwatch.Alarm(scope, id, {
    alarmDescription: description,
    metric: dlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}

/** The oldest message of a queue older than `minutes`: nobody takes its messages. */
export function ageAlarm(
  scope: Construct,
  id: string,
  queue: sqs.IQueue,
  minutes: number,
  description: string,
): cloudwatch.Alarm {
  return new cloudwatch.Alarm(scope, id, {
    alarmDescription: description,
    metric: queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' }),
    threshold: minutes * 60,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}

/**
 * More than `messages` waiting in a queue (visible plus in flight; held messages, which are
 * delayed, do not count) for 15 minutes: the consumer falls behind.
 */
export function backlogAlarm(
  scope: Construct,
  id: string,
  queue: sqs.IQueue,
  messages: number,
  description: string,
): cloudwatch.Alarm {
  const period = Duration.minutes(5);
  return new cloudwatch.Alarm(scope, id, {
    alarmDescription: description,
    metric: new cloudwatch.MathExpression({
      expression: 'visible + inFlight',
      usingMetrics: {
        visible: queue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
        inFlight: queue.metricApproximateNumberOfMessagesNotVisible({ period, statistic: 'Maximum' }),
      },
      period,
      label: 'backlog',
    }),
    threshold: messages,
    evaluationPeriods: 3,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}
