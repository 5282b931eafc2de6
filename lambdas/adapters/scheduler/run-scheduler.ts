import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import type { DueRun, RunScheduler } from '#domain/campaign/ports.ts';
import { runScheduleName } from '#domain/campaign/schedule.ts';
import { UnavailableError } from '#domain/errors.ts';

export interface SchedulerTarget {
  /** The market's prefix of schedule names (`cvm-<market>-<stage>`): its functions may touch only its own schedules. */
  namePrefix: string;
  /** The function a due run invokes: the campaign-step function, with `{step: 'start-run'}`. */
  targetArn: string;
  /** The role EventBridge Scheduler assumes to invoke it. */
  roleArn: string;
}

const BUSY = new Set(['ThrottlingException', 'ServiceQuotaExceededException', 'InternalServerException']);

/**
 * One EventBridge Scheduler one-time schedule per due run (`at(...)` in UTC) in the default group,
 * deleted by the service once it has fired. Named after market, tenant, campaign and instant, so
 * scheduling a run twice is one.
 */
export class EventBridgeRunScheduler implements RunScheduler {
  constructor(
    private readonly client: SchedulerClient,
    private readonly target: SchedulerTarget,
  ) {}

  async schedule(run: DueRun): Promise<void> {
    try {
      await this.client.send(
        new CreateScheduleCommand({
          Name: this.nameOf(run),
          // at() takes whole seconds: a run is due at or just after its instant
          ScheduleExpression: `at(${new Date(Math.ceil(run.at.getTime() / 1000) * 1000).toISOString().slice(0, 19)})`,
          ScheduleExpressionTimezone: 'UTC',
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
          Description: `campaign ${run.campaignId} run due ${run.at.toISOString()}`,
          Target: {
            Arn: this.target.targetArn,
            RoleArn: this.target.roleArn,
            Input: JSON.stringify({
              step: 'start-run',
              tenant: run.tenant,
              campaignId: run.campaignId,
              at: run.at.toISOString(),
            }),
            RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 },
          },
        }),
      );
    } catch (err) {
      if (err instanceof ConflictException) return;
      throw busy(err);
    }
  }

  private nameOf(run: DueRun): string {
    return `${this.target.namePrefix}-${runScheduleName(run.tenant, run.campaignId, run.at)}`;
  }

  async cancel(run: DueRun): Promise<void> {
    try {
      await this.client.send(
        new DeleteScheduleCommand({
          Name: this.nameOf(run),
        }),
      );
    } catch (err) {
      if (err instanceof ResourceNotFoundException) return;
      throw busy(err);
    }
  }
}

const busy = (err: unknown) =>
  BUSY.has((err as { name?: string }).name ?? '')
    ? new UnavailableError('the scheduler is busy, retry shortly', 2, { cause: err })
    : err;

export const schedulerClient = (region?: string) => new SchedulerClient({ ...(region ? { region } : {}) });
