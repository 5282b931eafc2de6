/**
 * `npm run cost-model -- --market demo [--customers 9000000]`: synthesizes the market's stack in
 * process (bundling skipped), reads the template, and prices a decision, an event and a nightly
 * scoring run with the price table, printing each breakdown and its assumptions.
 */
import { loadMarket } from '#config/markets/index.ts';
import { type ArgsOf, defineCli, marketOption } from '../lib/args.ts';
import { DEFAULT_ASSUMPTIONS, type Assumptions, type PriceTable } from './cost-math.ts';
import { costModel, type CostModel, type Estimate } from './model.ts';
import { loadPrices } from './prices.ts';
import type { CfnTemplate } from './template-facts.ts';

export const TARGETS = { decisions: 5.0, events: 3.0 };

const usd = (n: number) => `$${n.toFixed(2)}`;
const pad = (s: string, n: number) => s.padEnd(n);

function printEstimate(out: string[], headline: string, e: Estimate, target?: number) {
  const verdict =
    target === undefined
      ? ''
      : e.total <= target
        ? `   [target <= ${usd(target)}: met]`
        : `   [target <= ${usd(target)}: NOT met]`;
  out.push(`${headline}   (with an HTTP API instead: ${usd(e.httpApiTotal)})${verdict}`);
  for (const l of e.lines) out.push(`    ${pad(l.component, 38)} ${pad(`$${l.usd.toFixed(4)}`, 10)} ${l.detail}`);
  for (const n of e.notes) out.push(`    - ${n}`);
}

/** What would move the decision figure, each computed by the same model on a changed template or assumption. */
function levers(
  template: CfnTemplate,
  model: CostModel,
  market: ReturnType<typeof loadMarket>,
  prices: PriceTable,
  a: Assumptions,
  customers: number,
) {
  const base = model.decisions.total;
  const changed = (mutate: (t: CfnTemplate) => void, assumptions = a) => {
    const copy = structuredClone(template);
    mutate(copy);
    return costModel(copy, market, prices, assumptions, customers).decisions.total;
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
      what: 'Lambda system log level INFO instead of WARN (START/REPORT lines back in the logs)',
      usd: changed((t) =>
        fns(t).forEach((r) => {
          r.Properties!['LoggingConfig'] = { ...(r.Properties!['LoggingConfig'] ?? {}), SystemLogLevel: 'INFO' };
        }),
      ),
    },
    {
      what: 'API access logs in the Standard log class instead of Infrequent Access',
      usd: changed((t) => accessLogGroups(t).forEach((r) => delete r.Properties!['LogGroupClass'])),
    },
    {
      what: 'every capped answer writes its counter (no leasing)',
      usd: changed(() => {}, { ...a, volumeLeaseBlock: 1 }),
    },
    {
      what: 'no household caps (no gsi1 read and index write for household members)',
      usd: changed(() => {}, { ...a, householdShare: 0 }),
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

const cli = defineCli({
  name: 'cost-model',
  summary:
    "Synthesizes the market's stack in process, reads the template, and prices 1M decisions, 1M events and a nightly scoring run with the price table, each with its breakdown and assumptions.",
  options: {
    market: marketOption(),
    customers: { type: 'number', integer: true, min: 1, default: 9_000_000, description: 'customers in the base' },
  },
});

export async function main(args: ArgsOf<typeof cli>) {
  const market = loadMarket(args.market);
  const customers = args.customers;
  // Loaded here, not at the top, so that --help and argument errors answer without loading the CDK.
  const { synthMarket } = await import('../../infra-tests/synth.ts');
  const prices = loadPrices();
  const a = DEFAULT_ASSUMPTIONS;
  const { template } = synthMarket(market);
  const json = template.toJSON() as CfnTemplate;
  const model = costModel(json, market, prices, a, customers);

  const out: string[] = [];
  out.push(`telco-cvm cost model: market ${market.code} (${market.aws.region}), template TelcoCvm-${market.code}`);
  out.push(
    `prices: ${prices.region} list prices in ${prices.currency}, dated ${[...new Set(Object.values(prices.prices).map((p) => p.date))].join(', ')} (scripts/cost/prices.json). ${prices.note}`,
  );
  out.push(
    `template: API ${model.facts.api.type}, ${Object.keys(model.facts.functions).length} functions, tables ${model.facts.tables.map((t) => t.billingMode).join('/')}, scoring ${model.facts.scoring.mode}, tracing ${(model.facts.tracing.samplingRate * 100).toFixed(1)}% (${model.facts.tracing.source})`,
  );
  out.push('');
  printEstimate(out, `${usd(model.decisions.total)} per 1M decisions`, model.decisions, TARGETS.decisions);
  out.push('');
  out.push('per scoring mode (decisions with inference added):');
  for (const s of model.scoringModes) printEstimate(out, `${usd(s.total)} per 1M decisions with ${s.title}`, s);
  out.push('');
  printEstimate(out, `${usd(model.events.total)} per 1M events`, model.events, TARGETS.events);
  out.push('');
  for (const n of model.nightly) printEstimate(out, `${usd(n.total)} per day: ${n.title}`, n);
  out.push('');
  out.push(
    `fixed: EMF meter series ${usd(model.meterSeriesPerMonth)}/month (8 meters x ${market.tenants.length} tenants x $0.30, + Decision per channel); storage, KMS keys, secrets and alarms are monthly and not per request.`,
  );
  out.push('');
  out.push('what would move the decision figure (each recomputed by the model):');
  for (const l of levers(json, model, market, prices, a, customers))
    out.push(`    ${usd(l.usd)} (${l.delta >= 0 ? '+' : ''}${l.delta.toFixed(2)}): ${l.what}`);
  console.log(out.join('\n'));
}

if (import.meta.url === `file://${process.argv[1]}`) await cli.run(main);
