import type { CacheOutcome } from '#app/keys.ts';
import { AUTHORIZER_CACHE_SECONDS } from '#config/api-stage.ts';

/** When a key that stopped being valid is refused, given what became of the authorizer cache. */
export function refusedFrom(cache: CacheOutcome): string {
  if (cache === 'flushed' || cache === 'nothing-cached') return 'it is refused from the next request on';
  const why = cache === 'not-configured' ? 'no cache to flush was configured' : `the flush failed: ${cache.failed}`;
  return `it is refused within ${AUTHORIZER_CACHE_SECONDS} s (the authorizer cache was not flushed; ${why})`;
}
