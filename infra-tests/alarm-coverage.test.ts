import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CfnResource, NestedStack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { MAX_METRICS_PER_ALARM } from '../lib/constructs/alarm-math.ts';
import { REPO_ROOT } from '../lib/constructs/cvm-function.ts';
import { RUNBOOK_FILE } from '../lib/constructs/runbook.ts';
import { DYNAMO_OPERATIONS } from '../lib/constructs/table-alarms.ts';
import { synthMarket } from './synth.ts';
import { type Resource, templateQueries } from './template-queries.ts';

/**
 * Every queue, table, function and workflow the template holds has its alarms, found by walking
 * the template's resources (not a list kept by hand), so a resource added tomorrow without alarms
 * fails here. A resource is matched by its logical id inside the alarm's metric dimensions.
 */
const synthesized = synthMarket();
const { resources, ofType, idOf } = templateQueries(synthesized);
const topic = idOf(synthesized.stack.observability.alarmTopic);

type Read = { name: string; stat: string; dims: string };
type Alarm = { id: string; props: Record<string, any> };
const alarms: Alarm[] = ofType('AWS::CloudWatch::Alarm').map(([id, r]) => ({ id, props: r.Properties! }));

/** The metrics an alarm reads: its own, or each MetricStat of its math. */
function readsOf(alarm: Alarm): Read[] {
  const p = alarm.props;
  if (p['MetricName'])
    return [
      { name: p['MetricName'], stat: p['Statistic'] ?? p['ExtendedStatistic'], dims: JSON.stringify(p['Dimensions']) },
    ];
  return (p['Metrics'] as { MetricStat?: { Metric: any; Stat: string } }[]).flatMap((m) =>
    m.MetricStat
      ? [
          {
            name: m.MetricStat.Metric.MetricName,
            stat: m.MetricStat.Stat,
            dims: JSON.stringify(m.MetricStat.Metric.Dimensions),
          },
        ]
      : [],
  );
}
const reads = alarms.flatMap((a) => readsOf(a).map((r) => ({ ...r, alarm: a })));
/** The alarms that read `metric` with a dimension naming the resource `id` (and `also`, if given). */
const alarmsOn = (id: string, metric: string, also = '') =>
  reads.filter((r) => r.name === metric && r.dims.includes(`"${id}"`) && r.dims.includes(also));

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
const anchorOf = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} -]/gu, '')
    .replace(/ /g, '-');
