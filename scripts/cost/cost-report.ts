/**
 * `npm run cost-report -- --market demo --stage prod --month 2026-10 [--format md|csv|csv-wide|html] [--estimate] [--usage file] [--metric m] [--activate-tags]`
 * Per tenant: its tagged resources' cost (Cost Explorer) plus its share of the shared resources,
 * split by metered usage, plus its sending; the whole account's month reconciled to the cent
 * (every market and stage found, and one `unattributed` line). `--estimate` works offline from
 * metering and the price table. `--format csv` is the monthly showback file for finance.
 *
 * Usage: `--usage <file>` reads a metering.jsonl; `--estimate` without it reads the local
 * runtime's; otherwise (AWS) the month's meters come from CloudWatch and each tenant's API
 * requests from its API Gateway usage plan.
 */
import { join, resolve } from 'node:path';
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { COST_METRICS, CostExplorerCostSource, type CostMetric, DEFAULT_COST_METRIC } from '#adapters/cost-explorer.ts';
import { CloudWatchUsageSource } from '#adapters/usage/cloudwatch-usage-source.ts';
import { CombinedUsageSource } from '#adapters/usage/combined-usage-source.ts';
import { FileUsageSource } from '#adapters/usage/file-usage-source.ts';
import { UsagePlanUsageSource } from '#adapters/usage/usage-plan-usage-source.ts';
import { loadMarket } from '#config/markets/index.ts';
import { deploymentOf, type MarketConfig } from '#config/market-config.ts';
import type { CostSource, TagActivation, TagStatus, UsageSource } from '#domain/cost/ports.ts';
import { COST_TAGS, TAG_BILLING_UNIT } from '../../lib/constructs/cost-allocation.ts';
import { type ArgsOf, defineCli, marketAt, marketOption, stageOption, UsageError } from '../lib/args.ts';
import { DEFAULT_ASSUMPTIONS, tieredUnitPrice } from './cost-math.ts';
import type { DecisionIo } from './decision-layout.ts';
import { costModel, type CostModel } from './model.ts';
import { flaggedPrices, loadPrices, sendingCostOf, sendingPrice } from './prices.ts';
import { buildReport, type CostReport, toHtml, toMarkdown, toShowbackCsv, toWideCsv } from './report.ts';
import type { CfnTemplate } from './template-facts.ts';
import { unitCostsOf } from './unit-costs.ts';

/** The market's usage in AWS: the meters from CloudWatch, API requests as API Gateway counted them (that figure wins). */
export function awsUsageSource(
  config: MarketConfig,
  clients: { cloudWatch?: CloudWatchClient; apiGateway?: APIGatewayClient } = {},
): UsageSource {
  const tenants = config.tenants.map((t) => t.id);
  const region = config.aws.region;
  return new CombinedUsageSource([
    new CloudWatchUsageSource(tenants, clients.cloudWatch ?? new CloudWatchClient({ region })),
    new UsagePlanUsageSource(tenants, deploymentOf(config), clients.apiGateway ?? new APIGatewayClient({ region })),
  ]);
}

/**
 * The cost model the report prices with, the one `npm run cost-model` prints: the market's
 * template (synthesized unless given), the layout's sizes at one decision per customer a day and
 * the price table of the market's region (its unconfirmed prices fall back to us-east-1, flagged).
 */
export async function reportModel(config: MarketConfig, template?: CfnTemplate): Promise<CostModel> {
  const json =
    template ?? ((await import('../../infra-tests/synth.ts')).synthMarket(config).template.toJSON() as CfnTemplate);
  return costModel(json, config, loadPrices(config.aws.region), DEFAULT_ASSUMPTIONS, 1_000_000, {
    layouts: [await layoutOf(config)],
  });
}

/** The layout at one decision per customer a day, sized once per market and process (it runs decide() for a while). */
const layouts = new Map<string, Promise<DecisionIo>>();
function layoutOf(config: MarketConfig): Promise<DecisionIo> {
  let layout = layouts.get(config.code);
  if (!layout) {
    layout = import('./decision-layout.ts').then(({ decisionLayout }) =>
      decisionLayout(config, { perCustomerPerDay: 1, householdShare: DEFAULT_ASSUMPTIONS.householdShare }),
    );
    layouts.set(config.code, layout);
  }
  return layout;
}

