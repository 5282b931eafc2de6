import * as z from 'zod';
import { DEFAULT_CONTACT_LIMITS } from '../../lambdas/domain/contact-policy.ts';
import { DEFAULT_MIN_OCCURRED_AT } from '../../lambdas/domain/event-time.ts';
import { DEFAULT_AUDIENCE_DAYS, MIN_AUDIENCE_DAYS } from '../../lambdas/domain/campaign/retention.ts';
import { DEFAULT_STAGE, DEFAULT_STAGES, Stage, StageName, StageSettings } from './stage.ts';
import { EMPTY_STARTER, Starter } from '../../lambdas/http/schemas/starter.ts';
import { treatmentProblems } from '../../lambdas/domain/delivery/message-content.ts';
import { DeliveryConfig } from './delivery-config.ts';

export const CHANNELS = ['ussd', 'app', 'call-centre', 'sms', 'push', 'email', 'retail'] as const;
export const Channel = z.enum(CHANNELS);
export type Channel = z.infer<typeof Channel>;

const id = z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, 'lower-case letters, digits and dashes, starting with a letter');
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, 24-hour clock');
const email = z.string().regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'an e-mail address');

const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

/**
 * Tenants one market's stack can hold: CloudFormation takes 500 resources per stack, and each
 * tenant brings its own (tables, key, event and outbound queues with their DLQ, alarms, event
 * source mappings, usage plan, schedule): 24 each on a base of 203, measured 496 at 12 tenants
 * (5 of them IAM policies CDK splits off as the roles' policies grow).
 * Their AWS Budgets (`monthlyBudgetUsd`, one more resource each: 508) live in a nested stack that
 * is one resource here (497; 498 with the score-drift alarm, one per market), so budgets do not lower this limit (docs/capacity.md).
 * infra-tests/tenant-limit.test.ts synthesizes a market at this count, every tenant with a budget,
 * and keeps it under 500; more tenants need a second market (another stack).
 */
export const MAX_TENANTS_PER_MARKET = 12;

export const TenantConfig = z.strictObject({
  id,
  displayName: z.string().min(1),
  costCenter: z.string().min(1),
  ownerEmail: email,
  /** API Gateway usage plan for this tenant: steady rate, burst and monthly quota. */
  throttle: z
    .strictObject({
      rateLimit: z.number().positive(),
      burstLimit: z.number().int().positive(),
      monthlyQuota: z.number().int().positive(),
    })
    .default({ rateLimit: 500, burstLimit: 1000, monthlyQuota: 100_000_000 }),
  /**
   * The tenant's monthly AWS budget in USD (optional). Becomes an AWS Budget on its billing unit
   * (`cvm:billing-unit=<market>/<stage>/<tenant>`, lib/constructs/budgets.ts) that alerts the
   * market's alarm topic at 80% and 100% of actual and forecast spend; AWS Budgets sees only the
   * tenant's own tagged resources, and the cost report compares its whole cost (own, share of
   * the shared cost, sending) with the same figure.
   */
  monthlyBudgetUsd: z.number().positive().max(10_000_000).optional(),
});
export type TenantConfig = z.infer<typeof TenantConfig>;

export const ModelPin = z.strictObject({ version: z.string().min(1) });

const ContactWindow = z.strictObject({
  max: z.number().int().min(0).max(10_000),
  days: z.number().int().min(1).max(365),
});

