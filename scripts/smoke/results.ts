/** The outcome of one smoke check; `why` says what went wrong when it failed. */
export type CheckResult = { name: string; ok: true } | { name: string; ok: false; why: string };

/** Longest `why` printed: a problem document or an HTML error page can be long. */
const MAX_WHY = 300;

/** Makes any text fit on one line, so every check stays one line of output for a person or a grep. */
export function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim() || 'no reason given';
  return flat.length > MAX_WHY ? `${flat.slice(0, MAX_WHY - 3)}...` : flat;
}

/** `ok <name>` or `FAIL <name>: <why>`. */
export function resultLine(result: CheckResult): string {
  return result.ok ? `ok ${result.name}` : `FAIL ${result.name}: ${oneLine(result.why)}`;
}

/** The closing line: `N passed, M failed`. */
export function summaryLine(results: readonly CheckResult[]): string {
  const passed = results.filter((r) => r.ok).length;
  return `${passed} passed, ${results.length - passed} failed`;
}

/** 0 when every check passed, 1 otherwise (a run with no checks has proven nothing). */
export function exitCodeOf(results: readonly CheckResult[]): 0 | 1 {
  return results.length > 0 && results.every((r) => r.ok) ? 0 : 1;
}
