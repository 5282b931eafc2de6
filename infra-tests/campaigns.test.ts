import { physicalName } from '#config/market-config.ts';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { StateMachine } from 'aws-local-stepfunctions';
import { taskStates } from '#adapters/local/local-workflow-starter.ts';
import { CAMPAIGN_ASL } from '../lib/constructs/campaigns.ts';
import { synthMarket } from './synth.ts';

type Resources = Record<string, { Type: string; Properties?: Record<string, any> }>;
type State = Record<string, any>;

const text = readFileSync(CAMPAIGN_ASL, 'utf8');
const def = JSON.parse(text) as { States: Record<string, State> };
const { stack, template, config } = synthMarket();
const resources = (template.toJSON() as { Resources: Resources }).Resources;
const idOf = (construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as never);

/** Every state, nested Map processors included. */
function allStates(states: Record<string, State>): Array<[string, State]> {
  return Object.entries(states).flatMap(([name, s]) => [
    [name, s] as [string, State],
    ...allStates(s['ItemProcessor']?.['States'] ?? {}),
  ]);
}

describe('the campaign workflow definition', () => {
  it('is valid ASL for aws-local-stepfunctions, with path checks', () => {
    const sub = text.replace(/\$\{(\w+)\}/g, 'arn:aws:lambda:us-east-1:000000000000:function:x');
    expect(() => new StateMachine(JSON.parse(sub), { validationOptions: { checkPaths: true } })).not.toThrow();
  });

  it("retries every Task on named errors with backoff, the campaign's own transient error included", () => {
    const tasks = allStates(def.States).filter(([, s]) => s['Type'] === 'Task');
    expect(tasks.length).toBe(taskStates(def.States).length);
    for (const [name, s] of tasks) {
      const retry = s['Retry'] as State[];
      expect(retry?.length, name).toBeGreaterThan(0);
      const named = retry.flatMap((r) => r['ErrorEquals'] as string[]);
      expect(named, name).toContain('CampaignTransientError');
      expect(named, name).not.toContain('States.ALL');
      for (const r of retry) expect(r['BackoffRate'], name).toBeGreaterThanOrEqual(2);
    }
  });

  it('catches what retries cannot fix and records the campaign as failed', () => {
    for (const [name, s] of Object.entries(def.States)) {
      if ((s['Type'] === 'Task' || s['Type'] === 'Map') && !name.startsWith('Finalize') && name !== 'StopAfterPilot') {
        expect((s['Catch'] as State[] | undefined)?.[0]?.['Next'], name).toBe('FinalizeFailed');
      }
    }
  });

  it('waits the response window from a path the prepare step computes (scaled locally)', () => {
    expect(def.States['WaitPilot']).toMatchObject({ Type: 'Wait', SecondsPath: '$.plan.waitSeconds' });
    expect(def.States['WaitRollout']).toMatchObject({ Type: 'Wait', SecondsPath: '$.plan.waitSeconds' });
  });
});

describe('the campaigns construct', () => {
  const campaigns = stack.campaigns;

  it('deploys a Standard state machine with logging and tracing', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: physicalName(config, 'campaign'),
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL' },
    });
  });

  it('lets the state machine invoke only its one task function', () => {
    const roleId = idOf(campaigns.stateMachine.role as never);
    const policies = Object.values(resources).filter(
      (r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties?.['Roles']).includes(roleId),
    );
    const invokes = policies.flatMap((p) =>
      (p.Properties!['PolicyDocument'].Statement as State[]).filter((st) =>
        JSON.stringify(st['Action']).includes('lambda:InvokeFunction'),
      ),
    );
    expect(invokes).toHaveLength(1);
    const targets = [invokes[0]!['Resource']].flat();
    expect(targets).toHaveLength(1);
    expect(JSON.stringify(targets[0])).toContain(idOf(campaigns.stepFunction as never));
  });

  it('lets the API function start executions of this machine and nothing else in Step Functions', () => {
    const roleId = idOf(campaigns.apiFunction.role as never);
    const statements = Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties?.['Roles']).includes(roleId))
      .flatMap((p) => p.Properties!['PolicyDocument'].Statement as State[]);
    const states = statements.filter((st) => JSON.stringify(st['Action']).includes('states:'));
    expect(states).toHaveLength(1);
    expect(states[0]!['Action']).toBe('states:StartExecution');
    expect(JSON.stringify(states[0]!['Resource'])).toContain(`stateMachine:${physicalName(config, 'campaign')}`);
  });

  it("lets the campaign functions touch only the market's run schedules, passing only the schedule role", () => {
    const statementsOf = (role: unknown) =>
      Object.values(resources)
        .filter(
          (r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties?.['Roles']).includes(idOf(role as never)),
        )
        .flatMap((p) => p.Properties!['PolicyDocument'].Statement as State[]);
    const scheduleRole = idOf(stack.reports.scheduleRole as never);
    for (const fn of [campaigns.apiFunction, campaigns.stepFunction]) {
      const statements = statementsOf(fn.role);
      const scheduler = statements.filter((st) => JSON.stringify(st['Action']).includes('scheduler:'));
      expect(scheduler).toHaveLength(1);
      expect(scheduler[0]!['Action']).toEqual(['scheduler:CreateSchedule', 'scheduler:DeleteSchedule']);
      expect(JSON.stringify(scheduler[0]!['Resource'])).toContain(`:schedule/default/${physicalName(config)}-run-*`);
      const passRole = statements.filter((st) => JSON.stringify(st['Action']).includes('iam:PassRole'));
      expect(passRole).toHaveLength(1);
      expect(JSON.stringify(passRole[0]!['Resource'])).toContain(scheduleRole);
      expect(passRole[0]!['Condition']).toEqual({ StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } });
    }
    // the schedules assume the market's schedule role, which may invoke the step function (start-run)
    const invokes = statementsOf(stack.reports.scheduleRole).filter((st) =>
      JSON.stringify(st['Resource']).includes(idOf(campaigns.stepFunction as never)),
    );
    expect(invokes.map((st) => st['Action'])).toEqual(['lambda:InvokeFunction']);
  });

  it("gives the API function the decision log's retention, which bounds a response window (audiences' expiry is the audiences function's)", () => {
    const env = resources[idOf(campaigns.apiFunction as never)]!.Properties!['Environment']['Variables'];
    expect(env['AUDIENCE_RETENTION_DAYS']).toBeUndefined();
    expect(env['AUDIENCE_BUCKET']).toBeUndefined();
    expect(JSON.parse(env['DECISIONING']).decisionLogDays).toBe(config.retention.decisionLogDays);
  });

  it('serves the campaign routes from the campaigns function and alarms on failed executions', () => {
    expect(stack.api.functions.campaigns).toBe(campaigns.apiFunction);
    expect(stack.observability.alarms.some((a) => a.node.path.includes('campaign'))).toBe(true);
  });
});
