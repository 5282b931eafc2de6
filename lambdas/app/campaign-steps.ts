import { audienceCounts } from './campaign/audience-counts.ts';
import { contact } from './campaign/contact.ts';
import {
  CampaignStepError,
  stepContext,
  transient,
  type CampaignStepPorts,
  type StepContext,
} from './campaign/context.ts';
import { finalize } from './campaign/finalize.ts';
import { gate } from './campaign/gate.ts';
import { measure } from './campaign/measure.ts';
import { prepare } from './campaign/prepare.ts';
import { selectAudience } from './campaign/select-audience.ts';
import { startRun } from './campaign/start-run.ts';
import type { CampaignStepInput, CampaignStepName, StepInput } from './campaign/step-input.ts';

export {
  CampaignStepError,
  CampaignTransientError,
  type CampaignStepPorts,
  type CampaignStepSettings,
} from './campaign/context.ts';
export type { CampaignStepInput, ContactResult, SelectResult } from './campaign/step-input.ts';

/** The workflow's tasks in the order the state machine runs them, one module each. */
const steps: { [S in CampaignStepName]: (ctx: StepContext, input: StepInput<S>) => Promise<unknown> } = {
  prepare,
  select: selectAudience,
  selected: audienceCounts,
  gate,
  contact,
  measure,
  finalize,
  'start-run': startRun,
};

/** The campaign's workflow tasks, one use case per `step` (one Lambda dispatches on it). */
export const campaignSteps = (ports: CampaignStepPorts) => {
  const ctx = stepContext(ports);
  return async (input: CampaignStepInput): Promise<unknown> =>
    transient(async () => {
      if (!Object.hasOwn(steps, input.step))
        throw new CampaignStepError(`unknown step ${(input as { step?: string }).step}`);
      const run = steps[input.step] as (ctx: StepContext, input: CampaignStepInput) => Promise<unknown>;
      return run(ctx, input);
    });
};
