import { describe, expect, it, vi } from 'vitest';
import { fileProgress, type ProgressStream, progressBar, ticker } from './progress.ts';

const stream = (isTTY: boolean) => {
  const writes: string[] = [];
  return { isTTY, writes, write: (s: string) => writes.push(s) } satisfies ProgressStream & { writes: string[] };
};

describe('progress on stderr', () => {
  it('draws one line that redraws itself on a terminal, ending with a newline', () => {
    const tty = stream(true);
    const bar = progressBar('importing', 200, tty);
    bar.update(50);
    bar.done(200);
    expect(tty.writes[0]).toMatch(/^\r\[#{8}-{22}\] importing 50\/200 \(25%\)/);
    expect(tty.writes.at(-1)).toMatch(/^\r\[#{30}\] importing 200\/200 \(100%\) .*\n$/);
  });

  it('writes nothing at all when stderr is not a terminal (a pipe, a log, CI)', () => {
    const pipe = stream(false);
    const bar = progressBar('importing', 200, pipe);
    for (let i = 0; i <= 200; i += 10) bar.update(i);
    bar.done(200);
    const file = fileProgress('scoring', 1000, pipe);
    file.update(500, 10);
    file.done(20);
    const tick = ticker('building reports', pipe);
    tick.note('1/4 segments');
    tick.stop();
    expect(pipe.writes).toEqual([]);
  });

  it('redraws at most every 100 ms, so a per-row update costs next to nothing', () => {
    const tty = stream(true);
    const bar = progressBar('exporting', undefined, tty);
    for (let i = 0; i < 10_000; i++) bar.update(i);
    expect(tty.writes.length).toBeLessThan(5);
    expect(tty.writes[0]).toMatch(/^\rexporting 0 /);
  });

  it('measures a file by the bytes read and counts its rows', () => {
    const tty = stream(true);
    const file = fileProgress('scoring', 1000, tty);
    file.update(250, 1234);
    file.done(5000);
    expect(tty.writes[0]).toMatch(/^\r\[#{8}-{22}\] scoring 25% 1,234 rows /);
    expect(tty.writes.at(-1)).toMatch(/scoring 100% 5,000 rows .*\n$/);
  });

  it('ticks the elapsed time of work that cannot count, with a note of how far it got', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const tty = stream(true);
      const tick = ticker('scoring the base', tty);
      tick.note('1/4 segments');
      vi.advanceTimersByTime(3000);
      tick.stop();
      expect(tty.writes[0]).toMatch(/^\rscoring the base 1\/4 segments \d+ s/);
      expect(tty.writes.at(-1)).toMatch(/\n$/);
    } finally {
      vi.useRealTimers();
    }
  });
});