const runbookAnchors = new Set(
  readFileSync(path.join(REPO_ROOT, RUNBOOK_FILE), 'utf8')
    .split('\n')
    .filter((l) => /^#{2,4} /.test(l))
    .map((l) => anchorOf(l.replace(/^#+ /, ''))),
);

const deadLetterTargets = new Set(
  ofType('AWS::SQS::Queue').flatMap(([, q]) => {
    const target = q.Properties?.['RedrivePolicy']?.deadLetterTargetArn as { 'Fn::GetAtt'?: [string] } | undefined;
    return target?.['Fn::GetAtt'] ? [target['Fn::GetAtt'][0]] : [];
  }),
);
const queues = ofType('AWS::SQS::Queue').map(([id]) => id);
const nameOf = (id: string, r: Resource = resources[id]!) =>
  String(r.Properties?.['QueueName'] ?? r.Properties?.['TableName'] ?? id);

describe('every resource of the template has its alarms', () => {
  it('finds the resources it checks: queues with and without DLQ role, tables, functions, workflows', () => {
    expect(queues.filter((q) => deadLetterTargets.has(q)).length).toBeGreaterThan(0);
    expect(queues.filter((q) => !deadLetterTargets.has(q)).length).toBeGreaterThan(0);
    expect(ofType('AWS::DynamoDB::Table').length).toBeGreaterThan(2);
    expect(ofType('AWS::Lambda::Function').length).toBeGreaterThan(10);
  });

  it.each(queues.filter((q) => deadLetterTargets.has(q)).map((q) => [nameOf(q), q]))(
    'alarms on a message in the dead-letter queue %s',
    (_, id) => {
      const depth = alarmsOn(id, 'ApproximateNumberOfMessagesVisible');
      expect(depth.map((r) => r.alarm.props['Threshold'])).toContain(1);
    },
  );

  it.each(queues.filter((q) => !deadLetterTargets.has(q)).map((q) => [nameOf(q), q]))(
    'alarms on the age of the oldest message and the backlog (visible and in flight) of the queue %s',
    (_, id) => {
      expect(alarmsOn(id, 'ApproximateAgeOfOldestMessage')).not.toHaveLength(0);
      const visible = alarmsOn(id, 'ApproximateNumberOfMessagesVisible').map((r) => r.alarm.id);
      const inFlight = alarmsOn(id, 'ApproximateNumberOfMessagesNotVisible').map((r) => r.alarm.id);
      expect(inFlight.filter((a) => visible.includes(a))).not.toHaveLength(0);
    },
  );

  it.each(ofType('AWS::DynamoDB::Table').map(([id, t]) => [nameOf(id, t), id, t] as const))(
    'alarms on throttling of the table %s and each of its indexes, and on its system errors in every operation the platform calls',
    (_, id, table) => {
      const indexes = ((table.Properties?.['GlobalSecondaryIndexes'] ?? []) as { IndexName: string }[]).map(
        (g) => g.IndexName,
      );
      for (const metric of ['ReadThrottleEvents', 'WriteThrottleEvents']) {
        expect(
          alarmsOn(id, metric).filter((r) => !r.dims.includes('GlobalSecondaryIndexName')),
          metric,
        ).not.toHaveLength(0);
        for (const index of indexes)
          expect(alarmsOn(id, metric, `"${index}"`), `${index} ${metric}`).not.toHaveLength(0);
      }
      for (const op of DYNAMO_OPERATIONS) expect(alarmsOn(id, 'SystemErrors', `"${op}"`), op).not.toHaveLength(0);
    },
  );

  it.each(ofType('AWS::Lambda::Function').map(([id]) => [id]))(
    'alarms on errors and throttles of the function %s',
    (id) => {
      expect(alarmsOn(id, 'Errors')).not.toHaveLength(0);
      expect(alarmsOn(id, 'Throttles')).not.toHaveLength(0);
    },
  );

  it('alarms on the p99 duration of every function API Gateway invokes (the authorizer too)', () => {
    const invokedByApi = ofType('AWS::Lambda::Permission')
      .filter(([, p]) => p.Properties!['Principal'] === 'apigateway.amazonaws.com')
      .map(([, p]) => (p.Properties!['FunctionName'] as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0]);
    expect(invokedByApi.length).toBeGreaterThan(5);
    for (const id of new Set(invokedByApi)) {
      expect(
        alarmsOn(id, 'Duration').filter((r) => r.stat === 'p99'),
        id,
      ).not.toHaveLength(0);
    }
  });

  it('alarms on failed, timed-out and aborted executions of every workflow', () => {
    for (const [id] of ofType('AWS::StepFunctions::StateMachine'))
      for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted'])
        expect(alarmsOn(id, metric), `${id} ${metric}`).not.toHaveLength(0);
  });

  it('alarms on the scoring fallback rate in embedded mode too', () => {
    expect(reads.some((r) => r.name === 'ScoringFallback')).toBe(true);
  });

  it.each(Object.keys(synthesized.config.scoring.models).map((m) => [m]))(
    'alarms on the nightly score drift of the pinned model %s at the threshold of models.psiAlarmThreshold',
    (model) => {
      const drift = reads.filter((r) => r.name === 'ScorePsi' && r.dims.includes(`"${model}"`));
      expect(drift.map((r) => r.stat)).toEqual(['Maximum']);
      expect(drift[0]!.alarm.props['Threshold']).toBe(synthesized.config.models.psiAlarmThreshold);
    },
  );
});

describe('every alarm', () => {
  it.each(alarms.map((a) => [a.id, a]))(
    '%s names its runbook section, reads at most 10 metrics and goes to the alarm topic',
    (_, alarm) => {
      const description = String(alarm.props['AlarmDescription']);
      const section = /\(runbook: docs\/operations\.md#([a-z0-9-]+)\)$/.exec(description)?.[1];
      expect(section, description).toBeDefined();
      expect(runbookAnchors, `${RUNBOOK_FILE} has no section #${section}`).toContain(section);
      expect(readsOf(alarm).length).toBeLessThanOrEqual(MAX_METRICS_PER_ALARM);
      expect(alarm.props['AlarmActions']).toEqual([{ Ref: topic }]);
      expect(alarm.props['OKActions']).toEqual([{ Ref: topic }]);
    },
  );
});

describe('the DynamoDB operations the system-error alarms read', () => {
  it('include every operation the adapters call, so none errs unseen', () => {
    const dir = path.join(REPO_ROOT, 'lambdas', 'adapters');
    const sources = readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => readFileSync(path.join(dir, f), 'utf8'));
    const commands = new Set(
      sources.flatMap((s) =>
        [
          ...s.matchAll(
            /\b(Get|Put|Update|Delete|Query|Scan|BatchGet|BatchWrite|TransactWrite|TransactGet|ExecuteStatement|BatchExecuteStatement|ExecuteTransaction)(?:Item)?Command\b/g,
          ),
        ].map((m) => m[1]!),
      ),
    );
    const operationOf = (c: string) =>
      ['Query', 'Scan'].includes(c) || c.startsWith('Execute') || c.startsWith('BatchExecute')
        ? c
        : c.startsWith('Transact')
          ? `${c}Items`
          : `${c}Item`;
    expect(commands.size).toBeGreaterThan(5);
    for (const c of commands) expect(DYNAMO_OPERATIONS, c).toContain(operationOf(c));
  });
});

/**
 * The nested stacks, with every optional one switched on: a nested stack's workflow, and a
 * function's errors, are alarmed in that stack (one resource in the market's stack however much it
 * holds; a function's throttles join the market's alarms over 10 functions), so the walk goes into
 * each nested template too, and follows each alarm's action back to the market's topic through the
 * nested stack's parameters.
 */
describe("every workflow and function of the market's nested stacks (optional ones on)", () => {
  const market = synthesized.config;
  const full = synthMarket({
    ...market,
    models: { ...market.models, awsTraining: { ...market.models.awsTraining, enabled: true } },
  });
  const fullTopic = templateQueries(full).idOf(full.stack.observability.alarmTopic);
  const parent = full.template.toJSON()['Resources'] as Record<string, Resource>;
  const nested = full.stack.node.findAll().filter(NestedStack.isNestedStack);

  it('finds a nested workflow to check', () => {
    const machines = nested.flatMap((n) =>
      Object.values(Template.fromStack(n).toJSON()['Resources'] as Record<string, Resource>).filter(
        (r) => r.Type === 'AWS::StepFunctions::StateMachine',
      ),
    );
    expect(machines.length).toBeGreaterThan(0);
  });

  it.each(nested.map((n) => [n.node.path, n] as const))(
    '%s: each workflow alarmed on failed, timed-out and aborted runs, each function on errors and throttles, to the market topic, with a runbook section',
    (_, stack) => {
      const own = Object.entries(Template.fromStack(stack).toJSON()['Resources'] as Record<string, Resource>);
      const nestedAlarms: Alarm[] = own
        .filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm')
        .map(([id, r]) => ({ id, props: r.Properties! }));
      const nestedReads = nestedAlarms.flatMap((a) => readsOf(a).map((r) => ({ ...r, alarm: a })));
      for (const [id] of own.filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine'))
        for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted'])
          expect(
            nestedReads.filter((r) => r.name === metric && r.dims.includes(`"${id}"`)),
            `${id} ${metric}`,
          ).not.toHaveLength(0);
      // a nested function: its errors alarm here, its throttles in the market's run alarms (through the output naming it)
      const outputs = Object.entries(
        (Template.fromStack(stack).toJSON()['Outputs'] ?? {}) as Record<string, { Value: unknown }>,
      );
      const parentThrottles = Object.values(parent)
        .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
        .flatMap((r) => readsOf({ id: '', props: r.Properties! }))
        .filter((r) => r.name === 'Throttles');
      for (const [id] of own.filter(([, r]) => r.Type === 'AWS::Lambda::Function')) {
        expect(
          nestedReads.filter((r) => r.name === 'Errors' && r.dims.includes(`"${id}"`)),
          `${id} Errors`,
        ).not.toHaveLength(0);
        const output = outputs.find(([, o]) => JSON.stringify(o.Value) === JSON.stringify({ Ref: id }))?.[0];
        expect(output, `${id} named to the market's stack`).toBeDefined();
        expect(
          parentThrottles.filter((r) => r.dims.includes(`Outputs.${output}`)),
          `${id} Throttles`,
        ).not.toHaveLength(0);
      }
      const parameters = parent[full.stack.resolve((stack.nestedStackResource as CfnResource).logicalId) as string]!
        .Properties!['Parameters'] as Record<string, unknown> | undefined;
      for (const alarm of nestedAlarms) {
        const section = /\(runbook: docs\/operations\.md#([a-z0-9-]+)\)$/.exec(
          String(alarm.props['AlarmDescription']),
        )?.[1];
        expect(runbookAnchors).toContain(section);
        for (const actions of ['AlarmActions', 'OKActions']) {
          const [action] = alarm.props[actions] as { Ref: string }[];
          expect(parameters?.[action!.Ref], `${alarm.id} ${actions}`).toEqual({ Ref: fullTopic });
        }
      }
    },
  );
});
