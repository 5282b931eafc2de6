import { CHANNELS } from '#domain/customer.ts';
import { durationSeconds } from '#domain/campaign/campaign.ts';
import * as z from 'zod';
import { Id } from '#edge/ids.ts';
import { ListOf, PageQuery } from './common.ts';
import { RuleSchema } from './rules.ts';

const Rule = RuleSchema('JSON Logic over {profile, state, scores, context, signals}, or a boolean');
const MinUplift = z.number().min(0).max(100).meta({ description: 'absolute percentage points' });
const Budget = z
  .strictObject({
    maxContacts: z.number().int().min(1).max(100_000_000).optional(),
    maxCostUsd: z.number().positive().max(10_000_000).optional(),
  })
  .refine((b) => b.maxContacts !== undefined || b.maxCostUsd !== undefined, 'maxContacts, maxCostUsd or both')
  .meta({
    id: 'CampaignBudget',
    description:
      "Per run: contacting stops when either limit is reached (held atomically across shards, never passed) and the campaign ends `stopped` with the reason `budget.maxContacts` or `budget.maxCostUsd`. A contact's cost is the preview's per-member figure: the platform's cost of a treatment member plus the sending price of the chosen treatment's text as written (SMS segments at the market country's price, one e-mail or push; nothing through the operator's own gateway). USD.",
  });

const Instant = z.iso.datetime({ offset: true });
const Schedule = z
  .strictObject({
    startAt: Instant.meta({ description: 'The first run, an ISO 8601 instant with its offset; not in the past' }),
    repeat: z.enum(['none', 'daily', 'weekly']).meta({
      description:
        "`daily` and `weekly` repeat at the first run's local time in the market's time zone (kept across daylight-saving changes)",
    }),
    until: Instant.optional().meta({ description: 'No run starts after this instant' }),
  })
  .meta({
    id: 'CampaignSchedule',
    description:
      'Start later, and optionally repeat. The campaign is `scheduled` until a run starts; each run re-selects the audience into its own members (no customer is contacted twice in one run), has its own budget and its own report (`runs`), and a repeating campaign returns to `scheduled` between runs. A run waits its response window twice (pilot, roll-out), so a daily repeat allows a `responseWindow` of at most 11.5 hours and a weekly one 83.5 hours. A run due while the previous one is still running or paused is skipped. Cancel stops future runs.',
  });

export const CampaignBody = z
  .strictObject({
    name: z.string().min(1).max(128),
    goal: z.enum(['take-up', 'churn', 'revenue']),
    audience: z
      .union([
        z.strictObject({ rule: Rule }),
        z.strictObject({ customerIds: z.array(Id).min(1).max(5000) }),
        z.strictObject({
          audienceId: Id.meta({
            description:
              'An uploaded audience of any size (POST /v1/audiences), ready and not expired (its `retainedUntil`); read in parallel segments when each run starts. Refused (400) when it has expired, when a schedule starts after it expires, or when a repeating schedule has no `until` before it; a scheduled run that starts after it anyway fails with the reason.',
          }),
        }),
      ])
      .meta({
        description:
          'A `rule` over the whole base, an inline list of at most 5,000 `customerIds`, or an uploaded `audienceId`',
      }),
    actionIds: z.array(Id).min(1).max(20),
    channel: z.enum(CHANNELS),
    controlGroupPercent: z.number().min(0).max(100),
    pilot: z
      .union([
        z.strictObject({ percent: z.number().min(0).max(100), minUplift: MinUplift }),
        z.strictObject({
          where: RuleSchema(
            'The pilot: audience members this rule over {profile, state, scores, context, signals} holds for (a region, a store cluster)',
          ),
          minUplift: MinUplift,
        }),
      ])
      .meta({
        description:
          'A random `percent` of the audience, or the members a `where` rule selects; the rest of the audience is the roll-out, contacted only when the pilot clears `minUplift`',
      }),
    responseWindow: z
      .string()
      .refine((d) => durationSeconds(d) !== undefined, 'an ISO 8601 duration such as P7D or PT12H (no months or years)')
      .meta({
        description:
          "How long after its phase's contacts a response counts. At most the market's `retention.decisionLogDays` (a contact answered through its decision, `POST /v1/decisions/{decisionId}/responses`, after the decision expired would not count) and 180 days (how long a customer's acceptances are kept); longer is refused (400).",
      }),
    schedule: Schedule.optional(),
    budget: Budget.optional(),
  })
  .meta({ id: 'CampaignRequest' });

export const CampaignParams = z.strictObject({ campaignId: Id });
export const CampaignListQuery = PageQuery;

export const CampaignStarted = z.object({ campaignId: z.string(), status: z.string() }).meta({ id: 'CampaignStarted' });
/** A 95% confidence interval: [low, high]. */
const Interval = z.array(z.number()).length(2);
const GroupStats = z
  .object({
    audience: z.number().int(),
    contacted: z.number().int(),
    suppressed: z
      .record(z.string(), z.number().int())
      .meta({ description: 'Treatment members not contacted, by reason' }),
    failed: z.number().int(),
    responded: z.number().int(),
    responseRate: z.number(),
    churned: z.number().int(),
    churnRate: z.number(),
    revenue: z.number(),
    revenuePerCustomer: z.number(),
  })
  .meta({ id: 'CampaignGroupStats' });
