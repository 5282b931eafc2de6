import { campaignStepInputOf, campaignSteps, type CampaignStepInput } from '#app/campaign-steps.ts';
import { logger } from '#edge/logger.ts';
import { campaignsEnv, campaignStepPortsFor } from '#composition/campaigns.ts';
import { flushingMeter } from '#composition/container-meter.ts';

let run: ((input: CampaignStepInput) => Promise<unknown>) | undefined;

/**
 * The campaign workflow's one task function: dispatches on `step`; errors are named for ASL
 * Retry/Catch. The step's meters (contacts, DynamoDB capacity) are written when it ends, also on error.
 */
export const handler = flushingMeter(
  async (event: unknown, context?: { invokedFunctionArn?: string }): Promise<unknown> => {
    const input = campaignStepInputOf(event);
    // the next run's schedule invokes this function: its own ARN cannot be in its environment (a cycle)
    run ??= campaignSteps(
      await campaignStepPortsFor(
        campaignsEnv({
          ...process.env,
          CAMPAIGN_RUN_TARGET_ARN: process.env['CAMPAIGN_RUN_TARGET_ARN'] ?? context?.invokedFunctionArn,
        }),
      ),
    );
    const result = await run(input);
    logger.info('campaign step', { step: input.step, tenant: input.tenant, campaignId: input.campaignId });
    return result;
  },
);
