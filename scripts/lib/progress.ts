/**
 * Progress for long work (an import or a scoring run of 9M rows), drawn on one stderr line while
 * stderr is a terminal. When it is not (a pipe, a log file, CI) nothing is written: those
 * outputs keep only results, and a redirect does not fill up with progress lines.
 */

/** What progress is drawn on: stderr, or a fake terminal in tests. */
export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

export interface Progress {
  update(done: number): void;
  done(done: number): void;
}

const WIDTH = 30;
const count = (n: number) => Math.round(n).toLocaleString('en-US');
const seconds = (ms: number) => `${(ms / 1000).toFixed(0)} s`;
const bar = (fraction: number) => {
  const filled = Math.round(Math.min(1, fraction) * WIDTH);
  return `[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}]`;
};

/** Redraws one line at most every 100 ms (and always at the end); a no-op off a terminal. */
function lineDrawer(stream: ProgressStream) {
  const started = performance.now();
  let last = -Infinity;
  return {
    started,
    draw(text: (elapsedMs: number) => string, final: boolean) {
      if (!stream.isTTY) return;
      const now = performance.now();
      if (!final && now - last < 100) return;
      last = now;
      // \x1b[K clears what a longer previous line left behind
      stream.write(`\r${text(now - started)}\x1b[K${final ? '\n' : ''}`);
    },
  };
}

const perSecond = (n: number, ms: number) => n / Math.max(0.001, ms / 1000);

/** `done` of `total` items with the rate; with no total (a scan of unknown size) a running count. */
export function progressBar(label: string, total?: number, stream: ProgressStream = process.stderr): Progress {
  const line = lineDrawer(stream);
  const draw = (done: number, final: boolean) =>
    line.draw((ms) => {
      const rate = `${count(perSecond(done, ms))}/s`;
      if (!total) return `${label} ${count(done)} ${rate} ${seconds(ms)}`;
      const fraction = done / total;
      return `${bar(fraction)} ${label} ${count(done)}/${count(total)} (${Math.round(Math.min(1, fraction) * 100)}%) ${rate}`;
    }, final);
  return { update: (done) => draw(done, false), done: (done) => draw(done, true) };
}

/**
 * Reading a file of `totalBytes`: the share read so far from the stream's byte count, so a 9M-row
 * file needs no counting pass first, with the rows handled and their rate.
 */
export function fileProgress(label: string, totalBytes: number, stream: ProgressStream = process.stderr) {
  const line = lineDrawer(stream);
  const draw = (bytesRead: number, rows: number, final: boolean) =>
    line.draw((ms) => {
      // the stream reads ahead of the rows handled: short of the end, say at most 99%
      const fraction = final ? 1 : totalBytes ? Math.min(0.99, bytesRead / totalBytes) : 0;
      return `${bar(fraction)} ${label} ${Math.round(Math.min(1, fraction) * 100)}% ${count(rows)} rows ${count(perSecond(rows, ms))} rows/s`;
    }, final);
  return {
    update: (bytesRead: number, rows: number) => draw(bytesRead, rows, false),
    done: (rows: number) => draw(totalBytes, rows, true),
  };
}

/** Elapsed time, once a second, for work that cannot count its own progress (a workflow, a job). */
export function ticker(label: string, stream: ProgressStream = process.stderr) {
  const line = lineDrawer(stream);
  const draw = (note: string, final: boolean) =>
    line.draw((ms) => `${label}${note ? ` ${note}` : ''} ${seconds(ms)}`, final);
  let note = '';
  const timer = stream.isTTY ? setInterval(() => draw(note, false), 1000) : undefined;
  timer?.unref();
  return {
    /** Says how far it got, e.g. `2/4 segments`. */
    note(text: string) {
      note = text;
      draw(note, false);
    },
    stop() {
      if (timer) clearInterval(timer);
      draw(note, true);
    },
  };
}
