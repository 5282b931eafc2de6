import { buildTenantReports, type BuildResult } from '#app/reports.ts';
import { logger } from '#edge/logger.ts';
import { flushingMeter } from '#composition/container-meter.ts';
import { reportAdaptersFor } from '#composition/reports.ts';

const adapters = reportAdaptersFor();
const build = buildTenantReports(adapters);

/**
 * The scheduled build-reports job (EventBridge Scheduler in AWS, a timer in `npm start`):
 * `{tenant}` builds one tenant's reports, `{}` every tenant's of the market.
 */
export const handler = flushingMeter(async (event: { tenant?: string } = {}): Promise<BuildResult[]> => {
  const tenants = event.tenant ? [event.tenant] : adapters.tenants;
  const results: BuildResult[] = [];
  for (const tenant of tenants) {
    const result = await build(tenant);
    logger.info('reports built', { ...result });
    results.push(result);
  }
  return results;
});
