import { MarketConfigError, parseMarketConfig, type MarketConfig, type MarketConfigInput } from '../market-config.ts';
import { DEFAULT_STAGE, DEFAULT_STAGES } from '../stage.ts';
import { demo } from './demo.ts';
import { ir } from './ir.ts';

export const MARKETS: Record<string, MarketConfigInput> = { demo, ir };

/**
 * Looks a market up by code, picks the stage from its stages (default `dev`) and validates both;
 * the only way code gets a MarketConfig.
 */
export function loadMarket(code: string | undefined, stage: string = DEFAULT_STAGE): MarketConfig {
  if (!code)
    throw new MarketConfigError('(none)', [
      `market: pass -c market=<code>; known markets: ${Object.keys(MARKETS).join(', ')}`,
    ]);
  const raw = MARKETS[code];
  if (!raw)
    throw new MarketConfigError(code, [
      `market: unknown market '${code}'; known markets: ${Object.keys(MARKETS).join(', ')}`,
    ]);
  const stages = raw.stages ?? DEFAULT_STAGES;
  const settings = stages[stage];
  if (!settings)
    throw new MarketConfigError(code, [
      `stage: unknown stage '${stage}'; stages of market ${code}: ${Object.keys(stages).join(', ')}`,
    ]);
  return parseMarketConfig(code, { ...raw, stage: { name: stage, ...settings } });
}