export const DecisioningConfig = z.strictObject({
  /** Sticky global control group and champion/challenger split (percent). */
  experiments: z
    .strictObject({
      id: z
        .string()
        .regex(/^(?!\.+$)[A-Za-z0-9._:-]{1,64}$/)
        .default('global-1'),
      controlPercent: z.number().min(0).max(100).default(5),
      challengerPercent: z.number().min(0).max(100).default(20),
    })
    .default({ id: 'global-1', controlPercent: 5, challengerPercent: 20 }),
  contactPolicy: z
    .strictObject({
      /** Always-outbound channels (quiet hours apply); call-centre is outbound when the request says so. */
      outboundChannels: z.array(Channel).default([...DEFAULT_CONTACT_LIMITS.outboundChannels]),
      perChannel: z.partialRecord(Channel, ContactWindow).default(DEFAULT_CONTACT_LIMITS.perChannel),
      overall: ContactWindow.default(DEFAULT_CONTACT_LIMITS.overall),
      household: ContactWindow.default(DEFAULT_CONTACT_LIMITS.household),
      declineSuppressionDays: z.number().int().min(0).max(365).default(DEFAULT_CONTACT_LIMITS.declineSuppressionDays),
      mandatoryExempt: z.boolean().default(DEFAULT_CONTACT_LIMITS.mandatoryExempt),
    })
    // the platform's defaults live once, in the domain (the processor and decisions use them too)
    .default({ ...DEFAULT_CONTACT_LIMITS, outboundChannels: [...DEFAULT_CONTACT_LIMITS.outboundChannels] }),
  /** Pseudo-trials of the model/starting prior in the learned propensity. */
  priorStrength: z.number().min(1).max(10_000).default(20),
  /** Repeated dropped calls that open a service problem; churn score that counts as high. */
  droppedCallsProblem: z.number().int().min(1).max(100).default(3),
  highChurn: z.number().min(0).max(1).default(0.5),
  /** In-container cache of the catalog and learned rates on the decision path. */
  cacheSeconds: z.number().int().min(0).max(3600).default(30),
  /** Shards of each per-action daily volume counter. */
  volumeShards: z.number().int().min(1).max(100).default(8),
});
export type DecisioningConfig = z.infer<typeof DecisioningConfig>;

export const ModelsConfig = z.strictObject({
  /**
   * The score-drift alarm fires when a pinned model's nightly population stability index (its
   * scores against its training histogram) exceeds this. The usual reading: below 0.1 the
   * population is stable, 0.1 to 0.25 it moved (watch), above 0.25 it moved enough that the
   * model's scores no longer mean what they meant in training (retrain or roll back).
   */
  psiAlarmThreshold: z.number().gt(0).max(10).default(0.25),
  /**
   * Features of each model whose nightly PSI is measured and emitted (`FeaturePsi`): the model's
   * first N by total gain over its trees. Each costs one metric series per model (docs/models.md).
   */
  psiTopFeatures: z.number().int().min(0).max(20).default(5),
  nps: z
    .strictObject({
      /**
       * Collected `survey.nps` answers (in the analyst export) the NPS model needs before it
       * trains on them; with fewer it trains on the SYNTHETIC set and says so in its model card.
       */
      minSurveys: z.number().int().min(1).default(500),
    })
    .default({ minSurveys: 500 }),
  /**
   * The optional retraining workflow in AWS (lib/constructs/model-training.ts): a Step Functions
   * state machine that trains each head of a pinned model with the built-in SageMaker XGBoost
   * image and the hyperparameters its pinned version was trained with. Off by default: it is a
   * nested stack of its own, one resource in the market's stack (docs/models.md).
   */
  awsTraining: z
    .strictObject({
      enabled: z.boolean().default(false),
      /** The training instance, e.g. ml.m5.large (a few minutes for the shipped datasets). */
      instanceType: z
        .string()
        .regex(/^ml\.[a-z0-9-]+\.[a-z0-9]+$/, 'a SageMaker instance type such as ml.m5.large')
        .default('ml.m5.large'),
      /** The training instance's storage volume. */
      volumeSizeGb: z.number().int().min(1).max(512).default(10),
      /** A head's job is stopped after this long. */
      maxRuntimeMinutes: z
        .number()
        .int()
        .min(5)
        .max(28 * 24 * 60)
        .default(60),
    })
    .default({ enabled: false, instanceType: 'ml.m5.large', volumeSizeGb: 10, maxRuntimeMinutes: 60 }),
});
export type ModelsConfig = z.infer<typeof ModelsConfig>;