export async function buildCostReport(opts: {
  market: string;
  /** The deployment reported (default dev): its billing units are split, its usage plans count API requests. */
  stage?: string;
  month: string;
  estimate: boolean;
  usage: UsageSource;
  cost?: CostSource;
  /** The Cost Explorer metric when `cost` is not given (default NetAmortizedCost). */
  metric?: CostMetric;
  /** The stack's template (default: the market's, synthesized in process). */
  template?: CfnTemplate;
}): Promise<CostReport> {
  const config = loadMarket(opts.market, opts.stage);
  const usage = await opts.usage.usage(config.code, opts.month);
  let billing: { cost: Awaited<ReturnType<CostSource['monthlyCost']>>; tags: TagStatus[] | Error } | undefined;
  if (!opts.estimate) {
    const source = opts.cost ?? costExplorer(opts.metric);
    // the tags' status is advice: a caller without ce:ListCostAllocationTags still gets the figures
    const [cost, tags] = await Promise.all([
      source.monthlyCost(opts.month),
      source.tagStatus(COST_TAGS).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err)))),
    ]);
    billing = { cost, tags };
  }
  const model = await reportModel(config, opts.template);
  // the API's tiers apply to the month's API requests as metered
  const requests = Object.values(usage).reduce((s, u) => s + (u['ApiRequest'] ?? 0), 0);
  const { fallback, thirdParty } = flaggedPrices(model.prices);
  const apiId = model.facts.api.type === 'HTTP' ? 'apigw.http.request' : 'apigw.rest.request';
  return buildReport({
    config,
    month: opts.month,
    usage,
    unitCosts: unitCostsOf(model, DEFAULT_ASSUMPTIONS, requests),
    usageMethod: opts.usage.method,
    prices: `the cost model's unit costs (scripts/cost/model.ts: the market's template, the decision layout, ${model.prices.region} prices from scripts/cost/prices.json${fallback.length ? `; UNCONFIRMED in ${model.prices.region}, ${model.prices.reference}'s price used: ${fallback.join(', ')}` : ''}${thirdParty.length ? `; third-party: ${thirdParty.join(', ')}` : ''}); API requests at the tiers' average for the month's ${requests.toLocaleString('en')} metered requests ($${(tieredUnitPrice(model.prices, apiId, requests) * 1e6).toFixed(2)}/M)`,
    ...(billing ? { cost: billing.cost, tags: billing.tags } : {}),
    sending: sendingOfTenants(config, usage, await opts.usage.smsSegmentsByDestination?.(config.code, opts.month)),
  });
}

/** Cost Explorer, grouped by the billing-unit tag the stacks put on every resource. */
const costExplorer = (metric: CostMetric = DEFAULT_COST_METRIC) =>
  new CostExplorerCostSource(undefined, { billingUnitTag: TAG_BILLING_UNIT, metric });

/**
 * The first month a backfill may start from: the report's month, but never before the previous
 * twelve months (Cost Explorer's limit) nor after the current one.
 */
