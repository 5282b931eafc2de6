import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { across, inRunsOf } from './alarm-math.ts';
import { RUNBOOK, withRunbook } from './runbook.ts';

/**
 * Every DynamoDB operation the platform calls (lambdas/adapters/dynamo and Powertools
 * idempotency). `SystemErrors` exists per table and operation only, so an operation missing here
 * is a blind spot: infra-tests/alarm-coverage.test.ts checks the adapters against it.
 */
export const DYNAMO_OPERATIONS = [
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'BatchWriteItem',
  'TransactWriteItems',
] as const;

const PERIOD = Duration.minutes(5);

/** The global secondary indexes of a table, as its template has them. */
function indexesOf(table: dynamodb.ITable): string[] {
  const cfn = table.node.defaultChild as dynamodb.CfnTable | undefined;
  const gsis = (cfn ? Stack.of(table).resolve(cfn.globalSecondaryIndexes) : undefined) as
    | { indexName: string }[]
    | undefined;
  return (gsis ?? []).map((g) => g.indexName);
}

/** A DynamoDB metric of one table (and index or operation), summed per period. */
export const tableMetric = (
  table: dynamodb.ITable,
  name: string,
  dims: Record<string, string>,
  label: string,
): cloudwatch.Metric =>
  new cloudwatch.Metric({
    namespace: 'AWS/DynamoDB',
    metricName: name,
    dimensionsMap: { TableName: table.tableName, ...dims },
    statistic: 'Sum',
    period: PERIOD,
    label,
  });

/**
 * Throttling of a group of tables (a tenant's table and decision log, or the market's shared
 * tables): read and write throttle events of each table and each of its indexes, which count
 * every operation (`ThrottledRequests` exists per operation only and would take 9 metrics a
 * table). Several tables share one alarm, in runs of 10 metrics; and per table one alarm on
 * `SystemErrors` (HTTP 500s of DynamoDB) summed over the operations the platform calls.
 */
export function tableAlarms(
  scope: Construct,
  owner: string,
  tables: Record<string, dynamodb.ITable>,
): cloudwatch.Alarm[] {
  const throttles = Object.entries(tables).flatMap(([name, table]) =>
    [undefined, ...indexesOf(table)].flatMap((index) =>
      (['ReadThrottleEvents', 'WriteThrottleEvents'] as const).map((metric) =>
        tableMetric(
          table,
          metric,
          index ? { GlobalSecondaryIndexName: index } : {},
          `${name}${index ? `/${index}` : ''} ${metric}`,
        ),
      ),
    ),
  );
  const runs = inRunsOf(throttles);
  const alarms = runs.map(
    (run, i) =>
      new cloudwatch.Alarm(scope, `TableThrottleAlarm${runs.length > 1 ? i + 1 : ''}`, {
        alarmDescription: withRunbook(
          `Requests to the tables of ${owner} (${Object.keys(tables).join(', ')}) were throttled in 2 consecutive 5-minute periods`,
          RUNBOOK.tableThrottles,
        ),
        metric: across('SUM', run, { label: 'throttle events', period: PERIOD }),
        threshold: 0,
        evaluationPeriods: 2,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
  );
  for (const [name, table] of Object.entries(tables)) {
    alarms.push(
      new cloudwatch.Alarm(scope, `SystemErrorsAlarm-${name}`, {
        alarmDescription: withRunbook(
          `DynamoDB answered requests to the ${name} table of ${owner} with server errors in 2 consecutive 5-minute periods`,
          RUNBOOK.tableSystemErrors,
        ),
        metric: across(
          'SUM',
          DYNAMO_OPERATIONS.map((op) => tableMetric(table, 'SystemErrors', { Operation: op }, op)),
          { label: 'system errors', period: PERIOD },
        ),
        threshold: 0,
        evaluationPeriods: 2,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
  }
  return alarms;
}
