/** One benchmark figure; a ratio is always against a reference measured in the same run. */
export interface BenchFigure {
  name: string;
  value: number;
  unit: string;
  reference?: string | number | { name: string; value: number; unit: string };
  ratio?: number;
  note?: string;
}

export const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
export const median = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );
