import * as z from 'zod';
import { publishDrift, reportScoreRun, type ScoreBaseReport } from '#app/scoring.ts';
import { InvalidInputError } from '#domain/errors.ts';
import { logger } from '#edge/logger.ts';
import { flushingMeter, meter } from '#composition/container-meter.ts';
import { scoreReportInputsFor } from '#composition/score-report.ts';

/** The run to report: its segments' outcomes are in the tenant's table, not in this input (256 KiB limit). */
const Input = z.strictObject({
  tenant: z.string().min(1),
  run: z.string().min(1).max(80),
  totalSegments: z.number().int().min(1).max(1000000),
});

const inputs = scoreReportInputsFor();

/**
 * score-base reduce step: totals and the drift (PSI) of each score and watched feature against its
 * training data, from the outcomes the run's segments kept, emitted as ScorePsi and FeaturePsi
 * (the score-drift alarm reads ScorePsi). It runs once per execution (a scheduler, not our code,
 * starts the workflow), so the execution is metered here as the tenant's `WorkflowExecution`.
 */
export const handler = flushingMeter(async (event: unknown): Promise<ScoreBaseReport> => {
  const input = Input.safeParse(event);
  if (!input.success)
    throw new InvalidInputError(
      `score-report: ${input.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const baseline = await inputs.baseline();
  meter.meter(input.data.tenant, 'WorkflowExecution', 1);
  const report = await reportScoreRun({ runs: inputs.runs() })(input.data, baseline);
  publishDrift(report, inputs.driftMetrics(report.tenant));
  logger.info('score-base report', {
    tenant: report.tenant,
    run: input.data.run,
    scored: report.scored,
    written: report.written,
    skipped: report.skipped,
    failedSegments: report.failedSegments,
    drift: report.drift,
    modelDrift: report.modelDrift,
    featurePsi: Object.fromEntries(Object.entries(report.featureDrift).map(([k, d]) => [k, d.psi])),
  });
  return report;
});