/**
 * The shortest decision log the platform works with: the month-to-date `decisions` and
 * `programme` reports read the month's decisions and their responses from the log's byDay index
 * (lambdas/domain/reports/build.ts reportDays: back to the day before the local month's first),
 * so a decision must still be there on the month's last day, 31 days on, plus that day.
 */
export const MIN_DECISION_LOG_DAYS = 32;

/**
 * What the platform records and keeps for each decision, where each choice is a line of the cost
 * per decision (docs/capacity.md, "Cost per decision": each option's price and trade).
 */
export const ObservabilityConfig = z.strictObject({
  /**
   * The API functions write their usage meters (Decision, Score, Event, a started campaign's
   * WorkflowExecution, consumed capacity) as one metrics line per container at most this often,
   * and on SIGTERM; 0 writes one line per invocation. A container reaped without SIGTERM (no
   * Lambda extension) or crashing loses what it metered since its last line, and what it holds is
   * written at its next invocation after the interval, so a container that goes quiet writes it
   * late. API requests per tenant come from the usage plans, and sends and campaign contacts are
   * metered by other functions, one line each: none of those is affected.
   */
  meterFlushSeconds: z.number().int().min(0).max(60).default(10),
  /**
   * X-Ray active tracing on the decisions function: its segments (initialization, invocation) in
   * the traces API Gateway samples. Off, a sampled decision's trace keeps API Gateway's segment
   * only, and costs the same: X-Ray bills the trace, which the stage's sampling records anyway.
   */
  decisionTracing: z.boolean().default(true),
});
export type ObservabilityConfig = z.infer<typeof ObservabilityConfig>;

