/** A one-line progress bar on stderr (plain lines when stderr is not a terminal). */
export function progressBar(label: string, total: number, stream: NodeJS.WriteStream = process.stderr) {
  const started = performance.now();
  let lastDraw = 0;
  let lastPlainPct = -1;
  const draw = (done: number, final = false) => {
    const now = performance.now();
    if (!final && now - lastDraw < 100) return;
    lastDraw = now;
    const pct = total ? Math.min(1, done / total) : 1;
    const rate = done / Math.max(0.001, (now - started) / 1000);
    const text = `${label} ${done}/${total} (${Math.round(pct * 100)}%) ${Math.round(rate)}/s`;
    if (stream.isTTY) {
      const width = 30;
      const filled = Math.round(pct * width);
      stream.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${text}${final ? '\n' : ''}`);
    } else if (final || Math.floor(pct * 10) > lastPlainPct) {
      lastPlainPct = Math.floor(pct * 10);
      stream.write(`${text}\n`);
    }
  };
  return { update: (done: number) => draw(done), done: (done: number) => draw(done, true) };
}
