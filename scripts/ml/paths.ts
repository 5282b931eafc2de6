import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
/** The shared datasets (`data/` in the repository). */
export const DATA_DIR = process.env['CVM_DATA_DIR'] ?? resolve(REPO_ROOT, 'data');
export const MODELS_DIR = resolve(REPO_ROOT, 'models');
