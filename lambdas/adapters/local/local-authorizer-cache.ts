import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuthorizerCache } from '#domain/ports/keys.ts';

/** Where the local runtime serves its authorizer-cache flush (FlushStageAuthorizersCache in AWS). */
export const LOCAL_AUTHORIZER_CACHE_PATH = '/local/authorizer-cache';
export const LOCAL_ADMIN_TOKEN_HEADER = 'x-cvm-local-admin';

interface RuntimeFile {
  baseUrl?: string;
  localAdmin?: { header: string; token: string };
}

/**
 * The running local runtime's authorizer cache, reached through `<dir>/runtime.json` (its address
 * and admin token). No runtime running on the folder: nothing is cached anywhere.
 */
export class LocalAuthorizerCache implements AuthorizerCache {
  constructor(private readonly dir: string) {}

  async flush(): Promise<'flushed' | 'nothing-cached'> {
    const file = join(this.dir, 'runtime.json');
    if (!existsSync(file)) return 'nothing-cached';
    const runtime = JSON.parse(readFileSync(file, 'utf8')) as RuntimeFile;
    if (!runtime.baseUrl || !runtime.localAdmin) return 'nothing-cached';
    let res: Response;
    try {
      res = await fetch(`${runtime.baseUrl}${LOCAL_AUTHORIZER_CACHE_PATH}`, {
        method: 'DELETE',
        headers: { [runtime.localAdmin.header]: runtime.localAdmin.token },
        signal: AbortSignal.timeout(5_000),
      });
    } catch (err) {
      const code = (err as { cause?: { code?: string } }).cause?.code;
      if (code === 'ECONNREFUSED') return 'nothing-cached'; // the runtime has stopped
      throw err;
    }
    if (res.status !== 204) throw new Error(`the local runtime refused the cache flush: HTTP ${res.status}`);
    return 'flushed';
  }
}
