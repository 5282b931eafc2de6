import { LocalRunScheduler } from '#adapters/local/local-run-scheduler.ts';
import { pendingRunsOf, startCampaignRun } from '#app/campaign-runs.ts';

/**
 * Locally, EventBridge Scheduler's part: every `intervalMs` the runs due on the platform clock
 * (CVM_NOW) start through the same use case the scheduler's target runs in AWS, in this process. A
 * run that could not start (DynamoDB Local busy) is due again at the next tick, as the scheduler
 * retries. Pending runs are kept in memory and read back from the campaigns when the runtime starts.
 */
export async function campaignRunsTimer(opts: { intervalMs: number }) {
  const [{ campaignsEnv }, { campaignRunPortsFor }] = await Promise.all([
    import('#composition/campaigns.ts'),
    import('#composition/campaigns.ts'),
  ]);
  const env = campaignsEnv();
  const ports = await campaignRunPortsFor(env);
  const start = startCampaignRun(ports);
  const due = new LocalRunScheduler();
  // pending runs live in memory: after a restart they are read back from the campaigns
  for (const tenant of Object.keys(env.decisions.platform.TENANT_TABLES))
    for (const run of await pendingRunsOf(ports)(tenant)) await due.schedule(run);
  let running: Promise<void> | undefined;
  const tick = async () => {
    for (const run of due.takeDue(ports.clock.now())) {
      try {
        await start(run.tenant, run.campaignId, run.at);
      } catch (err) {
        process.stderr.write(`campaign run did not start: ${(err as Error).name}\n`);
        await due.schedule(run);
      }
    }
  };
  const timer = setInterval(() => {
    if (running) return;
    running = tick().finally(() => (running = undefined));
  }, opts.intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