export function backfillFrom(month: string, now: Date): string {
  const index = (m: string) => Number(m.slice(0, 4)) * 12 + Number(m.slice(5, 7)) - 1;
  const text = (i: number) => `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
  const current = now.getUTCFullYear() * 12 + now.getUTCMonth();
  return text(Math.min(current, Math.max(current - 12, index(month))));
}

/**
 * `--activate-tags`: activates every cost-allocation tag of the platform that billing has seen and
 * that is inactive (UpdateCostAllocationTagsStatus), then re-applies the active tags to the months
 * from the report's on (StartCostAllocationTagBackfill). Returns what it did, a line each.
 */
export async function activateCostTags(
  source: CostSource & TagActivation,
  month: string,
  now: Date = new Date(),
): Promise<string[]> {
  const statuses = await source.tagStatus(COST_TAGS);
  const inactive = statuses.filter((s) => s.status === 'Inactive').map((s) => s.key);
  const unseen = statuses.filter((s) => s.status === 'unknown').map((s) => s.key);
  const out: string[] = [];
  const refused = await source.activateTags(inactive);
  const activated = inactive.filter((k) => !refused.some((r) => r.key === k));
  out.push(
    activated.length ? `activated: ${activated.join(', ')}` : 'activated: none (the seen tags were active already)',
  );
  for (const r of refused) out.push(`not activated: ${r.key}: ${r.problem}`);
  if (unseen.length)
    out.push(
      `not seen by billing yet, so not activated: ${unseen.join(', ')} (deploy a stack that carries them, wait up to 24 hours, run this again)`,
    );
  const from = backfillFrom(month, now);
  try {
    await source.backfillTags(from);
    out.push(`backfill started from ${from}-01: the active tags apply to the bills since (takes up to a day)`);
  } catch (err) {
    out.push(
      `backfill from ${from}-01 not started: ${(err as Error).name}: ${(err as Error).message} (one backfill per 24 hours)`,
    );
  }
  return out;
}

/**
 * Each tenant's metered AWS sends priced with the sending prices: SMS segments at their destination
 * country's price where the usage source kept the country (the metering file), else at the market's
 * country, flagged. AWS bills SMS, e-mail and push to the account without a cvm:tenant tag, so Cost
 * Explorer cannot split them: the meters the sender writes per accepted message can.
 */
function sendingOfTenants(
  config: MarketConfig,
  usage: Awaited<ReturnType<UsageSource['usage']>>,
  smsByDestination: Record<string, Record<string, number>> | undefined,
) {
  const byTenant = Object.fromEntries(
    config.tenants.map((t) => [t.id, sendingCostOf(usage[t.id] ?? {}, config.country, smsByDestination?.[t.id] ?? {})]),
  );
  const sms = sendingPrice('sms', config.country);
  const unpriced = Object.values(byTenant).reduce((n, c) => n + (c.unpriced.SmsSegmentsSent ?? 0), 0);
  const smsLines = Object.values(byTenant).flatMap((c) => c.lines.filter((l) => l.type === 'sms'));
  const destinations = [
    ...new Set(
      smsLines.flatMap((l) => (l.fallback || l.unitUsd === undefined ? [] : [`${l.destination} $${l.unitUsd}`])),
    ),
  ].sort();
  const fallback = smsLines.filter((l) => l.fallback && l.unitUsd !== undefined);
  const fallbackUnits = fallback.reduce((n, l) => n + l.units, 0);
  const reasons = [...new Set(fallback.map((l) => l.fallback))].sort();
  const email = sendingPrice('email', undefined)!;
  const push = sendingPrice('push', undefined)!;
  const each = (p: { usd: number; per: number }) => `$${p.usd / p.per}`;
  const method =
    "sending: each tenant's metered AWS sends (SmsSegmentsSent, EmailsSent, PushesSent: the sender meters every message an sms, email or push connection had accepted; webhooks and the hand-off queue send through the operator and cost AWS nothing) x the sending prices of lambdas/domain/cost/sending-prices.ts: " +
    `SMS per segment at its destination country's price${destinations.length ? ` (${destinations.join(', ')})` : ''}, ` +
    `and where the destination is unknown or has no price at the market's: ${sms ? `${each(sms)} per segment to ${config.country}` : `UNPRICED (no price for ${config.country ?? 'a market without a country'})`}` +
    `${fallbackUnits ? ` (FLAGGED: ${fallbackUnits} segments so priced; ${reasons.join('; ')})` : ''}` +
    `${smsByDestination ? '' : ' (this usage source keeps no destination country: every segment is priced so)'}` +
    `, e-mail ${each(email)}, push ${each(push)}; ` +
    `third-party transcriptions of the AWS price pages (${email.date}), to check before quoting${unpriced ? `; ${unpriced} SMS segments left out, unpriced` : ''}. ` +
    'AWS bills them untagged, so they are added to the tenant here, never split as shared cost.';
  return { byTenant, method };
}

