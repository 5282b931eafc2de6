import { startCampaignRun, type RunStart } from '../campaign-runs.ts';
import { CampaignStepError, type StepContext } from './context.ts';
import type { StepInput } from './step-input.ts';

/** A scheduled campaign's run is due: the scheduler's target in AWS is this function, not the workflow. */
export async function startRun(
  ctx: StepContext,
  { tenant, campaignId, at }: StepInput<'start-run'>,
): Promise<RunStart> {
  const runs = ctx.ports.runs;
  if (!runs) throw new CampaignStepError('start-run: this function has no scheduler settings');
  const due = new Date(at);
  if (Number.isNaN(due.getTime())) throw new CampaignStepError('start-run: `at` is not an instant');
  return startCampaignRun(runs)(tenant, campaignId, due);
}
