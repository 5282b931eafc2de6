import { NO_BUDGET_USE } from '#domain/campaign/budget.ts';
import { FINAL_STATUSES, MAX_KEPT_RUNS, type CampaignRecord } from '#domain/campaign/campaign.ts';
import type { CampaignStore, DueRun, RunScheduler, WorkflowStarter } from '#domain/campaign/ports.ts';
import { nextRunAfter, runIdOf } from '#domain/campaign/schedule.ts';
import type { Clock } from '#domain/clock.ts';
import type { TenantId } from '#domain/ids.ts';
import type { Meter } from '#domain/usage-readings.ts';

export interface CampaignRunPorts {
  campaigns: CampaignStore;
  starter: WorkflowStarter;
  scheduler: RunScheduler;
  clock: Clock;
  /** The market's IANA time zone: repeats keep their local time in it. */
  timeZone: string;
  /** Per-tenant metering: one WorkflowExecution per run started. */
  meter?: Meter;
}

export type RunStart =
  | { started: true; runId: string; nextRunAt?: string }
  | {
      started: false;
      reason: 'not-found' | 'not-due' | 'cancelled' | 'ended' | 'previous-run-active';
      nextRunAt?: string;
    };

/** What one run measured: cleared when the next run starts (the finished run keeps them in `runs`). */
const RUN_RESULTS: (keyof CampaignRecord)[] = ['report', 'counts', 'phases', 'budgetReached', 'reason', 'executionId'];

/**
 * Starts a scheduled campaign's run due `at` (the scheduler calls it once the run is due): the
 * next run is scheduled first, then the run gets its id, fresh counters and budget, and its own
 * workflow execution, which re-selects the audience into the run's own members. A run due while
 * the previous one is still going (or paused) is skipped; a cancelled campaign starts nothing.
 * Idempotent: only the run the record is waiting for starts, and only from `scheduled`.
 */
export const startCampaignRun =
  (ports: CampaignRunPorts) =>
  async (tenant: TenantId, campaignId: string, at: Date): Promise<RunStart> => {
    const c = await ports.campaigns.get(tenant, campaignId);
    if (!c?.schedule) return { started: false, reason: 'not-found' };
    if (c.status === 'cancelled') return { started: false, reason: 'cancelled' };
    // its last run has ended, or it never got to run (its schedule could not be created)
    if (FINAL_STATUSES.has(c.status)) return { started: false, reason: 'ended' };
    // a schedule fired twice, or one left from before a skip: the record says which run is next
    if (c.nextRunAt !== at.toISOString()) return { started: false, reason: 'not-due' };
    const now = ports.clock.now();
    const next = nextRunAfter(c.schedule, now, ports.timeZone);
    const nextRunAt = next?.toISOString();
    const stamp = now.toISOString();
    if (next) await ports.scheduler.schedule({ tenant, campaignId, at: next });
    if (c.status !== 'scheduled') {
      const left = await ports.campaigns.update(
        tenant,
        campaignId,
        { ...(nextRunAt ? { nextRunAt } : {}), updatedAt: stamp },
        [c.status],
        nextRunAt ? [] : ['nextRunAt'],
      );
      if (!left) return { started: false, reason: 'cancelled' };
      return { started: false, reason: 'previous-run-active', ...(nextRunAt ? { nextRunAt } : {}) };
    }
    const n = (c.runCount ?? 0) + 1;
    const runId = runIdOf(n);
    const runs = [...(c.runs ?? []), { runId, startedAt: stamp, status: 'running' as const }].slice(-MAX_KEPT_RUNS);
    const moved = await ports.campaigns.update(
      tenant,
      campaignId,
      {
        status: 'running',
        phase: 'preparing',
        runId,
        runCount: n,
        runs,
        updatedAt: stamp,
        ...(nextRunAt ? { nextRunAt } : {}),
        ...(c.budget ? { budgetUse: NO_BUDGET_USE } : {}),
      },
      ['scheduled'],
      [...RUN_RESULTS, ...(nextRunAt ? [] : (['nextRunAt'] as const))],
    );
    // cancelled meanwhile: the next run's schedule goes too
    if (!moved) {
      if (next) await ports.scheduler.cancel({ tenant, campaignId, at: next });
      return { started: false, reason: 'cancelled' };
    }
    try {
      const { executionId } = await ports.starter.start({ tenant, campaignId, runId });
      ports.meter?.meter(tenant, 'WorkflowExecution', 1);
      await ports.campaigns.update(tenant, campaignId, { executionId });
    } catch (err) {
      // the run did not start: the record goes back to waiting for it, and the scheduler's retry starts it
      await ports.campaigns.update(
        tenant,
        campaignId,
        { status: 'scheduled', runCount: n - 1, runs: c.runs ?? [], nextRunAt: at.toISOString(), updatedAt: stamp },
        ['running'],
      );
      if (next) await ports.scheduler.cancel({ tenant, campaignId, at: next });
      throw err;
    }
    return { started: true, runId, ...(nextRunAt ? { nextRunAt } : {}) };
  };

/**
 * The tenant's runs waiting for their instant, read from the campaigns themselves: a scheduler that
 * keeps nothing across a restart (the local runtime's) schedules them again from these.
 */
export const pendingRunsOf =
  (ports: Pick<CampaignRunPorts, 'campaigns'>) =>
  async (tenant: TenantId): Promise<DueRun[]> => {
    const out: DueRun[] = [];
    let nextToken: string | undefined;
    do {
      const page = await ports.campaigns.list(tenant, { limit: 100, ...(nextToken ? { nextToken } : {}) });
      for (const s of page.items) {
        if (FINAL_STATUSES.has(s.status)) continue;
        const c = await ports.campaigns.get(tenant, s.campaignId);
        if (c?.nextRunAt) out.push({ tenant, campaignId: c.campaignId, at: new Date(c.nextRunAt) });
      }
      nextToken = page.nextToken;
    } while (nextToken);
    return out;
  };
