import { describe, expect, it } from 'vitest';
import type { Action } from '#domain/action.ts';
import type { ActionCatalog } from '#domain/ports/catalog.ts';
import type { VersionedStore } from '#domain/versioned.ts';
import { CachedActionCatalog } from './cached-action-catalog.ts';

const action = (actionId: string) => ({ actionId }) as Action;

/** Another container's catalog: writes that bypass this cache, and a count of the Queries it answered. */
function sharedTable() {
  const actions = new Map<string, Action>();
  let queries = 0;
  const inner = {
    list: async () => {
      queries++;
      return [...actions.values()];
    },
  } as unknown as ActionCatalog & VersionedStore<Action>;
  return {
    inner,
    add: (id: string) => actions.set(id, action(id)),
    queries: () => queries,
  };
}

describe('CachedActionCatalog', () => {
  it('serves the list from the cache within the TTL', async () => {
    const table = sharedTable();
    let now = 0;
    const cache = new CachedActionCatalog(table.inner, 60_000, () => now);
    table.add('a');
    await cache.list('t1');
    table.add('b');
    now = 30_000;
    expect((await cache.list('t1')).map((a) => a.actionId)).toEqual(['a']);
    expect(table.queries()).toBe(1);
  });

  it('reloads when the caller names an action the cached list lacks (saved by another container)', async () => {
    const table = sharedTable();
    let now = 0;
    const cache = new CachedActionCatalog(table.inner, 60_000, () => now);
    table.add('a');
    await cache.list('t1');
    table.add('fresh');
    now = 5_000;
    const listed = await cache.list('t1', { including: ['fresh'] });
    expect(listed.map((a) => a.actionId)).toEqual(['a', 'fresh']);
    expect(table.queries()).toBe(2);
    // the reloaded list now serves everyone
    expect((await cache.list('t1')).map((a) => a.actionId)).toEqual(['a', 'fresh']);
    expect(table.queries()).toBe(2);
  });

  it('does not turn a named but deleted action into a Query per call', async () => {
    const table = sharedTable();
    let now = 0;
    const cache = new CachedActionCatalog(table.inner, 60_000, () => now);
    table.add('a');
    await cache.list('t1');
    for (let i = 0; i < 50; i++) {
      now += 10; // 50 contacts within half a second
      await cache.list('t1', { including: ['gone'] });
    }
    expect(table.queries()).toBe(1);
    now += 1_000;
    await cache.list('t1', { including: ['gone'] });
    expect(table.queries()).toBe(2);
  });

  it('keeps tenants apart', async () => {
    const table = sharedTable();
    const cache = new CachedActionCatalog(table.inner, 60_000, () => 0);
    table.add('a');
    await cache.list('t1');
    await cache.list('t2');
    expect(table.queries()).toBe(2);
  });
});
