import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openApiDocument } from '#http/openapi.ts';

/** The document `GET /v1/openapi.json` serves, as a fresh copy (generators may change what they are given). */
export const servedDocument = (): Record<string, unknown> =>
  JSON.parse(JSON.stringify(openApiDocument())) as Record<string, unknown>;

/** Runs `use` with the served document written to a temporary file, removed afterwards. */
export async function withDocumentFile<T>(use: (file: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'cvm-openapi-'));
  try {
    const file = join(dir, 'openapi.json');
    writeFileSync(file, `${JSON.stringify(openApiDocument(), null, 2)}\n`);
    return await use(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
