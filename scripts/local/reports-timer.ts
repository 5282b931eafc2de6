/**
 * Locally, the scheduled build-reports job runs on a timer: every `intervalMs` while the API has
 * seen writes recently (data changed), so reports follow a demo within half a minute. `run()`
 * builds at once (the demo and `npm run build-reports` use it). In AWS an EventBridge schedule runs
 * the same handler (lib/constructs/reports.ts).
 */
export function reportsTimer(opts: { intervalMs: number }) {
  let lastWrite = 0;
  let running: Promise<unknown> | undefined;
  const run = async (): Promise<unknown> => {
    if (running) await running.catch(() => {});
    const { handler } = await import('#handlers/build-reports.ts');
    running = handler({});
    try {
      return await running;
    } finally {
      running = undefined;
    }
  };
  const timer = setInterval(() => {
    // writes in the last two intervals: events are processed a moment after their POST
    if (Date.now() - lastWrite > 2 * opts.intervalMs || running) return;
    run().catch((err: Error) => process.stderr.write(`build-reports failed: ${err.message}\n`));
  }, opts.intervalMs);
  timer.unref();
  return {
    /** Called for every API request; writes mark the data as changed. */
    saw(method: string) {
      if (method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS') lastWrite = Date.now();
    },
    run,
    async stop() {
      clearInterval(timer);
      await running?.catch(() => {});
    },
  };
}
