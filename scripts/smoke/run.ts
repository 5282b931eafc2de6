import { SmokeFailure } from './http.ts';
import type { CheckResult } from './results.ts';

export interface Step {
  name: string;
  /** Resolves when the check holds; throws (a SmokeFailure, ideally) with the reason when not. */
  run: () => Promise<void>;
  /** Runs even after an interruption: it undoes what earlier steps wrote. */
  cleanup: boolean;
}

export interface RunOptions {
  /** Called with each result as soon as it is known, so a slow deployment shows progress. */
  onResult?: (result: CheckResult) => void;
  /** Once aborted (Ctrl-C), the remaining steps fail as interrupted, except the cleanup ones. */
  stop?: AbortSignal;
}

const whyOf = (err: unknown): string =>
  err instanceof SmokeFailure
    ? err.message
    : `unexpected error: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`;

/**
 * Runs every step in order, whatever an earlier one did: a failed check is a result, never a reason
 * to stop, so the cleanup steps at the end always run.
 */
export async function runSteps(steps: readonly Step[], options: RunOptions = {}): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const step of steps) {
    let result: CheckResult;
    if (options.stop?.aborted && !step.cleanup) {
      result = { name: step.name, ok: false, why: 'interrupted' };
    } else {
      try {
        await step.run();
        result = { name: step.name, ok: true };
      } catch (err) {
        result = { name: step.name, ok: false, why: whyOf(err) };
      }
    }
    results.push(result);
    options.onResult?.(result);
  }
  return results;
}
