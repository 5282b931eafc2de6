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

/**
 * The market's time zone, quiet hours and default language as the one `MARKET_RULES` variable
 * (lambdas/handlers/env.ts parses it), set alike by the stack's functions and the local runtime.
 */
export const marketRulesEnvOf = (config: MarketConfig): { MARKET_RULES: string } => ({
  MARKET_RULES: JSON.stringify({
    timezone: config.timezone,
    quietHours: config.quietHours,
    defaultLanguage: config.defaultLanguage,
  }),
});
