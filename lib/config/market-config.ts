import { z } from 'zod';

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

export const TenantConfig = z.strictObject({
  id,
  displayName: z.string().min(1),
  costCenter: z.string().min(1),
  ownerEmail: email,
  /** API Gateway usage plan for this tenant: steady rate, burst and monthly quota. */
  throttle: z.strictObject({
    rateLimit: z.number().positive(),
    burstLimit: z.number().int().positive(),
    monthlyQuota: z.number().int().positive(),
  }).default({ rateLimit: 500, burstLimit: 1000, monthlyQuota: 100_000_000 }),
});
export type TenantConfig = z.infer<typeof TenantConfig>;

export const ModelPin = z.strictObject({ version: z.string().min(1) });

export const MarketConfig = z.strictObject({
  code: id,
  environment: z.enum(['dev', 'test', 'staging', 'prod']),
  aws: z.strictObject({
    account: z.string().regex(/^\d{12}$/, 'a 12-digit AWS account id').optional(),
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as af-south-1'),
  }),
  currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as ZAR'),
  timezone: z.string().refine(isTimeZone, 'an IANA time zone such as Africa/Johannesburg'),
  quietHours: z.strictObject({ start: hhmm, end: hhmm }),
  defaultLanguage: z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'a language tag such as en or en-ZA'),
  languages: z.array(z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/)).min(1),
  channels: z.array(Channel).min(1),
  tenants: z.array(TenantConfig).min(1).refine(
    (ts) => new Set(ts.map((t) => t.id)).size === ts.length,
    'tenant ids must be unique',
  ),
  sharedCostCenter: z.string().min(1),
  retention: z.strictObject({
    eventsDays: z.number().int().min(1).max(3650),
    decisionLogDays: z.number().int().min(1).max(3650),
    logsDays: z.number().int().min(1).max(3650).default(30),
  }),
  scoring: z.strictObject({
    mode: z.enum(['embedded', 'sagemaker']),
    endpoint: z.strictObject({
      kind: z.enum(['serverless', 'real-time']),
      memoryMb: z.number().int().min(1024).max(6144).default(2048),
      maxConcurrency: z.number().int().min(1).max(200).default(5),
      instanceType: z.string().default('ml.m5.large'),
      instanceCount: z.number().int().min(1).default(1),
      latencyBudgetMs: z.number().int().min(10).max(5000).default(150),
    }).default({ kind: 'serverless', memoryMb: 2048, maxConcurrency: 5, instanceType: 'ml.m5.large', instanceCount: 1, latencyBudgetMs: 150 }),
    models: z.record(z.string(), ModelPin).default({}),
  }),
  /** Value tier thresholds: monthly spend in the market currency. */
  valueTiers: z.strictObject({
    platinum: z.number().nonnegative(),
    gold: z.number().nonnegative(),
    silver: z.number().nonnegative(),
  }).refine((t) => t.platinum > t.gold && t.gold > t.silver, 'thresholds must fall: platinum > gold > silver')
    .default({ platinum: 100, gold: 70, silver: 40 }),
  /** The public dataset schema this market's imports, training and scoring CLI read. */
  dataset: z.enum(['ibm-telco', 'iranian']).default('ibm-telco'),
  dedupeWindowHours: z.number().int().min(24).default(48),
  tracingSampleRate: z.number().min(0).max(1).default(0.05),
  alarmTopicEmail: email.optional(),
  waf: z.boolean().default(false),
});
export type MarketConfig = z.infer<typeof MarketConfig>;
export type MarketConfigInput = z.input<typeof MarketConfig>;

export class MarketConfigError extends Error {
  constructor(readonly market: string, readonly issues: string[]) {
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
