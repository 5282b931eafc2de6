import type { Profile } from '../customer.ts';

export type ProfileWithId = Profile & { customerId: string };

export type RowMapping =
  | { ok: true; profile: ProfileWithId; label?: { churned: boolean } }
  | { ok: false; reasons: string[] };

/**
 * How one public dataset's CSV rows become profiles. One module per schema; the importer,
 * the scoring CLI and model training all go through it, so a row means the same everywhere.
 */
export interface DatasetSchema {
  name: string;
  /** Columns a file must have (exact header names). */
  columns: readonly string[];
  /** `rowNumber` is 1-based over data rows (the header not counted). */
  toProfile(row: Record<string, string>, rowNumber: number): RowMapping;
  /** The output id of a row for the scoring CLI. */
  rowId(row: Record<string, string>, rowNumber: number): string;
}
