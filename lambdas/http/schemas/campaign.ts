import { CHANNELS } from '#domain/customer.ts';
import { durationSeconds } from '#domain/campaign/campaign.ts';
import { Id, ListOf, PageQuery, RuleSchema, z } from './common.ts';

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
export const CampaignListQuery = PageQuery;

export const CampaignStarted = z.object({ campaignId: z.string(), status: z.string() }).openapi('CampaignStarted');
/** A 95% confidence interval: [low, high]. */
const Interval = z.array(z.number()).length(2);
const GroupStats = z
  .object({
    audience: z.number().int(),
    contacted: z.number().int(),
    suppressed: z
      .record(z.string(), z.number().int())
      .openapi({ description: 'Treatment members not contacted, by reason' }),
    failed: z.number().int(),
    responded: z.number().int(),
    responseRate: z.number(),
    churned: z.number().int(),
    churnRate: z.number(),
    revenue: z.number(),
    revenuePerCustomer: z.number(),
  })
  .openapi('CampaignGroupStats');
const ProportionUplift = z.object({
  treatmentRate: z.number(),
  controlRate: z.number(),
  upliftPoints: z.number().openapi({ description: 'Absolute uplift in percentage points' }),
  relativeUplift: z.number().nullable(),
  ci95Points: Interval,
  standardErrorPoints: z.number(),
  z: z.number(),
  pValue: z.number().openapi({ description: 'One-sided: treatment better than control' }),
});
const RevenueUplift = z.object({ upliftPerCustomer: z.number(), ci95: Interval });
const PhaseReport = z
  .object({
    control: GroupStats,
    treatment: GroupStats,
    uplift: z.union([ProportionUplift, RevenueUplift]).nullable().openapi({
      description:
        "On the goal's metric: take-up the response rate, churn the retention rate, revenue the revenue per customer",
    }),
    incrementalResponses: z.number(),
    incrementalRevenue: z.number(),
    costPerIncrementalResponse: z.number().nullable(),
  })
  .openapi('CampaignPhaseReport');
/** A campaign's measurement (lambdas/domain/campaign/report.ts), intention to treat. */
export const CampaignReportSchema = z
  .object({
    goal: z.enum(['take-up', 'churn', 'revenue']),
    phases: z.object({ pilot: PhaseReport.optional(), rollout: PhaseReport.optional() }),
    total: PhaseReport,
  })
  .openapi('CampaignReport');

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
    report: CampaignReportSchema.optional(),
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
      usd: z.number().openapi({ description: 'Platform and sending together, USD' }),
      platformUsd: z.number().openapi({ description: "The platform's own AWS cost (DynamoDB, Lambda, SQS)" }),
      perTreatmentMemberUsd: z.number(),
      perControlMemberUsd: z.number(),
      sending: z
        .object({
          channel: z.string(),
          connectionType: z.enum(['queue', 'webhook', 'sms', 'email', 'push']),
          messages: z.number().openapi({ description: 'Treatment members the contact policy allows now' }),
          units: z.number().openapi({
            description:
              "What AWS bills: SMS segments (each member's treatment text measured), e-mails or pushes; 0 when the operator's gateway sends",
          }),
          unitUsd: z.number().optional(),
          usd: z.number(),
          country: z.string().optional().openapi({ description: "The market's country, whose SMS price applies" }),
          note: z.string(),
        })
        .optional()
        .openapi({ description: "What AWS charges to send the messages on the tenant's connection of the channel" }),
      note: z.string(),
    }),
  })
  .openapi('CampaignPreview');
