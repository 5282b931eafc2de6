import type { DueRun, RunScheduler } from '#domain/campaign/ports.ts';
import { runScheduleName } from '#domain/campaign/schedule.ts';

/**
 * Runs waiting for their instant in `npm start`, by schedule name: the campaigns API and the run
 * starter (same process) add them, the local runtime's timer on the platform clock takes them when
 * due (scripts/local/campaign-runs-timer.ts). Kept in memory: the timer reads them back from the
 * campaigns when the runtime starts.
 */
export const localDueRuns = new Map<string, DueRun>();

/** EventBridge Scheduler's part in `npm start`: the same one schedule per run, on the platform clock. */
export class LocalRunScheduler implements RunScheduler {
  constructor(private readonly due: Map<string, DueRun> = localDueRuns) {}

  async schedule(run: DueRun): Promise<void> {
    this.due.set(runScheduleName(run.tenant, run.campaignId, run.at), run);
  }

  async cancel(run: DueRun): Promise<void> {
    this.due.delete(runScheduleName(run.tenant, run.campaignId, run.at));
  }

  /** The runs due at `now`, removed as a one-time schedule is once it has fired. */
  takeDue(now: Date): DueRun[] {
    const out: DueRun[] = [];
    for (const [name, run] of this.due)
      if (run.at.getTime() <= now.getTime()) {
        this.due.delete(name);
        out.push(run);
      }
    return out.sort((a, b) => a.at.getTime() - b.at.getTime());
  }
}
