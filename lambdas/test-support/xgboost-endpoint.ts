import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

/** Debian's python3, where `apt-get install python3-xgboost` puts xgboost (.ci/run installs it). */
export const PYTHON = '/usr/bin/python3';

export const hasPythonXgboost = (): boolean =>
  spawnSync(PYTHON, ['-c', 'import xgboost'], { stdio: 'ignore' }).status === 0;

export interface XgboostEndpoint {
  /** `http://127.0.0.1:<port>`: the SDK's endpoint override, and the container's base URL. */
  url: string;
  close(): Promise<void>;
}

/**
 * Starts xgboost-endpoint.py (the built-in XGBoost container's protocol and the SageMaker runtime's
 * `/endpoints/<name>/invocations`, see there) serving `models` (`{name: model.json path}`), and
 * resolves once it listens.
 */
export function startXgboostEndpoint(models: Record<string, string>, timeoutMs = 20_000): Promise<XgboostEndpoint> {
  const script = resolve(import.meta.dirname, 'xgboost-endpoint.py');
  const args = Object.entries(models).map(([name, path]) => `${name}=${path}`);
  const child = spawn(PYTHON, [script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => {
      child.kill();
      fail(new Error(`xgboost endpoint did not start in ${timeoutMs} ms: ${stderr.slice(-500)}`));
    }, timeoutMs);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const port = /listening (\d+)/.exec(out)?.[1];
      if (!port) return;
      clearTimeout(timer);
      ok({ url: `http://127.0.0.1:${port}`, close: () => stop(child) });
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`xgboost endpoint exited (${code}): ${stderr.slice(-500)}`));
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    child.once('exit', () => done());
    child.kill();
  });
}
