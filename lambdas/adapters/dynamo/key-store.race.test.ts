import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { keyAdmin } from '#app/keys.ts';
import { authorize } from '#app/authorize.ts';
import { fixedClock } from '#domain/clock.ts';
import type { KeyAdminStore } from '#domain/ports/keys.ts';
import { testTables } from '../../test-support/dynamo.ts';
import { documentClient } from './client.ts';
import { DynamoKeyStore } from './key-store.ts';

/**
 * Issue 17, item 4: concurrent `npm run keys -- rotate` (and a revoke) of one tenant on DynamoDB
 * Local, their store calls released in an order fast-check picks and run one at a time, so each
 * interleaving is exact. Every key a rotation returns stays usable unless a rotation that listed
 * the keys after it was activated expired it (then with that rotation's overlap); the old key ends
 * at the shortest overlap asked for; a revoked key stays revoked.
 */
let store: DynamoKeyStore;
beforeAll(async () => {
  const t = await testTables(['seed']);
  store = new DynamoKeyStore(documentClient({ endpoint: t.endpoint }), t.keysTable);
}, 60_000);

// near the wall clock, so the items' TTL attribute is never in the past
const NOW = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000).toISOString();
const HOUR = 3_600_000;

/** Store calls wait for the scheduler, then run one at a time; `seq` counts finished calls. */
function scheduled(s: fc.Scheduler, inner: KeyAdminStore, label: string, log: { seq: number }) {
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const run = chain.then(work);
    chain = run.catch(() => undefined);
    return run;
  };
  const gate =
    <A extends unknown[], T>(name: string, fn: (...args: A) => Promise<T>, onDone?: () => void) =>
    async (...args: A): Promise<T> => {
      await s.schedule(Promise.resolve(), `${label}.${name}`);
      return serial(async () => {
        const out = await fn(...args);
        log.seq++;
        onDone?.();
        return out;
      });
    };
  const calls = { listedAt: -1, wroteAt: -1 };
  const wrote = () => (calls.wroteAt = log.seq);
  const wrapped: KeyAdminStore = {
    find: gate('find', (h) => inner.find(h)),
    save: gate('save', (h, r) => inner.save(h, r)),
    load: gate('load', (h) => inner.load(h)),
    insert: gate('insert', (h, r) => inner.insert(h, r), wrote),
    replace: gate('replace', (h, r, v) => inner.replace(h, r, v), wrote),
    list: gate(
      'list',
      (t) => inner.list(t),
      () => (calls.listedAt = log.seq),
    ),
  };
  return { wrapped, calls };
}

let run = 0;
describe('key rotation under concurrency', () => {
  it('never lets concurrent rotations or a revocation cut short, revive or lose a key', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.array(fc.constantFrom(0, 1, 24), { minLength: 2, maxLength: 3 }),
        fc.boolean(),
        async (s, overlaps, withRevoke) => {
          const tenant = `r${++run}`;
          const clock = fixedClock(NOW);
          const seeding = keyAdmin({ keys: store, clock });
          const first = await seeding.create(tenant, 'channel');
          const log = { seq: 0 };
          const rotations = overlaps.map((overlapHours, i) => {
            const { wrapped, calls } = scheduled(s, store, `rotate${i}`, log);
            const result = keyAdmin({ keys: wrapped, clock }).rotate(tenant, { scope: 'channel', overlapHours });
            // calls.wroteAt ends as the time of its last write: the activation of its new key
            return { overlapHours, calls, result };
          });
          const revoked = withRevoke
            ? keyAdmin({ keys: scheduled(s, store, 'revoke', log).wrapped, clock }).revoke(tenant, first.keyId)
            : Promise.resolve(undefined);
          const [results] = await s.waitFor(Promise.all([Promise.all(rotations.map((r) => r.result)), revoked]));

          const keys = new Map((await store.list(tenant)).map((k) => [k.record.keyId, k.record]));
          const at = (hours: number) => new Date(Date.parse(NOW) + hours * HOUR).toISOString();
          rotations.forEach((r, i) => {
            const created = keys.get(results[i]!.created.keyId)!;
            // the rotations that listed the keys after this one's key was active, and only those
            const later = rotations.filter((o) => o !== r && o.calls.listedAt > r.calls.wroteAt);
            expect(created.status, String(s)).toBe('active');
            expect(created.expiresAt, String(s)).toBe(
              later.length ? at(Math.min(...later.map((o) => o.overlapHours))) : undefined,
            );
          });
          const old = keys.get(first.keyId)!;
          if (withRevoke) expect(old.status, String(s)).toBe('revoked');
          else expect(old.expiresAt, String(s)).toBe(at(Math.min(...overlaps)));
          // whatever the interleaving, the tenant holds a working key: the last activated one
          const check = authorize({ keys: store, clock });
          const last = rotations.reduce((a, b) => (b.calls.wroteAt > a.calls.wroteAt ? b : a));
          await expect(check(results[rotations.indexOf(last)]!.created.apiKey)).resolves.toMatchObject({
            caller: { tenant },
          });
        },
      ),
      { numRuns: 30 },
    );
  }, 60_000);
});
