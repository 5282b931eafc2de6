/** Standard normal CDF (Abramowitz-Stegun 7.1.26 via erf; |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

const Z95 = 1.959963984540054;

export interface GroupOutcome {
  n: number;
  successes: number;
}

export interface UpliftResult {
  treatmentRate: number;
  controlRate: number;
  /** Absolute uplift in percentage points. */
  upliftPoints: number;
  /** Relative uplift (treatment / control - 1); null when the control rate is 0. */
  relativeUplift: number | null;
  /** 95% confidence interval of the absolute uplift, in percentage points (unpooled SE). */
  ci95Points: [number, number];
  /** Unpooled standard error of the uplift, in percentage points. */
  standardErrorPoints: number;
  z: number;
  /** One-sided p-value that treatment is better than control (pooled two-proportion z-test). */
  pValue: number;
}

/** Two-proportion comparison of a treatment group against its control group. */
export function compareProportions(treatment: GroupOutcome, control: GroupOutcome): UpliftResult {
  const pt = treatment.n ? treatment.successes / treatment.n : 0;
  const pc = control.n ? control.successes / control.n : 0;
  const diff = pt - pc;
  const pooled = treatment.n + control.n ? (treatment.successes + control.successes) / (treatment.n + control.n) : 0;
  const sePooled = Math.sqrt(pooled * (1 - pooled) * (1 / Math.max(treatment.n, 1) + 1 / Math.max(control.n, 1)));
  const z = sePooled > 0 ? diff / sePooled : 0;
  const seUnpooled = Math.sqrt((pt * (1 - pt)) / Math.max(treatment.n, 1) + (pc * (1 - pc)) / Math.max(control.n, 1));
  const round = (v: number) => Math.round(v * 1e4) / 1e4;
  return {
    treatmentRate: round(pt),
    controlRate: round(pc),
    upliftPoints: round(diff * 100),
    relativeUplift: pc > 0 ? round(pt / pc - 1) : null,
    ci95Points: [round((diff - Z95 * seUnpooled) * 100), round((diff + Z95 * seUnpooled) * 100)],
    standardErrorPoints: round(seUnpooled * 100),
    z: round(z),
    pValue: treatment.n && control.n ? 1 - normalCdf(z) : 1,
  };
}

const Z95_ONE_SIDED = 1.6448536269514722;

/**
 * Roll-out rule: the uplift exceeds `minUpliftPoints` at 95% confidence (one-sided test of
 * H0: uplift <= min, unpooled standard error), with enough customers in both groups for the
 * normal approximation. The reason says why, either way.
 */
export function rolloutVerdict(
  treatment: GroupOutcome,
  control: GroupOutcome,
  minUpliftPoints: number,
  minGroupSize = 30,
): { rollOut: boolean; reason: string; result: UpliftResult } {
  const result = compareProportions(treatment, control);
  if (treatment.n < minGroupSize || control.n < minGroupSize) {
    return {
      rollOut: false,
      result,
      reason: `too few customers to judge (treatment ${treatment.n}, control ${control.n}; need ${minGroupSize} each)`,
    };
  }
  const se = result.standardErrorPoints;
  const z =
    se > 0
      ? (result.upliftPoints - minUpliftPoints) / se
      : result.upliftPoints > minUpliftPoints
        ? Infinity
        : -Infinity;
  const ci = `95% CI ${result.ci95Points[0]}..${result.ci95Points[1]} pp`;
  return z >= Z95_ONE_SIDED
    ? {
        rollOut: true,
        result,
        reason: `uplift ${result.upliftPoints} pp exceeds ${minUpliftPoints} pp at 95% confidence (${ci})`,
      }
    : {
        rollOut: false,
        result,
        reason: `uplift ${result.upliftPoints} pp does not exceed ${minUpliftPoints} pp at 95% confidence (${ci})`,
      };
}
