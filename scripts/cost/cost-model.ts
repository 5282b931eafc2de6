/**
 * `npm run cost-model -- --market demo [--customers 9000000] [--per-customer 1 ...] [--lever firehoseLog ...]`:
 * synthesizes the market's stack in process (bundling skipped), reads the template, sizes the
 * decision path from the adapters' own items (decision-layout.ts) and prices 1M decisions at D
 * decisions per customer per day (0.2, 1 and 5 unless given), each with its breakdown, with and
 * without each lever; then inference, events and the nightly run. Prices: us-east-1 as the
 * reference line, the market's region beside it with every unconfirmed price flagged.
 */
import { loadMarket } from '#config/markets/index.ts';
import { type ArgsOf, defineCli, marketOption } from '../lib/args.ts';
import { DEFAULT_ASSUMPTIONS, type Assumptions, type PriceTable } from './cost-math.ts';
import type { DecisionIo } from './decision-layout.ts';
import { idempotencyKeyCost } from './idempotency-cost.ts';
import { CONFIG_LEVERS, leanMarket, LEVERS, marketWithLever, type LeverKey, type Levers } from './levers.ts';
import { costModel, METER_NAMES, type CostModel, type Estimate } from './model.ts';
import { flaggedPrices, loadPrices } from './prices.ts';
import type { CfnTemplate } from './template-facts.ts';

export const TARGETS = { decisions: 5.0, events: 3.0 };
export const DEFAULT_PER_CUSTOMER = [0.2, 1, 5];

const usd = (n: number) => `$${n.toFixed(2)}`;
const pad = (s: string, n: number) => s.padEnd(n);
const verdict = (total: number, target?: number) =>
  target === undefined
    ? ''
    : `   [target <= ${usd(target)}: ${total <= target ? 'met' : `NOT met, $${(total - target).toFixed(3)} over`}]`;

/** How a figure in another region's prices reads beside the reference one: its total and its flagged prices. */
function regional(e: Estimate | undefined, prices: PriceTable | undefined): string {
  if (!e || !prices) return '';
  const { fallback, thirdParty } = flaggedPrices(prices, e.priceIds);
  const flags = [
    ...(fallback.length
      ? [`UNCONFIRMED: ${fallback.length} of ${e.priceIds.length} prices are ${prices.reference} fallbacks`]
      : []),
    ...(thirdParty.length ? [`${thirdParty.length} third-party`] : []),
  ];
  return `   ${prices.region}: ${usd(e.total)}${flags.length ? ` [${flags.join('; ')}]` : ''}`;
}

function printEstimate(out: string[], headline: string, e: Estimate, beside?: string, target?: number) {
  out.push(
    `${headline}${beside ?? ''}${e.lines.some((l) => l.component.startsWith('API Gateway')) ? `   (with an HTTP API instead: ${usd(e.httpApiTotal)})` : ''}${verdict(e.total, target)}`,
  );
  for (const l of e.lines) out.push(`    ${pad(l.component, 34)} ${pad(`$${l.usd.toFixed(4)}`, 10)} ${l.detail}`);
  for (const n of e.notes) out.push(`    - ${n}`);
}

/** The decision figure at each D: breakdown, then each lever alone and all of them, in both regions. */
function printDecisionLines(out: string[], model: CostModel, local?: CostModel) {
  for (const [i, line] of model.decisionLines.entries()) {
    const there = local?.decisionLines[i];
    printEstimate(
      out,
      `${usd(line.estimate.total)} per 1M decisions at ${line.perCustomerPerDay} decisions per customer per day   [${model.prices.region}]`,
      line.estimate,
      regional(there?.estimate, local?.prices),
      TARGETS.decisions,
    );
    out.push(
      '    modelled levers, not in the platform (each on its own, then all; the same model with the switch on):',
    );
    for (const [j, l] of line.levers.entries())
      out.push(
        `      ${usd(l.total)} (${(l.total - line.estimate.total).toFixed(2)})${local ? `  ${local.prices.region} ${usd(there!.levers[j]!.total)}` : ''}${verdict(l.total, TARGETS.decisions)}  ${l.title}`,
      );
    out.push(
      `      ${usd(line.allLevers.total)} (${(line.allLevers.total - line.estimate.total).toFixed(2)})${local ? `  ${local.prices.region} ${usd(there!.allLevers.total)}` : ''}${verdict(line.allLevers.total, TARGETS.decisions)}  all of them`,
    );
    out.push('');
  }
}