export const MarketConfig = z
  .strictObject({
    code: id,
    /** The stages this market may be deployed as, with what each keeps on destroy. */
    stages: z.record(StageName, StageSettings).default(DEFAULT_STAGES),
    /** The stage being built: chosen with `-c stage=<name>` from `stages` (loadMarket resolves it). */
    stage: Stage.default({ name: DEFAULT_STAGE, ...DEFAULT_STAGES[DEFAULT_STAGE]! }),
    aws: z.strictObject({
      account: z
        .string()
        .regex(/^\d{12}$/, 'a 12-digit AWS account id')
        .optional(),
      region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as af-south-1'),
    }),
    currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as ZAR'),
    /**
     * ISO 3166-1 alpha-2 code of the market's country: SMS sent through AWS are priced per segment
     * at the destination number's country's price (lambdas/domain/cost/sending-prices.ts), and at
     * this one's, flagged, where that is unknown or unpriced, in the campaign preview and the cost
     * report; a campaign's maxCostUsd counts this one's.
     */
    country: z
      .string()
      .regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code such as ZA')
      .optional(),
    timezone: z.string().refine(isTimeZone, 'an IANA time zone such as Africa/Johannesburg'),
    quietHours: z.strictObject({ start: hhmm, end: hhmm }),
    defaultLanguage: z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'a language tag such as en or en-ZA'),
    languages: z.array(z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/)).min(1),
    channels: z.array(Channel).min(1),
    tenants: z
      .array(TenantConfig)
      .min(1)
      .max(MAX_TENANTS_PER_MARKET, `at most ${MAX_TENANTS_PER_MARKET} tenants fit one market's stack (500 resources)`)
      .refine((ts) => new Set(ts.map((t) => t.id)).size === ts.length, 'tenant ids must be unique'),
    sharedCostCenter: z.string().min(1),
    retention: z.strictObject({
      eventsDays: z.number().int().min(1).max(3650),
      /**
       * How long `GET /v1/decisions/{id}` and `POST .../responses` find a decision (the log items'
       * TTL). Storage and point-in-time recovery of the log grow with it. A campaign whose
       * `responseWindow` is longer is refused (400): responses through its decisions after they
       * expire would not count.
       */
      decisionLogDays: z
        .number()
        .int()
        .min(
          MIN_DECISION_LOG_DAYS,
          `at least ${MIN_DECISION_LOG_DAYS}: the month-to-date reports read the month's decisions from the log`,
        )
        .max(3650),
      /** Point-in-time recovery of the decision log tables (35 days of restore points). */
      decisionLogPitr: z.boolean().default(true),
      logsDays: z.number().int().min(1).max(3650).default(30),
      /**
       * How long an uploaded audience (`POST /v1/audiences`) is kept: its record and every stored
       * customer id expire this long after it was created (the tenant table's TTL), campaigns
       * refuse it after that, and erasure and subject access read only the audiences still held.
       */
      audienceDays: z
        .number()
        .int()
        .min(
          MIN_AUDIENCE_DAYS,
          `at least ${MIN_AUDIENCE_DAYS}: a list uploaded today must outlive a campaign scheduled a week ahead`,
        )
        .max(3650)
        .default(DEFAULT_AUDIENCE_DAYS),
    }),
    scoring: z.strictObject({
      mode: z.enum(['embedded', 'sagemaker']),
      endpoint: z
        .strictObject({
          kind: z.enum(['serverless', 'real-time']),
          memoryMb: z.number().int().min(1024).max(6144).default(2048),
          maxConcurrency: z.number().int().min(1).max(200).default(5),
          instanceType: z.string().default('ml.m5.large'),
          instanceCount: z.number().int().min(1).default(1),
          latencyBudgetMs: z.number().int().min(10).max(5000).default(150),
        })
        .default({
          kind: 'serverless',
          memoryMb: 2048,
          maxConcurrency: 5,
          instanceType: 'ml.m5.large',
          instanceCount: 1,
          latencyBudgetMs: 150,
        }),
      models: z.record(z.string(), ModelPin).default({}),
      /** Nightly scoring writes a score only when it moved by more than this (NPS: on a tenth of 0-10). */
      writeDelta: z.number().min(0).max(1).default(0.01),
      /** Parallel-scan segments of the nightly score-base run (one Map item each). */
      totalSegments: z.number().int().min(1).max(1000).default(16),
      /** Nightly score-base start, local time in the market's timezone. */
      scheduleAt: hhmm.default('02:00'),
    }),
    /** Model lifecycle: drift watch of the pinned models, and what training may learn from. */
    models: ModelsConfig.default(ModelsConfig.parse({})),
    /** Value tier thresholds: monthly spend in the market currency. */
    valueTiers: z
      .strictObject({
        platinum: z.number().nonnegative(),
        gold: z.number().nonnegative(),
        silver: z.number().nonnegative(),
      })
      .refine((t) => t.platinum > t.gold && t.gold > t.silver, 'thresholds must fall: platinum > gold > silver')
      .default({ platinum: 100, gold: 70, silver: 40 }),
    /** The public dataset schema this market's imports, training and scoring CLI read. */
    dataset: z.enum(['ibm-telco', 'iranian']).default('ibm-telco'),
    dedupeWindowHours: z.number().int().min(24).default(48),
    /** What `POST /v1/events` takes: events dated before `minOccurredAt` are rejected one by one. */
    events: z
      .strictObject({ minOccurredAt: z.iso.datetime({ offset: true }).default(DEFAULT_MIN_OCCURRED_AT) })
      .default({ minOccurredAt: DEFAULT_MIN_OCCURRED_AT }),
    /**
     * X-Ray sampling of API requests, after the first request each second (the rule's reservoir).
     * 1% of a million decisions a day is still ten thousand traces; raise it while investigating.
     */
    tracingSampleRate: z.number().min(0).max(1).default(0.01),
    /** Metrics lines and decision traces: what each costs per decision and what it trades (docs/capacity.md). */
    observability: ObservabilityConfig.default(ObservabilityConfig.parse({})),
    alarmTopicEmail: email.optional(),
    /** Alarm thresholds of the market's on-call (the alarms go to the alarm topic above). */
    alerting: z
      .strictObject({
        /** Percent of API requests answered 5xx, over two 5-minute periods in a row. */
        serverErrorRatePercent: z.number().gt(0).max(100).default(1),
        /** API p99 latency in ms, over three 5-minute periods in a row. */
        p99LatencyMs: z.number().int().min(10).max(29_000).default(1000),
        /** sagemaker mode: percent of online scorings the in-process evaluator answered instead, over three 5-minute periods in a row. */
        scoringFallbackRatePercent: z.number().gt(0).max(100).default(5),
      })
      .default({ serverErrorRatePercent: 1, p99LatencyMs: 1000, scoringFallbackRatePercent: 5 }),
    waf: z.boolean().default(false),
    /** Service level per value tier, handed to channels with every decision. */
    serviceLevels: z
      .strictObject({
        platinum: z.string().min(1),
        gold: z.string().min(1),
        silver: z.string().min(1),
        bronze: z.string().min(1),
      })
      .default({
        platinum: 'dedicated-desk',
        gold: 'priority-queue',
        silver: 'standard-queue',
        bronze: 'self-service',
      }),
    /** Next-best-action decisioning: contact policy, experiments, learning (issue 6). */
    decisioning: DecisioningConfig.default(DecisioningConfig.parse({})),
    /**
     * The action catalog and triggers every tenant starts with, applied by `cdk deploy` (a custom
     * resource) and by `npm start`, validated as the API validates them (lambdas/http/schemas/starter.ts).
     * The seeder updates only what it wrote and nobody changed since (lambdas/app/seed-market.ts).
     */
    starter: Starter.default(EMPTY_STARTER),
    /** How messages leave: channel capacity per tenant, webhook targets, outbound queue alarms (issue 16). */
    delivery: DeliveryConfig.default(DeliveryConfig.parse({})),
  })
  .superRefine((config, ctx) => {
    const tenants = new Set(config.tenants.map((t) => t.id));
    for (const tenant of Object.keys(config.delivery.tenants))
      if (!tenants.has(tenant))
        ctx.addIssue({ code: 'custom', path: ['delivery', 'tenants', tenant], message: 'not a tenant of this market' });
    for (const language of Object.keys(config.delivery.optOutKeywords))
      if (!config.languages.includes(language))
        ctx.addIssue({
          code: 'custom',
          path: ['delivery', 'optOutKeywords', language],
          message: 'not a language of this market',
        });
    // the starter's texts meet the market's SMS limit as `PUT /v1/actions` would make them
    config.starter.actions.forEach((action, i) => {
      for (const e of treatmentProblems(action.treatments, { maxSmsSegments: config.delivery.maxSmsSegments }))
        ctx.addIssue({ code: 'custom', path: ['starter', 'actions', i, ...e.field.split('.')], message: e.message });
    });
  });