const ProportionUplift = z.object({
  treatmentRate: z.number(),
  controlRate: z.number(),
  upliftPoints: z.number().meta({ description: 'Absolute uplift in percentage points' }),
  relativeUplift: z.number().nullable(),
  ci95Points: Interval,
  standardErrorPoints: z.number(),
  z: z.number(),
  pValue: z.number().meta({ description: 'One-sided: treatment better than control' }),
});
const RevenueUplift = z.object({ upliftPerCustomer: z.number(), ci95: Interval });
const GoalUplift = z.union([ProportionUplift, RevenueUplift]).nullable();
const VariantStats = GroupStats.extend({
  actionId: z.string(),
  variantId: z.string(),
  uplift: GoalUplift.meta({ description: "Against the whole control group, on the goal's metric" }),
  vsOtherVariants: GoalUplift.meta({
    description: "Against the action's other variants together (for two variants, A against B), on the goal's metric",
  }),
}).meta({
  id: 'CampaignVariantStats',
  description:
    'The members sent one message variant: a variant is given at the decision, so these count contacted members only (not intention to treat)',
});
const PhaseReport = z
  .object({
    control: GroupStats,
    treatment: GroupStats,
    uplift: z.union([ProportionUplift, RevenueUplift]).nullable().meta({
      description:
        "On the goal's metric: take-up the response rate, churn the retention rate, revenue the revenue per customer",
    }),
    incrementalResponses: z.number(),
    incrementalRevenue: z.number(),
    costPerIncrementalResponse: z.number().nullable(),
    variants: z
      .array(VariantStats)
      .optional()
      .meta({ description: "Per message variant, when the campaign's treatments list variants" }),
  })
  .meta({ id: 'CampaignPhaseReport' });
/** A campaign's measurement (lambdas/domain/campaign/report.ts), intention to treat. */
export const CampaignReportSchema = z
  .object({
    goal: z.enum(['take-up', 'churn', 'revenue']),
    phases: z.object({ pilot: PhaseReport.optional(), rollout: PhaseReport.optional() }),
    total: PhaseReport,
  })
  .meta({ id: 'CampaignReport' });

export const CampaignView = z
  .object({
    campaignId: z.string(),
    name: z.string(),
    status: z.enum(['scheduled', 'running', 'paused', 'succeeded', 'stopped', 'failed', 'cancelled']).meta({
      description: '`scheduled`: waiting for its (next) run to start',
    }),
    phase: z.string(),
    goal: z.string(),
    channel: z.string(),
    actionIds: z.array(z.string()),
    counts: z.record(z.string(), z.number()).optional(),
    phases: z.record(z.string(), z.unknown()).optional(),
    reason: z.string().optional().meta({
      description: 'Why it ended as it did: the pilot verdict, `budget.maxContacts`, `budget.maxCostUsd` or an error',
    }),
    budget: Budget.optional(),
    spent: z
      .object({ contacts: z.number().int(), costUsd: z.number() })
      .optional()
      .meta({ description: 'What the run counted against its budget (only with a budget)' }),
    report: CampaignReportSchema.optional(),
    schedule: Schedule.optional(),
    nextRunAt: z.string().optional().meta({ description: 'When the next run of a scheduled campaign starts' }),
    runs: z
      .array(
        z.object({
          runId: z.string(),
          startedAt: z.string(),
          status: z.enum(['running', 'paused', 'succeeded', 'stopped', 'failed', 'cancelled']),
          reason: z.string().optional(),
          report: CampaignReportSchema.optional(),
        }),
      )
      .optional()
      .meta({
        description:
          "A scheduled campaign's runs, oldest first (the latest 30), each with its own report; `counts`, `phases`, `spent` and `report` above are the current (or last) run's",
      }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Campaign' });
export const CampaignList = ListOf(
  z.object({ campaignId: z.string(), name: z.string(), status: z.string(), phase: z.string(), createdAt: z.string() }),
).meta({ id: 'CampaignList' });
export const CampaignPreview = z
  .object({
    audience: z.number(),
    control: z.number(),
    treatment: z.number(),
    pilot: z.object({ control: z.number(), treatment: z.number() }),
    suppressedByPolicy: z.record(z.string(), z.number()),
    estimatedCost: z.object({
      usd: z.number().meta({ description: 'Platform and sending together, USD' }),
      platformUsd: z.number().meta({ description: "The platform's own AWS cost (DynamoDB, Lambda, SQS)" }),
      perTreatmentMemberUsd: z.number(),
      perControlMemberUsd: z.number(),
      sending: z
        .object({
          channel: z.string(),
          connectionType: z.enum(['queue', 'webhook', 'sms', 'email', 'push']),
          messages: z.number().meta({ description: 'Treatment members the contact policy allows now' }),
          units: z.number().meta({
            description:
              "What AWS bills: SMS segments (each member's treatment text measured), e-mails or pushes; 0 when the operator's gateway sends",
          }),
          unitUsd: z.number().optional(),
          usd: z.number(),
          country: z.string().optional().meta({
            description:
              "The market's country: its SMS price applies where a member's number has no known or priced country",
          }),
          byDestination: z
            .array(
              z.object({
                country: z.string().optional().meta({
                  description: "ISO 3166-1 country of the members' numbers (E.164 calling code); absent: unknown",
                }),
                pricedAs: z.string().optional().meta({ description: 'The country whose price applies' }),
                units: z.number().meta({ description: 'SMS segments to this destination' }),
                unitUsd: z.number().optional(),
                usd: z.number(),
                fallback: z.string().optional().meta({
                  description: "Why the destination's own price is not the one used (the market's stands in)",
                }),
              }),
            )
            .optional()
            .meta({
              description: "SMS: the segments by the destination country of each member's number, each at its price",
            }),
          note: z.string(),
        })
        .optional()
        .meta({ description: "What AWS charges to send the messages on the tenant's connection of the channel" }),
      note: z.string(),
    }),
  })
  .meta({ id: 'CampaignPreview' });
