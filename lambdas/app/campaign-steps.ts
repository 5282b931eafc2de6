import { audienceCounts } from './campaign/audience-counts.ts';
import { contact } from './campaign/contact.ts';
import { stepContext, transient, type CampaignStepPorts, type StepContext } from './campaign/context.ts';
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
export {
  campaignStepInputOf,
  type CampaignStepInput,
  type ContactResult,
  type SelectResult,
} from './campaign/step-input.ts';

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

/** `step` apart from `input`, so that one `S` ties `steps[step]` to its input (a lookup by `input.step` cannot). */
const runStep = <S extends CampaignStepName>(ctx: StepContext, step: S, input: StepInput<S>) => steps[step](ctx, input);

/**
 * The campaign's workflow tasks, one use case per `step` (one Lambda dispatches on it). The input
 * is typed: an entry point parses what the workflow sends with `campaignStepInputOf` first.
 */
export const campaignSteps = (ports: CampaignStepPorts) => {
  const ctx = stepContext(ports);
  return async (input: CampaignStepInput): Promise<unknown> => transient(async () => runStep(ctx, input.step, input));
};