export type MarketConfig = z.infer<typeof MarketConfig>;
export type MarketConfigInput = z.input<typeof MarketConfig>;

export class MarketConfigError extends Error {
  constructor(
    readonly market: string,
    readonly issues: string[],
  ) {
    super(`market '${market}' has an invalid config:\n  ${issues.join('\n  ')}`);
    this.name = 'MarketConfigError';
  }
}

/** Validates a raw market config; the message names the market and each bad field by its path. */
export function parseMarketConfig(market: string, raw: unknown): MarketConfig {
  const result = MarketConfig.safeParse(raw);
  if (!result.success) {
    throw new MarketConfigError(
      market,
      result.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`),
    );
  }
  return result.data;
}

/**
 * The deployment a config describes, `<market>-<stage>`: what every physical name carries after
 * `cvm-` (tables `cvm-<market>-<stage>-<tenant>`, queues, state machines, the API...).
 */
export const deploymentOf = (config: Pick<MarketConfig, 'code' | 'stage'>): string =>
  `${config.code}-${config.stage.name}`;

/** A physical resource name of this deployment: `cvm-<market>-<stage>[-<part>...]`. */
export const physicalName = (config: Pick<MarketConfig, 'code' | 'stage'>, ...parts: string[]): string =>
  ['cvm', deploymentOf(config), ...parts].join('-');
