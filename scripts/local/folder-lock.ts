import { execFileSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';

/** A second runtime on a data folder in use: said in one line, and nothing was touched. */
export class FolderInUseError extends Error {
  constructor(dir: string, pid: number) {
    super(
      `${dir} is in use by the local runtime with pid ${pid}: stop it first, or use another folder (CVM_LOCAL_DIR)`,
    );
  }
}

interface LockContent {
  pid: number;
  /** The DynamoDB Local the holder runs on the folder (its own process group). */
  dynamoPid?: number;
}

/** A running process: signal 0 reaches it and, where /proc tells, it is not a zombie (killed, never reaped). */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // the state follows the command name in parentheses, which may itself hold spaces
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (macOS): signal 0 is all there is
  }
};

/** Whether `pid` is a DynamoDB Local JVM (so a reused pid is never killed). */
function isDynamoLocal(pid: number): boolean {
  try {
    const cmd = existsSync(`/proc/${pid}/cmdline`)
      ? readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      : execFileSync('ps', ['-p', String(pid), '-o', 'command='], { encoding: 'utf8' });
    return cmd.includes('DynamoDBLocal');
  } catch {
    return false;
  }
}

function readLock(file: string): LockContent | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LockContent;
  } catch {
    return undefined; // unreadable: treated as stale
  }
}

export interface FolderLock {
  /** Notes the DynamoDB Local the holder started, so a runtime taking over a stale lock stops it. */
  noteDynamo(pid: number): void;
  release(): void;
}

/**
 * Locks a local data folder for one runtime: `<dir>/runtime.lock`, created exclusively, holding
 * the runtime's pid. A lock whose pid is alive refuses the start (FolderInUseError) before
 * anything in the folder is touched. A stale one (its runtime was killed) is taken over, and the
 * DynamoDB Local that runtime left running on the folder (it runs in its own process group, so a
 * `kill -9` of the runtime's group does not reach it) is stopped first.
 */
export async function lockDataFolder(dir: string): Promise<FolderLock> {
  const file = join(dir, 'runtime.lock');
  const before = existsSync(file) ? readLock(file) : undefined;
  if (before && before.pid !== process.pid && alive(before.pid)) throw new FolderInUseError(dir, before.pid);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let content: LockContent = { pid: process.pid };
  // written whole beside the lock, then linked to its name: the link fails if a lock exists, and
  // a lock never exists half written
  const mine = `${file}.${process.pid}`;
  writeFileSync(mine, JSON.stringify(content), { mode: 0o600 });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(mine, file);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 2) throw err;
      }
      const held = readLock(file);
      if (held && held.pid !== process.pid && alive(held.pid)) throw new FolderInUseError(dir, held.pid);
      // stale: its runtime is gone; the DynamoDB Local it left on the folder goes too
      if (held?.dynamoPid && isDynamoLocal(held.dynamoPid)) {
        try {
          process.kill(-held.dynamoPid, 'SIGKILL');
        } catch {
          /* gone meanwhile */
        }
        for (let i = 0; i < 50 && alive(held.dynamoPid); i++) await sleep(100);
      }
      // still the stale one (not a lock another starter has just taken)
      if (readLock(file)?.pid === held?.pid) rmSync(file, { force: true });
    }
  } finally {
    rmSync(mine, { force: true });
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    if (readLock(file)?.pid === process.pid) rmSync(file, { force: true });
  };
  process.once('exit', release);
  return {
    noteDynamo(pid) {
      content = { ...content, dynamoPid: pid };
      if (released) return;
      writeFileSync(mine, JSON.stringify(content), { mode: 0o600 });
      renameSync(mine, file); // atomic: a reader never sees it half written
    },
    release() {
      process.removeListener('exit', release);
      release();
    },
  };
}