/** Where the template puts each configuration lever of the decision figure. */
function settingsLine(m: CostModel): string {
  const s = m.decisionSettings;
  return `CVM_METER_FLUSH_SECONDS ${s.meterFlushSeconds}; decisions function tracing ${s.decisionFunctionTracing ? 'Active' : 'PassThrough'} (stage tracing ${s.stageTracing ? 'on' : 'off'}); decision log PITR ${s.logPitr ? 'on' : 'off'}, TTL ${s.logDays ?? '(not in the template)'} days`;
}

/** What would move the decision figure, each computed by the same model on a changed template. */
function templateLevers(template: CfnTemplate, model: CostModel, run: (t: CfnTemplate) => CostModel) {
  const base = model.decisions.total;
  const changed = (mutate: (t: CfnTemplate) => void) => {
    const copy = structuredClone(template);
    mutate(copy);
    return run(copy).decisions.total;
  };
  const fns = (t: CfnTemplate) => Object.values(t.Resources ?? {}).filter((r) => r.Type === 'AWS::Lambda::Function');
  const decisionId = model.functions.decision.source.replace(/^template /, '');
  const accessLogGroups = (t: CfnTemplate) =>
    Object.values(t.Resources ?? {}).filter(
      (r) => r.Type === 'AWS::Logs::LogGroup' && r.Properties?.['LogGroupClass'] === 'INFREQUENT_ACCESS',
    );
  return [
    {
      what: 'HTTP API instead of REST (keeps the Lambda authorizer; loses usage plans, so throttling/quotas move into the authorizer)',
      usd: model.decisions.httpApiTotal,
    },
    {
      what: 'system log level WARN on every function instead of INFO (no START/REPORT lines: memory used and init duration gone)',
      usd: changed((t) =>
        fns(t).forEach((r) => {
          r.Properties!['LoggingConfig'] = { ...(r.Properties!['LoggingConfig'] ?? {}), SystemLogLevel: 'WARN' };
        }),
      ),
    },
    {
      what: 'API access logs in the Standard log class instead of Infrequent Access',
      usd: changed((t) => accessLogGroups(t).forEach((r) => delete r.Properties!['LogGroupClass'])),
    },
    {
      what: 'X-Ray sampling at 5% instead of the configured rate',
      usd: changed((t) =>
        Object.values(t.Resources ?? {})
          .filter((r) => r.Type === 'AWS::XRay::SamplingRule')
          .forEach((r) => {
            r.Properties!['SamplingRule']['FixedRate'] = 0.05;
          }),
      ),
    },
    ...(decisionId.startsWith('assumed')
      ? []
      : [512, 1769].map((mb) => ({
          what: `decision Lambda at ${mb} MB`,
          usd: changed((t) => {
            const r = t.Resources?.[decisionId];
            if (r?.Properties) r.Properties['MemorySize'] = mb;
          }),
        }))),
  ].map((l) => ({ ...l, delta: l.usd - base }));
}

const positive = (v: string) => (Number(v) > 0 && Number.isFinite(Number(v)) ? undefined : 'expected a number above 0');
const LEVER_KEYS = LEVERS.map((l) => l.key) as string[];

