/**
 * Labels of an analyst export (scripts/export/export.ts) for training: churn within a window after
 * a snapshot date, from the churn date the state records, and NPS from collected survey answers.
 */

/** The default churn window: a customer who leaves within 90 days of the snapshot counts as churned. */
export const DEFAULT_CHURN_WINDOW_DAYS = 90;
const DAY_MS = 86_400_000;

export interface ChurnWindow {
  /** The day the population is taken at: customers who had already left are not in it. */
  snapshot: Date;
  days: number;
}

export type ChurnLabel = 0 | 1 | 'churned-before-snapshot' | 'churned-undated';

/**
 * The window a label rule reads: from `snapshot` (default: `days` before the export) for `days`.
 * Refuses a window the export has not seen to its end: a customer still active at the export
 * could yet churn inside it, and would be labelled 0.
 */
export function churnWindowOf(exportedAt: Date, days = DEFAULT_CHURN_WINDOW_DAYS, snapshot?: Date): ChurnWindow {
  if (!Number.isInteger(days) || days < 1)
    throw new Error(`the churn window must be a whole number of days, not ${days}`);
  const at = snapshot ?? new Date(exportedAt.getTime() - days * DAY_MS);
  if (Number.isNaN(at.getTime())) throw new Error('the snapshot is not a date');
  const end = at.getTime() + days * DAY_MS;
  if (end > exportedAt.getTime())
    throw new Error(
      `the export (${exportedAt.toISOString()}) ends before the churn window does (${new Date(end).toISOString()}): take the snapshot at least ${days} days before the export`,
    );
  return { snapshot: at, days };
}

/**
 * 1 when the customer churned within the window after the snapshot, 0 when it did not (still
 * active, or churned after the window). Customers who churned before the snapshot were not
 * customers then, and a churn known only from an imported flag has no date: both are left out.
 */
export function churnLabelOf(row: { churnedAt?: string; churn?: string }, window: ChurnWindow): ChurnLabel {
  if (row.churnedAt) {
    const t = Date.parse(row.churnedAt);
    if (Number.isNaN(t)) return 'churned-undated';
    const start = window.snapshot.getTime();
    if (t <= start) return 'churned-before-snapshot';
    return t <= start + window.days * DAY_MS ? 1 : 0;
  }
  return row.churn === '1' ? 'churned-undated' : 0;
}

/** The collected NPS answer of a row (0-10), or undefined. */
export function npsAnswerOf(row: { nps?: string }): number | undefined {
  if (row.nps === undefined || row.nps.trim() === '') return undefined;
  const n = Number(row.nps);
  return Number.isFinite(n) && n >= 0 && n <= 10 ? n : undefined;
}
