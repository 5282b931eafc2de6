/**
 * docs/benchmarks.md holds two writers' output: `npm run bench` writes the file, `npm run load`
 * owns the part between these markers. Each keeps the other's part.
 */
export const LOAD_START = '<!-- load:start -->';
export const LOAD_END = '<!-- load:end -->';

/** The marked load section of a document, or '' if it has none. */
export function loadSectionOf(doc: string): string {
  const start = doc.indexOf(LOAD_START);
  const end = doc.indexOf(LOAD_END);
  return start >= 0 && end > start ? `${doc.slice(start, end + LOAD_END.length)}\n` : '';
}

/** Replaces the marked load section of `doc` with `load`, or appends it. */
export function withLoadSection(doc: string, load: string): string {
  const start = doc.indexOf(LOAD_START);
  const end = doc.indexOf(LOAD_END);
  if (start >= 0 && end > start) return doc.slice(0, start) + load.trimEnd() + doc.slice(end + LOAD_END.length);
  return `${doc.trimEnd()}\n\n${load}`;
}
