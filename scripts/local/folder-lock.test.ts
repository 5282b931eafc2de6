import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FolderInUseError, lockDataFolder } from './folder-lock.ts';

const folder = () => mkdtempSync(join(tmpdir(), 'cvm-lock-'));
/** The pid of a process that has ended. */
const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid;

describe('the data folder lock', () => {
  it('refuses a folder whose lock holder runs, touching nothing in it', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'runtime.lock'), JSON.stringify({ pid: process.ppid }));
    const before = readdirSync(dir);
    await expect(lockDataFolder(dir)).rejects.toThrow(FolderInUseError);
    await expect(lockDataFolder(dir)).rejects.toThrow(`${dir} is in use by the local runtime with pid ${process.ppid}`);
    expect(readdirSync(dir)).toEqual(before);
  });

  it("takes over a dead runtime's lock, and gives the folder back on release", async () => {
    const dir = folder();
    writeFileSync(join(dir, 'runtime.lock'), JSON.stringify({ pid: deadPid() }));
    const lock = await lockDataFolder(dir);
    expect(JSON.parse(readFileSync(join(dir, 'runtime.lock'), 'utf8'))).toEqual({ pid: process.pid });
    lock.noteDynamo(123);
    expect(JSON.parse(readFileSync(join(dir, 'runtime.lock'), 'utf8'))).toEqual({ pid: process.pid, dynamoPid: 123 });
    lock.release();
    expect(existsSync(join(dir, 'runtime.lock'))).toBe(false);
    (await lockDataFolder(dir)).release();
  });
});
