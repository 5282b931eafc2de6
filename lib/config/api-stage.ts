import { physicalName, type MarketConfig } from './market-config.ts';

/**
 * The deployed REST API of a market and stage, by name, so scripts that call API Gateway (the
 * keys CLI's cache flush) find what lib/constructs/api.ts builds without loading the CDK.
 */
export const STAGE_NAME = 'live';
export const AUTHORIZER_CACHE_SECONDS = 60;
export const restApiNameOf = (config: Pick<MarketConfig, 'code' | 'stage'>): string => physicalName(config);