const cli = defineCli({
  name: 'cost-model',
  summary:
    "Synthesizes the market's stack in process, sizes the decision path from the adapters' items and prices 1M decisions at D decisions per customer per day (with and without each lever), 1M events and a nightly scoring run, each with its breakdown and assumptions; us-east-1 is the reference line, the market's region beside it.",
  options: {
    market: marketOption(),
    customers: { type: 'number', integer: true, min: 1, default: 9_000_000, description: 'customers in the base' },
    'per-customer': {
      type: 'string',
      multiple: true,
      placeholder: '<D>',
      description: `decisions per customer per day, repeatable (default ${DEFAULT_PER_CUSTOMER.join(', ')})`,
      validate: positive,
    },
    lever: {
      type: 'string',
      multiple: true,
      placeholder: '<lever>',
      description: `a lever switched on in the figures themselves, repeatable (each is also shown on its own): ${LEVER_KEYS.join(', ')}`,
      validate: (v) => (LEVER_KEYS.includes(v) ? undefined : `expected one of ${LEVER_KEYS.join(', ')}`),
    },
  },
});

export async function main(args: ArgsOf<typeof cli>) {
  const market = loadMarket(args.market);
  const customers = args.customers;
  const perCustomer = args['per-customer'].length ? args['per-customer'].map(Number) : DEFAULT_PER_CUSTOMER;
  const levers = Object.fromEntries(args.lever.map((k) => [k as LeverKey, true])) as Partial<Levers>;
  // Loaded here, not at the top, so that --help and argument errors answer without loading the CDK.
  const { synthMarket } = await import('../../infra-tests/synth.ts');
  const lean = leanMarket(market);
  const { decisionLayout } = await import('./decision-layout.ts');
  const a: Assumptions = DEFAULT_ASSUMPTIONS;
  const layouts: DecisionIo[] = [];
  for (const d of perCustomer)
    layouts.push(await decisionLayout(market, { perCustomerPerDay: d, householdShare: a.householdShare }));
  const { template, stack } = synthMarket(market);
  const json = template.toJSON() as CfnTemplate;
  const reference = loadPrices();
  const run = (prices: PriceTable, t = json) => costModel(t, market, prices, a, customers, { layouts, levers });
  const model = run(reference);
  const local = market.aws.region === reference.region ? undefined : run(loadPrices(market.aws.region));
  const leanJson = synthMarket(lean).template.toJSON() as CfnTemplate;
  const leanModel = run(reference, leanJson);
  const leanLocal = local ? run(local.prices, leanJson) : undefined;

  const out: string[] = [];
  out.push(
    `telco-cvm cost model: market ${market.code} (${market.aws.region}), template ${stack.stackName}, ${customers.toLocaleString('en')} customers`,
  );
  const dates = (p: PriceTable) => [...new Set(Object.values(p.prices).map((x) => x.date))].join(', ');
  out.push(
    `prices (scripts/cost/prices.json): ${reference.region} list prices in ${reference.currency}, dated ${dates(reference)}: the reference line. ${reference.note}`,
  );
  if (local) {
    const { fallback, thirdParty } = flaggedPrices(local.prices);
    out.push(
      `${local.prices.region}: ${local.prices.note} Own prices: ${thirdParty.length ? `${thirdParty.join(', ')} (third-party transcription)` : 'none'}; unconfirmed, ${reference.region}'s price used and flagged: ${fallback.join(', ')}.`,
    );
  }
  out.push(
    `template: API ${model.facts.api.type}, ${Object.keys(model.facts.functions).length} functions, tables ${model.facts.tables.map((t) => `${t.billingMode}${t.pointInTimeRecovery ? '+PITR' : ''}`).join('/')}, scoring ${model.facts.scoring.mode}, tracing ${(model.facts.tracing.samplingRate * 100).toFixed(1)}% (${model.facts.tracing.source})`,
  );
  out.push(`levers switched on in the figures: ${args.lever.length ? args.lever.join(', ') : 'none'}`);
  out.push('');
  out.push(
    `decisions (${model.facts.api.type} with per-tenant usage plans, no inference), the market config as shipped:`,
  );
  out.push(`  template: ${settingsLine(model)}`);
  printDecisionLines(out, model, local);
  out.push(
    `decisions, lean configuration (the market config with every configuration lever pulled: ${CONFIG_LEVERS.map((l) => `${l.option} ${l.valueIn(lean)}`).join(', ')}):`,
  );
  out.push(`  template: ${settingsLine(leanModel)}`);
  printDecisionLines(out, leanModel, leanLocal);
  out.push(
    `configuration levers (market config), each moved alone on the market as configured (its stack synthesized): $ per 1M decisions at D = ${perCustomer.join(' / ')}`,
  );
  const figures = (m: CostModel) => m.decisionLines.map((l) => usd(l.estimate.total)).join(' / ');
  out.push(`    as configured: ${figures(model)}; lean: ${figures(leanModel)}`);
  for (const l of CONFIG_LEVERS) {
    const moved = marketWithLever(market, l);
    const m = run(reference, synthMarket(moved.config).template.toJSON() as CfnTemplate);
    const delta = m.decisionLines
      .map((x, i) => x.estimate.total - model.decisionLines[i]!.estimate.total)
      .map((d) => `${d >= 0 ? '+' : ''}${d.toFixed(2)}`)
      .join(' / ');
    out.push(
      `    ${l.option}: ${l.valueIn(market)} as configured (lean ${l.lean}); at ${moved.value}: ${figures(m)} (${delta}). Trades: ${l.trades}`,
    );
  }
  out.push('');
  const keyed = idempotencyKeyCost(reference, layouts[0]!.recordJsonBytes);
  out.push(
    `Idempotency-Key: +${usd(keyed.perMillion)} per 1M decisions that send the header (${keyed.detail}); decisions without it pay nothing`,
  );
  out.push('');
  out.push('what each modelled lever (not in the platform) trades:');
  for (const l of LEVERS) out.push(`    ${l.key}: ${l.trades}`);
  out.push('');
  out.push(`per scoring mode (decisions at D = ${model.reference.perCustomerPerDay} with inference added):`);
  for (const s of model.scoringModes) printEstimate(out, `${usd(s.total)} per 1M decisions with ${s.title}`, s);
  out.push('');
  printEstimate(
    out,
    `${usd(model.events.total)} per 1M events`,
    model.events,
    regional(local?.events, local?.prices),
    TARGETS.events,
  );
  out.push('');
  for (const [i, n] of model.nightly.entries())
    printEstimate(out, `${usd(n.total)} per day: ${n.title}`, n, regional(local?.nightly[i], local?.prices));
  out.push(
    `nightly by D (embedded scoring run + the report build's DynamoDB reads: its scan and the month's decisions so far from byDay; its Lambda time not counted): ${model.nightlyAt.map((n) => `D = ${n.perCustomerPerDay}: ${usd(n.scoring)} + ${usd(n.reports)} (${(n.scanBytesPerCustomer / 1024).toFixed(1)} KB scanned per customer)`).join('; ')}`,
  );
  out.push('');
  printEstimate(
    out,
    `${usd(model.baseStorage.total)} per month: ${model.baseStorage.title}`,
    model.baseStorage,
    regional(local?.baseStorage, local?.prices),
  );
  out.push('');
  out.push(
    `fixed: EMF meter series ${usd(model.meterSeriesPerMonth)}/month (${METER_NAMES} meters x ${market.tenants.length} tenants x $0.30, + Decision per channel, + ${model.driftSeries} drift series: ScorePsi per pinned model and FeaturePsi per top feature, not per tenant); KMS keys, secrets and alarms are monthly and not per request.`,
  );
  out.push('');
  out.push(
    `what would move the decision figure at D = ${model.reference.perCustomerPerDay} (each recomputed by the model on a changed template):`,
  );
  for (const l of templateLevers(json, model, (t) => run(reference, t)))
    out.push(`    ${usd(l.usd)} (${l.delta >= 0 ? '+' : ''}${l.delta.toFixed(2)}): ${l.what}`);
  console.log(out.join('\n'));
}

if (import.meta.url === `file://${process.argv[1]}`) await cli.run(main);
