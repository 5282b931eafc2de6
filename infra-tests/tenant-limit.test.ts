import { describe, expect, it } from 'vitest';
import { MAX_TENANTS_PER_MARKET, MarketConfigError, parseMarketConfig } from '#config/market-config.ts';
import { demo } from '../lib/config/markets/demo.ts';
import { synthMarket } from './synth.ts';

const tenantsOf = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ ...demo.tenants[0]!, id: `tenant-${i}`, costCenter: `CC-${i}` }));
const marketWith = (n: number) =>
  parseMarketConfig('demo', { ...demo, tenants: tenantsOf(n), delivery: { ...demo.delivery, tenants: {} } });

describe('tenants per market', () => {
  it(`fits ${MAX_TENANTS_PER_MARKET} tenants, the most a market takes, into one stack of at most 500 resources`, () => {
    const { template } = synthMarket(marketWith(MAX_TENANTS_PER_MARKET));
    const count = Object.keys(template.toJSON()['Resources']).length;
    expect(count).toBeLessThanOrEqual(500);
  });

  it('refuses a market with more, naming the field', () => {
    expect(() => marketWith(MAX_TENANTS_PER_MARKET + 1)).toThrow(MarketConfigError);
    expect(() => marketWith(MAX_TENANTS_PER_MARKET + 1)).toThrow(/tenants: at most 12 tenants/);
  });

  it('refuses delivery settings for a tenant the market does not have', () => {
    expect(() =>
      parseMarketConfig('demo', { ...demo, delivery: { tenants: { nobody: { sms: { dailyCap: 1 } } } } }),
    ).toThrow(/delivery\.tenants\.nobody: not a tenant of this market/);
  });
});
