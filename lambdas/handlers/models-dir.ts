import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The bundle's own `models/` (copied at bundling), else the repository's (local runs, tests). */
export function modelsDirOf(env: { modelsDir?: string }): string {
  if (env.modelsDir) return env.modelsDir;
  const bundled = fileURLToPath(new URL('./models', import.meta.url));
  return existsSync(bundled) ? bundled : fileURLToPath(new URL('../../models', import.meta.url));
}
