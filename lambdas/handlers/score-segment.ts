import * as z from 'zod';
import { scoreRunSegment, type SegmentStatus } from '#app/scoring.ts';
import { InvalidInputError } from '#domain/errors.ts';
import { logger } from '#edge/logger.ts';
import { scoringEnv } from '#composition/scoring-env.ts';
import { flushingMeter } from '#composition/container-meter.ts';
import { scoringAdaptersFor } from '#composition/scoring.ts';

/** A score-base Map item: one parallel-scan segment of one tenant's table, in one run (the execution's name). */
export const SegmentWork = z
  .strictObject({
    tenant: z.string().min(1),
    run: z.string().min(1).max(80),
    segment: z.number().int().min(0),
    totalSegments: z.number().int().min(1).max(1000000),
  })
  .refine((w) => w.segment < w.totalSegments, { message: 'segment must be below totalSegments', path: ['segment'] });

let run: ((work: z.infer<typeof SegmentWork>) => Promise<SegmentStatus>) | undefined;

/** score-base task: scores one segment, writes moved scores, keeps its outcome under the run, returns its counts. */
export const handler = flushingMeter(async (event: unknown): Promise<SegmentStatus> => {
  const work = SegmentWork.safeParse(event);
  if (!work.success)
    throw new InvalidInputError(
      `score-segment: ${work.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  run ??= scoreRunSegment(await scoringAdaptersFor(scoringEnv(), { batch: true }));
  const status = await run(work.data);
  logger.info('segment scored', { tenant: work.data.tenant, run: work.data.run, ...status });
  return status;
});
