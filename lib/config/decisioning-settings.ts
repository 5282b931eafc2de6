import { optOutKeywordsOf } from '../../lambdas/domain/delivery/opt-out.ts';
import type { MarketConfig } from './market-config.ts';

/**
 * What the decisions function needs from the market config, as the one `DECISIONING` variable
 * (lambdas/composition/decisions-env.ts parses it). The stack and the local runtime both use this.
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
    /** `PUT /v1/actions` refuses SMS texts longer than this (message content, issue 16). */
    maxSmsSegments: config.delivery.maxSmsSegments,
  };
}

export const decisioningEnvOf = (config: MarketConfig): { DECISIONING: string } => ({
  DECISIONING: JSON.stringify(decisioningSettingsOf(config)),
});

/** The market's experiment as the one `EXPERIMENTS` variable: the build-reports job's programme report needs only it. */
export const experimentsEnvOf = (config: MarketConfig): { EXPERIMENTS: string } => ({
  EXPERIMENTS: JSON.stringify(config.decisioning.experiments),
});

/**
 * The market's time zone, quiet hours and default language as the one `MARKET_RULES` variable
 * (lambdas/composition/platform-env.ts parses it), set alike by the stack's functions and the local runtime.
 */
export const marketRulesEnvOf = (config: MarketConfig): { MARKET_RULES: string } => ({
  MARKET_RULES: JSON.stringify({
    timezone: config.timezone,
    quietHours: config.quietHours,
    defaultLanguage: config.defaultLanguage,
    // SMS sent through AWS are priced at this country's price per segment (campaign preview)
    ...(config.country ? { country: config.country } : {}),
    // every language's keywords: a customer may answer in any of the market's languages
    optOutKeywords: optOutKeywordsOf(config.delivery.optOutKeywords),
  }),
});
