/**
 * `npm run cost-report -- --market demo --month 2026-10 [--format md|csv] [--estimate] [--usage file]`
 * Per tenant: its tagged resources' cost (Cost Explorer) plus its share of the shared resources,
 * split by metered usage; `--estimate` works offline from metering and the price table.
 */
import { join, resolve } from 'node:path';
import { CostExplorerCostSource } from '#adapters/cost-explorer.ts';
import { FileUsageSource } from '#adapters/metering/file-usage-source.ts';
import { loadMarket } from '#config/markets/index.ts';
import type { CostSource, UsageSource } from '#domain/cost/ports.ts';
import { cliArgs } from '../lib/args.ts';
import { loadPrices } from './prices.ts';
import { buildReport, toCsv, toMarkdown } from './report.ts';
import { unitCosts } from './unit-costs.ts';

export async function costReport(opts: { market: string; month: string; format: 'md' | 'csv'; estimate: boolean; usage: UsageSource; cost?: CostSource }): Promise<string> {
  const config = loadMarket(opts.market);
  const usage = await opts.usage.usage(config.code, opts.month);
  const tagged = opts.estimate ? undefined : await (opts.cost ?? new CostExplorerCostSource()).monthlyCostByTenant(config.code, opts.month);
  const report = buildReport({ config, month: opts.month, usage, unitCosts: unitCosts(loadPrices()), ...(tagged ? { tagged } : {}) });
  return opts.format === 'csv' ? toCsv(report) : toMarkdown(report);
}

async function main() {
  const args = cliArgs({
    market: { type: 'string', default: 'demo' },
    month: { type: 'string' },
    format: { type: 'string', default: 'md' },
    estimate: { type: 'boolean', default: false },
    usage: { type: 'string' },
  });
  if (!args.month || !/^\d{4}-(0[1-9]|1[0-2])$/.test(args.month)) throw new Error('--month yyyy-mm is required, e.g. --month 2026-10');
  if (args.format !== 'md' && args.format !== 'csv') throw new Error('--format is md or csv');
  // Locally the meters are in <CVM_LOCAL_DIR>/metering.jsonl; in AWS pass a file exported from the EMF metrics.
  const file = args.usage ?? join(resolve(process.env['CVM_LOCAL_DIR'] ?? '.local'), 'metering.jsonl');
  process.stdout.write(await costReport({ market: args.market, month: args.month, format: args.format, estimate: args.estimate, usage: new FileUsageSource(file) }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    console.error((err as Error).message);
    process.exit(1);
  });
}
