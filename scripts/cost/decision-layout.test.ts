import { describe, expect, it, vi } from 'vitest';
import { loadMarket } from '#config/markets/index.ts';
import { decisionLayout, type DecisionIo } from './decision-layout.ts';

/**
 * The layout is the adapters' own: padding what an item builder returns must move the units the
 * model prices. The builders are wrapped here so a test can make their items bigger.
 */
const pad = vi.hoisted(() => ({ log: 0, ledger: 0 }));
vi.mock('#adapters/dynamo/decision-item.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('#adapters/dynamo/decision-item.ts')>();
  return {
    ...original,
    logItemOf: (r: Parameters<typeof original.logItemOf>[0]) => ({
      ...original.logItemOf(r),
      ...(pad.log ? { pad: 'x'.repeat(pad.log) } : {}),
    }),
  };
});
vi.mock('#adapters/dynamo/ledger-item.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('#adapters/dynamo/ledger-item.ts')>();
  return {
    ...original,
    ledgerPut: (...args: Parameters<typeof original.ledgerPut>) => {
      const put = original.ledgerPut(...args);
      return pad.ledger ? { ...put, Item: { ...put.Item, pad: 'x'.repeat(pad.ledger) } } : put;
    },
  };
});

const market = loadMarket('demo');
const sample = () => decisionLayout(market, { perCustomerPerDay: 1, customers: 6, days: 30, measureDays: 10 });
const row = (rows: DecisionIo['writes'], what: string) => rows.find((r) => r.what === what)!;
const customerQuery = (io: DecisionIo) =>
  row(io.reads, "Query of the customer's state + profile + ledger [tenant table]");

describe('sizes from the layout', () => {
  it("bills the decision log item as the log's item builder makes it", async () => {
    pad.log = 0;
    const plain = await sample();
    pad.log = 2048;
    const padded = await sample();
    pad.log = 0;
    const put = (io: DecisionIo) => row(io.writes, 'Put of the decision log item');
    expect(put(padded).bytes - put(plain).bytes).toBe(2048 + 'pad'.length);
    expect(put(padded).units - put(plain).units).toBeGreaterThanOrEqual(2);
    expect(padded.logStored.table - plain.logStored.table).toBe(2048 + 3);
    // the indexes project the keys and the report's fields only: their entries do not grow
    expect(row(padded.writes, 'byDay index entry of the decision log item').bytes).toBe(
      row(plain.writes, 'byDay index entry of the decision log item').bytes,
    );
  });

  it("reads and writes the contact ledger as the ledger's item builder makes it", async () => {
    pad.ledger = 0;
    const plain = await sample();
    pad.ledger = 3000;
    const padded = await sample();
    pad.ledger = 0;
    const put = (io: DecisionIo) => row(io.writes, 'Put of the ledger item');
    expect(put(padded).bytes - put(plain).bytes).toBe(3000 + 3);
    expect(put(padded).units).toBeGreaterThan(put(plain).units);
    // the decision's one Query reads the ledger with the profile and the state: past 4 KB, a whole unit
    expect(customerQuery(plain).units).toBe(0.5);
    expect(customerQuery(padded).units).toBe(1);
    expect(padded.scanBytesPerCustomer).toBeGreaterThan(plain.scanBytesPerCustomer + 2000);
  });

  it('keeps what a customer holds flat whatever its history: the ledger is bounded, the log is elsewhere', async () => {
    const short = await decisionLayout(market, { perCustomerPerDay: 5, customers: 4, days: 20, measureDays: 5 });
    const long = await decisionLayout(market, { perCustomerPerDay: 5, customers: 4, days: 90, measureDays: 5 });
    expect(Math.abs(long.scanBytesPerCustomer - short.scanBytesPerCustomer)).toBeLessThan(400);
    expect(customerQuery(long).units).toBe(customerQuery(short).units);
  });
});
