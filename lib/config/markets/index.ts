import { MarketConfigError, parseMarketConfig, type MarketConfig, type MarketConfigInput } from '../market-config.ts';
import { demo } from './demo.ts';
import { ir } from './ir.ts';

export const MARKETS: Record<string, MarketConfigInput> = { demo, ir };

/** Looks a market up by code and validates it; the only way code gets a MarketConfig. */
export function loadMarket(code: string | undefined): MarketConfig {
  if (!code)
    throw new MarketConfigError('(none)', [
      `market: pass -c market=<code>; known markets: ${Object.keys(MARKETS).join(', ')}`,
    ]);
  const raw = MARKETS[code];
  if (!raw)
    throw new MarketConfigError(code, [
      `market: unknown market '${code}'; known markets: ${Object.keys(MARKETS).join(', ')}`,
    ]);
  return parseMarketConfig(code, raw);
}
