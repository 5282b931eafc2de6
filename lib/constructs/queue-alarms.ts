import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { across } from './alarm-math.ts';
import { RUNBOOK, withRunbook } from './runbook.ts';

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

export interface TenantQueues {
  readonly tenant: string;
  /** The queues something should be taking messages from, by a short name (`events`, `outbound`, ...). */
  readonly queues: Record<string, sqs.IQueue>;
  /** Where messages go after their last attempt, by a short name. */
  readonly deadLetterQueues: Record<string, sqs.IQueue>;
  /** The oldest message of any queue older than this: nobody takes them. */
  readonly oldestMessageMinutes: number;
  /** More than this many messages waiting in one queue (visible plus in flight) for 15 minutes. */
  readonly backlogMessages: number;
}

const PERIOD = Duration.minutes(5);

/**
 * A tenant's queue alarms, three whatever its number of queues: a message in any of its DLQs,
 * the oldest message of any of its queues, and the backlog of any of its queues. One alarm per
 * queue and concern would be 8 per tenant where this is 3; at 12 tenants that difference is what
 * keeps the stack under CloudFormation's 500 resources (docs/operations.md, alarm budget). Each
 * alarm graphs one line per queue, so its console page shows which queue it is.
 */
export function tenantQueueAlarms(scope: Construct, t: TenantQueues): cloudwatch.Alarm[] {
  const names = (r: Record<string, unknown>) => Object.keys(r).join(', ');
  const depth = Object.entries(t.deadLetterQueues).map(([name, q]) =>
    q.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum', label: name }),
  );
  const deadLetters = new cloudwatch.Alarm(scope, 'DeadLetterAlarm', {
    alarmDescription: withRunbook(
      `Messages of tenant ${t.tenant} failed their last attempt and wait in a dead-letter queue (${names(t.deadLetterQueues)})`,
      RUNBOOK.deadLetters,
    ),
    metric: across('MAX', depth, { label: 'DLQ depth', period: Duration.minutes(1) }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  const queues = Object.entries(t.queues);
  const age = new cloudwatch.Alarm(scope, 'QueueAgeAlarm', {
    alarmDescription: withRunbook(
      `A message of tenant ${t.tenant} waits in one of its queues (${names(t.queues)}) for more than ${t.oldestMessageMinutes} minutes: nobody takes them`,
      RUNBOOK.queueAge,
    ),
    metric: across(
      'MAX',
      queues.map(([name, q]) =>
        q.metricApproximateAgeOfOldestMessage({ period: PERIOD, statistic: 'Maximum', label: name }),
      ),
      { label: 'oldest message (s)', period: PERIOD },
    ),
    threshold: t.oldestMessageMinutes * 60,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  // visible plus in flight per queue; held (delayed) messages do not count
  // ids are unique across the whole alarm, nested expressions included
  const waiting = queues.map(
    ([name, q], i) =>
      new cloudwatch.MathExpression({
        expression: `FILL(visible${i}, 0) + FILL(inFlight${i}, 0)`,
        usingMetrics: {
          [`visible${i}`]: q.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' }),
          [`inFlight${i}`]: q.metricApproximateNumberOfMessagesNotVisible({ period: PERIOD, statistic: 'Maximum' }),
        },
        period: PERIOD,
        label: name,
      }),
  );
  const backlog = new cloudwatch.Alarm(scope, 'QueueBacklogAlarm', {
    alarmDescription: withRunbook(
      `More than ${t.backlogMessages} messages of tenant ${t.tenant} wait in one of its queues (${names(t.queues)}) for 15 minutes`,
      RUNBOOK.queueBacklog,
    ),
    metric: across('MAX', waiting, { label: 'backlog', period: PERIOD }),
    threshold: t.backlogMessages,
    evaluationPeriods: 3,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  return [deadLetters, age, backlog];
}
