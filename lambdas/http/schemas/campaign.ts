import { CHANNELS } from '#domain/customer.ts';
import { durationSeconds } from '#domain/campaign/campaign.ts';
import { Id, ListOf, RuleSchema, z } from './common.ts';

const Rule = RuleSchema('JSON Logic over {profile, state, scores, context}, or a boolean');

export const CampaignBody = z
  .strictObject({
    name: z.string().min(1).max(128),
    goal: z.enum(['take-up', 'churn', 'revenue']),
    audience: z.union([z.strictObject({ rule: Rule }), z.strictObject({ customerIds: z.array(Id).min(1).max(5000) })]),
    actionIds: z.array(Id).min(1).max(20),
    channel: z.enum(CHANNELS),
    controlGroupPercent: z.number().min(0).max(100),
    pilot: z.strictObject({
      percent: z.number().min(0).max(100),
      minUplift: z.number().min(0).max(100).openapi({ description: 'absolute percentage points' }),
    }),
    responseWindow: z
      .string()
      .refine(
        (d) => durationSeconds(d) !== undefined,
        'an ISO 8601 duration such as P7D or PT12H (no months or years)',
      ),
    schedule: z.string().max(64).optional(),
    budget: z.number().min(0).optional(),
  })
  .openapi('CampaignRequest');

export const CampaignParams = z.strictObject({ campaignId: Id });
export const CampaignListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).optional(),
  nextToken: z.string().max(2048).optional(),
});

export const CampaignStarted = z.object({ campaignId: z.string(), status: z.string() }).openapi('CampaignStarted');
export const CampaignView = z
  .object({
    campaignId: z.string(),
    name: z.string(),
    status: z.enum(['running', 'paused', 'succeeded', 'stopped', 'failed', 'cancelled']),
    phase: z.string(),
    goal: z.string(),
    channel: z.string(),
    actionIds: z.array(z.string()),
    counts: z.record(z.string(), z.number()).optional(),
    phases: z.record(z.string(), z.unknown()).optional(),
    reason: z.string().optional(),
    report: z.unknown().optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Campaign');
export const CampaignList = ListOf(
  z.object({ campaignId: z.string(), name: z.string(), status: z.string(), phase: z.string(), createdAt: z.string() }),
).openapi('CampaignList');
export const CampaignPreview = z
  .object({
    audience: z.number(),
    control: z.number(),
    treatment: z.number(),
    pilot: z.object({ control: z.number(), treatment: z.number() }),
    suppressedByPolicy: z.record(z.string(), z.number()),
    estimatedCost: z.object({
      usd: z.number(),
      perTreatmentMemberUsd: z.number(),
      perControlMemberUsd: z.number(),
      note: z.string(),
    }),
  })
  .openapi('CampaignPreview');
