import { stringify } from 'csv-stringify/sync';

/** One cell of a CSV the platform writes: text, a number, or empty. */
export type CsvCell = string | number | boolean | null | undefined;

/** A number written as text (an MSISDN such as `+27821234567`, `-5`): no formula can hide in it. */
const PLAIN_NUMBER = /^[+-]?\d+(\.\d+)?$/;

/**
 * The formula-injection guard of every CSV the platform writes (OWASP "CSV injection"): a text
 * cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab or carriage return first)
 * gets a leading `'`, which spreadsheets show as text. Numbers and numeric text pass unchanged.
 */
export function neutralised(text: string): string {
  return /^[=+\-@\t\r]/.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
}

/**
 * RFC 4180 text (CRLF line ends, quotes where needed) of a header and rows, through csv-stringify,
 * every text cell through the guard. NaN, null and undefined are empty cells.
 */
export function csvOf(header: readonly string[], rows: Iterable<readonly CsvCell[]>): string {
  return stringify(
    [header, ...rows].map((row) => row.map(cellText)),
    { record_delimiter: 'windows' },
  );
}

/** The same for one line, for writers that stream rows (exports of a whole market). */
export function csvLine(cells: readonly CsvCell[]): string {
  return stringify([cells.map(cellText)], { record_delimiter: 'windows' });
}

function cellText(v: CsvCell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isNaN(v) ? '' : String(v);
  if (typeof v === 'boolean') return String(v);
  return neutralised(v);
}
