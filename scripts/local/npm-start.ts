import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, isRunning } from '../../lambdas/test-support/dynamo-local.ts';

export interface RuntimeInfo {
  baseUrl: string;
  tenants: Record<string, { apiKey: string; channelKey: string }>;
  dynamoEndpoint: string;
  dynamoPid: number;
  market: string;
  pid: number;
}

export interface StartedRuntime {
  info: RuntimeInfo;
  dir: string;
  child: ChildProcess;
  output: () => string;
  /** Ctrl-C as a terminal sends it: SIGINT to the whole foreground process group. */
  interrupt(): Promise<number | null>;
  /** `kill -9` of the whole process group: a crash (DynamoDB Local, in its own group, stays). */
  kill(): Promise<number | null>;
}

/**
 * Starts `npm start` exactly as a newcomer would, in a fresh data folder (or again on `dir`, as
 * it was left), and waits for it.
 */
export async function startLocal(env: Record<string, string> = {}, again?: { dir: string }): Promise<StartedRuntime> {
  const dir = again?.dir ?? mkdtempSync(join(tmpdir(), 'cvm-e2e-'));
  const port = await freePort();
  const child = spawn('npm', ['start', '--silent'], {
    env: { ...process.env, PORT: String(port), ...(again ? {} : { CVM_FRESH: '1' }), CVM_LOCAL_DIR: dir, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not come up in 60 s:\n${out}`)), 60_000);
    const check = setInterval(() => {
      if (out.includes('Press Ctrl-C to stop')) {
        clearInterval(check);
        clearTimeout(timer);
        resolve();
      }
    }, 50);
    child.once('exit', () => {
      clearInterval(check);
      clearTimeout(timer);
      reject(new Error(`npm start exited early:\n${out}`));
    });
  });
  const info = JSON.parse(readFileSync(join(dir, 'runtime.json'), 'utf8')) as RuntimeInfo;
  return {
    info,
    dir,
    child,
    output: () => out,
    async interrupt() {
      try {
        process.kill(-child.pid!, 'SIGINT');
      } catch {
        /* gone */
      }
      return exited;
    },
    async kill() {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
      return exited;
    },
  };
}

export { isRunning };
