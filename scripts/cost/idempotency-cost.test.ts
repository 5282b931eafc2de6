import { describe, expect, it } from 'vitest';
import { unitPrice } from './cost-math.ts';
import { idempotencyKeyCost } from './idempotency-cost.ts';
import { loadPrices } from './prices.ts';

describe('the cost of an Idempotency-Key', () => {
  const prices = loadPrices();
  it('is the two writes of the record plus a day of its storage, growing with the answer', () => {
    const small = idempotencyKeyCost(prices, 300);
    expect(small.writeUnitsPerRequest).toBe(2);
    const twoWrites = 2 * unitPrice(prices, 'dynamodb.onDemand.write') * 1e6;
    expect(small.perMillion).toBeGreaterThan(twoWrites);
    expect(small.perMillion).toBeLessThan(twoWrites * 1.05);
    const big = idempotencyKeyCost(prices, 3000);
    expect(big.writeUnitsPerRequest).toBe(1 + 4);
    expect(big.perMillion).toBeGreaterThan(small.perMillion);
  });
});
