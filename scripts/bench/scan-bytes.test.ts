import { describe, expect, inject, it } from 'vitest';
import { measureScanBytes, scanBytesFigures } from './scan-bytes.ts';

describe('bytes the nightly scans read per customer', () => {
  it('stay flat after 180 days of one decision a day: the decision log is not in the customer partition', async () => {
    const m = await measureScanBytes(inject('dynamoEndpoint'));
    for (const f of scanBytesFigures(m)) console.log(`${f.name}: ${f.value} ${f.unit}${f.note ? ` (${f.note})` : ''}`);
    expect(m.decisions).toBe(180);
    // only what the contact policy needs stays under the customer: one ledger item beside profile and state
    expect(m.after.underCustomer).toBe(3);
    expect(m.after.ledgerBytes).toBeLessThan(1_024);
    expect(m.after.bytes).toBeLessThan(m.before.bytes / 10);
    expect(m.after.readUnits).toBeLessThan(m.before.readUnits);
    // the reports read a fraction of each logged decision
    expect(m.reportIndexBytes).toBeLessThan(m.logItemBytes / 3);
  }, 120_000);
});
