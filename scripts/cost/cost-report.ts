/**
 * `npm run cost-report -- --market demo --month 2026-10 [--format md|csv] [--estimate] [--usage file]`
 * Per tenant: its tagged resources' cost (Cost Explorer) plus its share of the shared resources,
 * split by metered usage; `--estimate` works offline from metering and the price table.
 *
 * Usage: `--usage <file>` reads a metering.jsonl; `--estimate` without it reads the local
 * runtime's; otherwise (AWS) the month's meters come from CloudWatch and each tenant's API
 * requests from its API Gateway usage plan.
 */
import { join, resolve } from 'node:path';
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CostExplorerCostSource } from '#adapters/cost-explorer.ts';
import { CloudWatchUsageSource } from '#adapters/metering/cloudwatch-usage-source.ts';
import { CombinedUsageSource } from '#adapters/metering/combined-usage-source.ts';
import { FileUsageSource } from '#adapters/metering/file-usage-source.ts';
import { UsagePlanUsageSource } from '#adapters/metering/usage-plan-usage-source.ts';
import { loadMarket } from '#config/markets/index.ts';
import { deploymentOf, type MarketConfig } from '#config/market-config.ts';
import type { CostSource, UsageSource } from '#domain/cost/ports.ts';
import { type ArgsOf, defineCli, marketAt, marketOption, stageOption } from '../lib/args.ts';
import { DEFAULT_ASSUMPTIONS, tieredUnitPrice } from './cost-math.ts';
import type { DecisionIo } from './decision-layout.ts';
import { costModel, type CostModel } from './model.ts';
import { flaggedPrices, loadPrices, sendingCostOf, sendingPrice } from './prices.ts';
import { buildReport, toCsv, toMarkdown, type CostReport } from './report.ts';
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
  /** The deployment whose usage plans count API requests (default dev). */
  stage?: string;
  month: string;
  estimate: boolean;
  usage: UsageSource;
  cost?: CostSource;
  /** The stack's template (default: the market's, synthesized in process). */
  template?: CfnTemplate;
}): Promise<CostReport> {
  const config = loadMarket(opts.market, opts.stage);
  const usage = await opts.usage.usage(config.code, opts.month);
  const tagged = opts.estimate
    ? undefined
    : await (opts.cost ?? new CostExplorerCostSource()).monthlyCostByTenant(config.code, opts.month);
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
    ...(tagged ? { tagged } : {}),
    sending: sendingOfTenants(config, usage),
  });
}

/**
 * Each tenant's metered AWS sends priced with the sending prices at the market's country. AWS
 * bills SMS, e-mail and push to the account without a cvm:tenant tag, so Cost Explorer cannot
 * split them: the meters the sender writes per accepted message can.
 */
function sendingOfTenants(config: MarketConfig, usage: Awaited<ReturnType<UsageSource['usage']>>) {
  const byTenant = Object.fromEntries(
    config.tenants.map((t) => [t.id, sendingCostOf(usage[t.id] ?? {}, config.country)]),
  );
  const sms = sendingPrice('sms', config.country);
  const unpriced = Object.values(byTenant).reduce((n, c) => n + (c.unpriced.SmsSegmentsSent ?? 0), 0);
  const email = sendingPrice('email', undefined)!;
  const push = sendingPrice('push', undefined)!;
  const each = (p: { usd: number; per: number }) => `$${p.usd / p.per}`;
  const method =
    "sending: each tenant's metered AWS sends (SmsSegmentsSent, EmailsSent, PushesSent: the sender meters every message an sms, email or push connection had accepted; webhooks and the hand-off queue send through the operator and cost AWS nothing) x the sending prices of lambdas/domain/cost/sending-prices.ts: " +
    `SMS ${sms ? `${each(sms)} per segment to ${config.country}` : `UNPRICED (no price for ${config.country ?? 'a market without a country'})`}, e-mail ${each(email)}, push ${each(push)}; ` +
    `third-party transcriptions of the AWS price pages (${email.date}), to check before quoting${unpriced ? `; ${unpriced} SMS segments left out, unpriced` : ''}. ` +
    'AWS bills them untagged, so they are added to the tenant here, never split as shared cost.';
  return { byTenant, method };
}

export async function costReport(opts: {
  market: string;
  month: string;
  format: 'md' | 'csv';
  estimate: boolean;
  usage: UsageSource;
  cost?: CostSource;
  template?: CfnTemplate;
}): Promise<string> {
  const report = await buildCostReport(opts);
  return opts.format === 'csv' ? toCsv(report) : toMarkdown(report);
}

const cli = defineCli({
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
      choices: ['md', 'csv'],
      placeholder: 'md|csv',
      description: 'output format',
    },
    estimate: { type: 'boolean', description: 'price metered usage offline instead of asking Cost Explorer' },
    usage: {
      type: 'file',
      placeholder: '<metering.jsonl>',
      description: "the meters to split by (default with --estimate: the local runtime's; else CloudWatch)",
    },
  },
});

async function main(args: ArgsOf<typeof cli>) {
  const config = marketAt(args.market, args.stage);
  // Locally (and offline) the meters are in <CVM_LOCAL_DIR>/metering.jsonl; against AWS they are CloudWatch metrics.
  const file =
    args.usage ??
    (args.estimate ? join(resolve(process.env['CVM_LOCAL_DIR'] ?? '.local'), 'metering.jsonl') : undefined);
  const usage = file ? new FileUsageSource(file) : awsUsageSource(config);
  const report = await buildCostReport({
    market: args.market,
    stage: args.stage,
    month: args.month,
    estimate: args.estimate,
    usage,
  });
  if (args.format === 'csv') {
    // CSV stays data; its method goes to stderr so it is still in front of the reader.
    process.stdout.write(toCsv(report));
    process.stderr.write(`${report.method.map((m) => `# ${m}`).join('\n')}\n`);
  } else {
    process.stdout.write(toMarkdown(report));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await cli.run(main);
