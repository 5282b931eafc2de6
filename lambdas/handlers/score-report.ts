import * as z from 'zod';
import { publishDrift, reportScoreBase, type ScoreBaseReport, type SegmentOutcome } from '#app/scoring.ts';
import { InvalidInputError } from '#domain/errors.ts';
import { logger } from '#edge/logger.ts';
import { flushingMeter, meter } from '#composition/container-meter.ts';
import { scoreReportInputsFor } from '#composition/score-report.ts';

const Input = z.object({
  tenant: z.string().min(1),
  results: z.array(
    z.union([
      z.object({
        tenant: z.string(),
        segment: z.number(),
        scored: z.number(),
        written: z.number(),
        skipped: z.number(),
        histograms: z.record(z.string(), z.array(z.number())),
      }),
      z.object({ segment: z.number(), error: z.unknown() }),
    ]),
  ),
});

const inputs = scoreReportInputsFor();

/**
 * score-base reduce step: totals and the drift (PSI) of each score and watched feature against its
 * training data, emitted as ScorePsi and FeaturePsi (the score-drift alarm reads ScorePsi).
 * It runs once per execution (a scheduler, not our code, starts the workflow), so the execution
 * is metered here as the tenant's `WorkflowExecution`.
 */
export const handler = flushingMeter(async (event: unknown): Promise<ScoreBaseReport> => {
  const input = Input.safeParse(event);
  if (!input.success)
    throw new InvalidInputError(
      `score-report: ${input.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const baseline = await inputs.baseline();
  meter.meter(input.data.tenant, 'WorkflowExecution', 1);
  const report = reportScoreBase(
    input.data.tenant,
    input.data.results as SegmentOutcome[],
    baseline.training,
    baseline.modelOf,
  );
  publishDrift(report, inputs.driftMetrics(report.tenant));
  logger.info('score-base report', {
    tenant: report.tenant,
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
