import { describe, expect, it } from 'vitest';
import { importProfiles } from './import-profiles.ts';
import { fixedClock } from '#domain/clock.ts';
import { MemoryCustomerRepo } from '../test-support/memory-customer-repo.ts';

describe('importing profiles', () => {
  it('writes new profiles, then nothing when the same file comes again', async () => {
    const repo = new MemoryCustomerRepo();
    const run = importProfiles({ customers: repo, clock: fixedClock('2026-11-01T00:00:00Z') });
    const rows = [
      { customerId: 'a', segment: 's', monthlyCharge: 10 },
      { customerId: 'b', segment: 't' },
    ];
    expect(await run('acme', rows)).toEqual({ written: 2, unchanged: 0, rejected: [] });
    const before = structuredClone([...repo.profiles]);
    expect(await run('acme', rows)).toEqual({ written: 0, unchanged: 2, rejected: [] });
    expect([...repo.profiles]).toEqual(before);
  });

  it('bumps the version of a changed profile and keeps its creation time', async () => {
    const repo = new MemoryCustomerRepo();
    const clock = fixedClock('2026-11-01T00:00:00Z');
    const run = importProfiles({ customers: repo, clock });
    await run('acme', [{ customerId: 'a', segment: 's' }]);
    clock.set('2026-11-02T00:00:00Z');
    await run('acme', [{ customerId: 'a', segment: 'changed' }]);
    expect((await repo.load('acme', 'a')).record).toMatchObject({
      version: 2,
      segment: 'changed',
      createdAt: '2026-11-01T00:00:00.000Z',
    });
  });

  it('refuses to recreate an erased customer and rejects duplicate ids', async () => {
    const repo = new MemoryCustomerRepo();
    await repo.erase('acme', 'gone', new Date('2026-11-01T00:00:00Z'));
    const run = importProfiles({ customers: repo, clock: fixedClock('2026-11-03T00:00:00Z') });
    const result = await run('acme', [{ customerId: 'gone' }, { customerId: 'x' }, { customerId: 'x' }]);
    expect(result.rejected).toEqual([
      { customerId: 'x', reason: 'duplicate customer id in the same batch' },
      { customerId: 'gone', reason: 'customer was erased' },
    ]);
    expect((await repo.load('acme', 'gone')).record).toBeUndefined();
  });
});
