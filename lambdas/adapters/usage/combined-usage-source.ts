import type { TenantUsage, UsageSource } from '#domain/cost/ports.ts';
import type { TenantId } from '#domain/ids.ts';

/**
 * Several usage sources read as one: a later source's figure for a tenant and meter replaces an
 * earlier one's (API Gateway's own request count over the meters' ApiRequest), and what only one
 * source knows is kept. The sources are read at once.
 */
export class CombinedUsageSource implements UsageSource {
  readonly method: string;

  constructor(private readonly sources: readonly UsageSource[]) {
    this.method = sources.map((s) => s.method).join('; then, where it has a figure, ');
  }

  async usage(market: string, month: string): Promise<TenantUsage> {
    const all = await Promise.all(this.sources.map((s) => s.usage(market, month)));
    const out: TenantUsage = {};
    for (const usage of all) {
      for (const [tenant, meters] of Object.entries(usage)) Object.assign((out[tenant] ??= {}), meters);
    }
    return out;
  }

  /** SMS segments by destination from the sources that keep them, a later source's figure replacing an earlier one's. */
  async smsSegmentsByDestination(market: string, month: string): Promise<Record<TenantId, Record<string, number>>> {
    const all = await Promise.all(this.sources.map((s) => s.smsSegmentsByDestination?.(market, month)));
    const out: Record<TenantId, Record<string, number>> = {};
    for (const byTenant of all)
      for (const [tenant, countries] of Object.entries(byTenant ?? {})) Object.assign((out[tenant] ??= {}), countries);
    return out;
  }
}
