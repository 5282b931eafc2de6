import * as z from 'zod';
import { CAMPAIGN_PHASES } from '#domain/campaign/assignment.ts';
import { CAMPAIGN_STATUSES } from '#domain/campaign/campaign.ts';
import { CampaignStepError } from './context.ts';

const campaign = { tenant: z.string().min(1), campaignId: z.string().min(1) };
const phase = z.enum(CAMPAIGN_PHASES);
const index = z.number().int().min(0);
const total = z.number().int().min(1);

/**
 * What one audience segment's selection gave the Map: its counts, or, when the segment failed
 * (the ASL's Catch), only `segment` and `error`.
 */
const SegmentOutcome = z.object({
  segment: index,
  audience: z.number().optional(),
  control: z.number().optional(),
  treatment: z.number().optional(),
  pilot: z.number().optional(),
  error: z.unknown().optional(),
});

/** One task of the campaign workflow: the state machine passes `step` and what the step needs. */
export const CampaignStepInputSchema = z.discriminatedUnion('step', [
  z.object({ step: z.literal('prepare'), ...campaign }),
  z.object({ step: z.literal('select'), ...campaign, segment: index, totalSegments: total }),
  z.object({ step: z.literal('selected'), ...campaign, results: z.array(SegmentOutcome) }),
  z.object({ step: z.literal('gate'), ...campaign, phase }),
  z.object({ step: z.literal('contact'), ...campaign, phase, shard: index, totalShards: total }),
  z.object({ step: z.literal('measure'), ...campaign, phase, totalShards: total }),
  z.object({
    step: z.literal('finalize'),
    ...campaign,
    status: z.enum(CAMPAIGN_STATUSES),
    reason: z.string().optional(),
    // the ASL's Catch: Step Functions' {Error, Cause}
    error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
  }),
  /** Not a state of the workflow: EventBridge Scheduler starts a scheduled campaign's run due `at` with it. */
  z.object({ step: z.literal('start-run'), ...campaign, at: z.string().min(1) }),
]);
export type CampaignStepInput = z.output<typeof CampaignStepInputSchema>;

export type CampaignStepName = CampaignStepInput['step'];
export type StepInput<S extends CampaignStepName> = Extract<CampaignStepInput, { step: S }>;

/**
 * The workflow's (or the scheduler's) input as a step takes it. Anything else is a
 * `CampaignStepError` naming the fields, which the ASL's Catch ends the campaign with (retrying
 * the same input cannot help).
 */
export function campaignStepInputOf(event: unknown): CampaignStepInput {
  const parsed = CampaignStepInputSchema.safeParse(event);
  if (parsed.success) return parsed.data;
  const fields = parsed.error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`);
  throw new CampaignStepError(`campaign-step: the input is not valid (${fields.join('; ')})`);
}

/** What one audience segment's selection found (the Map item's output). */
export interface SelectResult {
  segment: number;
  audience: number;
  control: number;
  treatment: number;
  pilot: number;
  error?: unknown;
}

/** What one member shard's contact did (the Map item's output). */
export interface ContactResult {
  shard: number;
  contacted: number;
  suppressed: number;
  failed: number;
  control: number;
}
