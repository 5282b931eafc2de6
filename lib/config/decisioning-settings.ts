import type { MarketConfig } from './market-config.ts';

/**
 * What the decisions function needs from the market config, as the one `DECISIONING` variable
 * (lambdas/handlers/decisions-env.ts parses it). The stack and the local runtime both use this.
 */
export function decisioningSettingsOf(config: MarketConfig) {
  return {
    timeZone: config.timezone,
    quietHours: config.quietHours,
    defaultLanguage: config.defaultLanguage,
    decisionLogDays: config.retention.decisionLogDays,
    serviceLevels: config.serviceLevels,
    models: config.scoring.models,
    /** The market directory the pinned models are read from. */
    modelsMarket: config.code,
    ...config.decisioning,
  };
}

export const decisioningEnvOf = (config: MarketConfig): { DECISIONING: string } => ({
  DECISIONING: JSON.stringify(decisioningSettingsOf(config)),
});
