import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  ThrottlingException,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { runScheduleName } from '#domain/campaign/schedule.ts';
import { UnavailableError } from '#domain/errors.ts';
import { EventBridgeRunScheduler } from './run-scheduler.ts';

const scheduler = mockClient(SchedulerClient);
const target = {
  namePrefix: 'cvm-demo-dev',
  targetArn: 'arn:aws:lambda:eu-west-1:123456789012:function:campaign-step',
  roleArn: 'arn:aws:iam::123456789012:role/cvm-demo-dev-campaign-runs',
};
const run = { tenant: 'acme', campaignId: 'cmp-1', at: new Date('2026-03-01T06:00:00.250Z') };
const meta = { $metadata: {}, message: 'x', Message: 'x' };

describe('the EventBridge Scheduler run scheduler', () => {
  beforeEach(() => scheduler.reset());

  it("creates one one-time schedule per run that invokes start-run with the run's instant and deletes itself", async () => {
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn' });
    await new EventBridgeRunScheduler(new SchedulerClient({}), target).schedule(run);
    const input = scheduler.commandCalls(CreateScheduleCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      Name: `cvm-demo-dev-${runScheduleName('acme', 'cmp-1', run.at)}`,
      ScheduleExpression: 'at(2026-03-01T06:00:01)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: { Arn: target.targetArn, RoleArn: target.roleArn },
    });
    expect(JSON.parse(input.Target!.Input!)).toEqual({
      step: 'start-run',
      tenant: 'acme',
      campaignId: 'cmp-1',
      at: '2026-03-01T06:00:00.250Z',
    });
  });

  it('treats a schedule that exists, or one already gone, as done; a throttled call is worth retrying', async () => {
    const s = new EventBridgeRunScheduler(new SchedulerClient({}), target);
    scheduler.on(CreateScheduleCommand).rejects(new ConflictException(meta));
    scheduler.on(DeleteScheduleCommand).rejects(new ResourceNotFoundException(meta));
    await expect(s.schedule(run)).resolves.toBeUndefined();
    await expect(s.cancel(run)).resolves.toBeUndefined();
    expect(scheduler.commandCalls(DeleteScheduleCommand)[0]!.args[0].input).toEqual({
      Name: `cvm-demo-dev-${runScheduleName('acme', 'cmp-1', run.at)}`,
    });
    scheduler.on(CreateScheduleCommand).rejects(new ThrottlingException(meta));
    await expect(s.schedule(run)).rejects.toBeInstanceOf(UnavailableError);
  });
});
