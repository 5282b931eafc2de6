import type { CampaignRecord, CampaignStatus } from '#domain/campaign/campaign.ts';
import type { StepContext } from './context.ts';
import type { StepInput } from './step-input.ts';

/**
 * Ends the run: the workflow's outcome, unless the campaign was cancelled or its budget stopped it.
 * A scheduled campaign's run keeps its outcome and report in `runs`, and the campaign waits for its
 * next run (`scheduled`) unless that was its last.
 */
export async function finalize(ctx: StepContext, { tenant, campaignId, status, reason, error }: StepInput<'finalize'>) {
  const c = await ctx.load(tenant, campaignId);
  // a run its budget stopped ends `stopped`, whatever the pilot said, with the limit as its reason
  const byBudget = c.budgetReached && status === 'succeeded' && c.status !== 'cancelled';
  const final: CampaignStatus = c.status === 'cancelled' ? 'cancelled' : byBudget ? 'stopped' : status;
  const why = byBudget
    ? c.budgetReached
    : (reason ?? (error ? `${error.Error ?? 'Error'}: ${(error.Cause ?? '').slice(0, 500)}` : c.reason));
  const waits = c.runId !== undefined && final !== 'cancelled' && c.nextRunAt !== undefined;
  await ctx.ports.campaigns.update(tenant, campaignId, {
    status: waits ? 'scheduled' : final,
    phase: 'done',
    updatedAt: ctx.stamp(),
    ...(why ? { reason: why } : {}),
    ...(c.runId !== undefined ? { runs: runsEnded(c, final, why) } : {}),
  });
  return { campaignId, status: waits ? 'scheduled' : final };
}

/** The campaign's runs with the current one ended as `status`, with its report. */
const runsEnded = (c: CampaignRecord, status: CampaignStatus, reason: string | undefined) =>
  (c.runs ?? []).map((r) =>
    r.runId === c.runId
      ? { ...r, status, ...(c.report ? { report: c.report } : {}), ...(reason ? { reason } : {}) }
      : r,
  );