export const FORMATS = ['md', 'csv', 'csv-wide', 'html'] as const;
export type Format = (typeof FORMATS)[number];

/** The report in one of its formats: markdown, the showback CSV, the per-tenant CSV, the HTML page. */
export function render(report: CostReport, format: Format): string {
  if (format === 'csv') return toShowbackCsv(report);
  if (format === 'csv-wide') return toWideCsv(report);
  if (format === 'html') return toHtml(report);
  return toMarkdown(report);
}

export async function costReport(opts: {
  market: string;
  stage?: string;
  month: string;
  format: Format;
  estimate: boolean;
  usage: UsageSource;
  cost?: CostSource;
  template?: CfnTemplate;
}): Promise<string> {
  return render(await buildCostReport(opts), opts.format);
}

export const cli = defineCli({
  name: 'cost-report',
  summary:
    "Per tenant: its tagged resources' cost (Cost Explorer) plus its share of the shared resources, split by metered usage. --estimate works offline from metering and the price table.",
  options: {
    market: marketOption(),
    stage: stageOption(),
    month: {
      type: 'string',
      required: true,
      placeholder: 'yyyy-mm',
      description: 'the month to report, e.g. 2026-10',
      validate: (v) => (/^\d{4}-(0[1-9]|1[0-2])$/.test(v) ? undefined : 'expected yyyy-mm, e.g. 2026-10'),
    },
    format: {
      type: 'string',
      default: 'md',
      choices: FORMATS,
      placeholder: FORMATS.join('|'),
      description:
        'md: the report; csv: the showback file (market,stage,month,tenant,cost_center,category,amount,currency); csv-wide: one row per tenant with its meters; html: a self-contained page with a chart per tenant',
    },
    estimate: { type: 'boolean', description: 'price metered usage offline instead of asking Cost Explorer' },
    usage: {
      type: 'file',
      placeholder: '<metering.jsonl>',
      description: "the meters to split by (default with --estimate: the local runtime's; else CloudWatch)",
    },
    metric: {
      type: 'string',
      default: DEFAULT_COST_METRIC,
      choices: COST_METRICS,
      placeholder: COST_METRICS.join('|'),
      description: 'the Cost Explorer metric (NetAmortizedCost: amortized and net of discounts)',
    },
    'activate-tags': {
      type: 'boolean',
      description:
        'first activate the cost-allocation tags billing has seen and backfill them from --month (UpdateCostAllocationTagsStatus, StartCostAllocationTagBackfill)',
    },
  },
});

export async function main(args: ArgsOf<typeof cli>): Promise<void> {
  if (args.estimate && args['activate-tags'])
    throw new UsageError('--activate-tags works on Cost Explorer: run it without --estimate');
  const config = marketAt(args.market, args.stage);
  // Locally (and offline) the meters are in <CVM_LOCAL_DIR>/metering.jsonl; against AWS they are CloudWatch metrics.
  const file =
    args.usage ??
    (args.estimate ? join(resolve(process.env['CVM_LOCAL_DIR'] ?? '.local'), 'metering.jsonl') : undefined);
  const usage = file ? new FileUsageSource(file) : awsUsageSource(config);
  const cost = args.estimate ? undefined : costExplorer(args.metric);
  if (cost && args['activate-tags'])
    for (const line of await activateCostTags(cost, args.month)) process.stderr.write(`cost-report: ${line}\n`);
  const report = await buildCostReport({
    market: args.market,
    stage: args.stage,
    month: args.month,
    estimate: args.estimate,
    usage,
    ...(cost ? { cost } : {}),
  });
  process.stdout.write(render(report, args.format));
  // CSV stays data: its warnings and method go to stderr, so they are still in front of the reader
  if (args.format === 'csv' || args.format === 'csv-wide')
    process.stderr.write(
      `${[...report.tagWarnings.map((w) => `WARNING ${w}`), ...report.method].map((m) => `# ${m}`).join('\n')}\n`,
    );
}

if (import.meta.url === `file://${process.argv[1]}`) await cli.run(main);
