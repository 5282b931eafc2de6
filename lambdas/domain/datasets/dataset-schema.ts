import type { Profile } from '../customer.ts';
import type { UsagePeriod } from './usage-state.ts';

export type ProfileWithId = Profile & { customerId: string };

export type RowMapping =
  | {
      ok: true;
      profile: ProfileWithId;
      label?: { churned: boolean };
      /** The row's behavioural columns, for a dataset that has them: they become the customer's state (usage-state.ts). */
      usage?: UsagePeriod;
    }
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
