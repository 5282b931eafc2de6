import type { MarketConfig } from '#config/market-config.ts';
import { splitShared, usageWeight } from '#domain/cost/split.ts';
import type { TaggedCost, TenantUsage } from '#domain/cost/ports.ts';
import type { SendingCost } from '#domain/cost/sending-prices.ts';
import { METER_NAMES, WORK_METER_NAMES } from '#domain/metering.ts';
import type { UnitCosts } from './unit-costs.ts';
import { csvOf, type CsvCell } from '#domain/csv.ts';

export interface ReportRow {
  tenant: string;
  costCenter: string;
  /** Cost of the tenant's own tagged resources (Cost Explorer), or their estimate. */
  own: number;
  /** The tenant's share of the shared resources. */
  shared: number;
  /** What AWS billed to send the tenant's SMS, e-mails and pushes: its metered sends x the sending prices. */
  sending: number;
  total: number;
  /** Share of metered usage (by weight) in percent. */
  usagePercent: number;
  usage: Partial<Record<string, number>>;
}

export interface CostReport {
  market: string;
  month: string;
  mode: 'cost-explorer' | 'estimate';
  currency: string;
  rows: ReportRow[];
  sharedTotal: number;
  untagged: number;
  unallocated: number;
  /** Tagged with a tenant that the market config does not know (reported, not split). */
  unknownTags: Record<string, number>;
  /** Where the usage that splits the shared cost came from. */
  usageMethod: string;
  method: string[];
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/**
 * Per-tenant cost: own tagged cost + a share of the `shared` cost, split by metered usage weighted
 * by each meter's unit cost (activity-based). In estimate mode both parts come from metering and
 * the price table instead of Cost Explorer. Only the kinds of work weigh the split: the DynamoDB
 * capacity meters are on the tenants' own (tagged) tables, so they are shown, not weighed.
 */
export function buildReport(input: {
  config: MarketConfig;
  month: string;
  usage: TenantUsage;
  unitCosts: UnitCosts;
  tagged?: TaggedCost;
  /** The usage source's own account of where its figures come from. */
  usageMethod?: string;
  /** Where the unit costs come from (model, region, price table and its flagged prices). */
  prices?: string;
  /** Each tenant's metered sends priced (domain/cost/sending-prices.ts), and how they were priced. */
  sending?: { byTenant: Record<string, SendingCost>; method: string };
}): CostReport {
  const { config, usage, unitCosts } = input;
  const tenants = config.tenants.map((t) => t.id);
  const sharedUnit = Object.fromEntries(WORK_METER_NAMES.map((n) => [n, unitCosts[n].shared]));
  const ownUnit = Object.fromEntries(WORK_METER_NAMES.map((n) => [n, unitCosts[n].own]));
  const weights = Object.fromEntries(tenants.map((t) => [t, usageWeight(usage[t] ?? {}, sharedUnit)]));
  const weightSum = Object.values(weights).reduce((s, w) => s + w, 0);

  let sharedTotal: number;
  let own: Record<string, number>;
  let untagged = 0;
  const unknownTags: Record<string, number> = {};
  if (input.tagged) {
    sharedTotal = round2(input.tagged.byTag['shared'] ?? 0);
    own = Object.fromEntries(tenants.map((t) => [t, round2(input.tagged!.byTag[t] ?? 0)]));
    untagged = round2(input.tagged.untagged);
    for (const [tag, amount] of Object.entries(input.tagged.byTag)) {
      if (tag !== 'shared' && !tenants.includes(tag)) unknownTags[tag] = round2(amount);
    }
  } else {
    sharedTotal = round2(weightSum);
    own = Object.fromEntries(tenants.map((t) => [t, round2(usageWeight(usage[t] ?? {}, ownUnit))]));
  }
  const { shares, unallocated } = splitShared(sharedTotal, weights);
  const sendingOf = (tenant: string) => round2(input.sending?.byTenant[tenant]?.usd ?? 0);
  const rows = config.tenants.map((t) => ({
    tenant: t.id,
    costCenter: t.costCenter,
    own: own[t.id] ?? 0,
    shared: shares[t.id] ?? 0,
    sending: sendingOf(t.id),
    total: round2((own[t.id] ?? 0) + (shares[t.id] ?? 0) + sendingOf(t.id)),
    usagePercent: weightSum > 0 ? round2(((weights[t.id] ?? 0) / weightSum) * 100) : 0,
    usage: usage[t.id] ?? {},
  }));
  const weightsText = WORK_METER_NAMES.map((n) => `${n} $${(unitCosts[n].shared * 1e6).toFixed(2)}/M`).join(', ');
  const usageMethod = input.usageMethod ?? 'metered usage as given';
  const usageLine = `usage (what splits the shared cost): ${usageMethod}. ReadCapacityUnits and WriteCapacityUnits (DynamoDB ReturnConsumedCapacity on the tenant's own tables) are shown, not weighed: that cost is already the tenant's own.`;
  const method = input.tagged
    ? [
        `own: Cost Explorer GetCostAndUsage, UnblendedCost for ${input.month}, grouped by tag cvm:tenant, filtered to cvm:market=${config.code}.`,
        `shared: the cvm:tenant=shared cost (${sharedTotal.toFixed(2)}) split by metered usage, each meter weighted by its list-price unit cost on shared resources (${weightsText}); shares are whole cents that sum to the shared total; a tenant with no usage pays no share.`,
        `unit costs (the weights): ${input.prices ?? 'as given'}.`,
        usageLine,
        "untagged: cost of the market's resources without a cvm:tenant tag, reported apart and not split.",
        ...(input.sending ? [input.sending.method] : []),
      ]
    : [
        `estimate: no billing data. own = metered usage x unit cost on the tenant's tagged resources (DynamoDB reads, writes, storage and point-in-time recovery, its queue); shared = metered usage x unit cost on shared resources (${weightsText}).`,
        `unit costs: ${input.prices ?? 'as given'}.`,
        usageLine,
        'not included: KMS keys, secrets, alarms and other monthly fees.',
        ...(input.sending ? [input.sending.method] : []),
      ];
  return {
    market: config.code,
    month: input.month,
    mode: input.tagged ? 'cost-explorer' : 'estimate',
    currency: input.tagged?.currency ?? 'USD',
    rows,
    sharedTotal,
    untagged,
    unallocated,
    unknownTags,
    usageMethod,
    method,
  };
}

const METER_COLUMNS = METER_NAMES;
/** Capacity units come in halves (eventually consistent reads); nothing finer is meaningful. */
const usageCell = (n: number | undefined) => String(Math.round((n ?? 0) * 100) / 100);

/** The report as CSV, through the platform's one CSV writer (RFC 4180, formula-injection guard). */
export function toCsv(r: CostReport): string {
  const head = [
    'market',
    'month',
    'tenant',
    'cost_center',
    'own',
    'shared_share',
    'total',
    'currency',
    'usage_percent',
    'sending',
    ...METER_COLUMNS,
  ];
  const money = (x: number) => x.toFixed(2);
  /** A line that is not a tenant: untagged, unallocated or an unknown tag value (tenant-chosen text). */
  const other = (name: string, own: number, shared: number): CsvCell[] => [
    r.market,
    r.month,
    name,
    '',
    money(own),
    money(shared),
    money(own + shared),
    r.currency,
    '',
    '',
    ...METER_COLUMNS.map(() => ''),
  ];
  const rows: CsvCell[][] = r.rows.map((row) => [
    r.market,
    r.month,
    row.tenant,
    row.costCenter,
    money(row.own),
    money(row.shared),
    money(row.total),
    r.currency,
    money(row.usagePercent),
    money(row.sending),
    ...METER_COLUMNS.map((m) => usageCell(row.usage[m])),
  ]);
  if (r.untagged) rows.push(other('(untagged)', r.untagged, 0));
  if (r.unallocated) rows.push(other('(unallocated shared)', 0, r.unallocated));
  for (const [tag, amount] of Object.entries(r.unknownTags)) rows.push(other(`(unknown tag ${tag})`, amount, 0));
  return csvOf(head, rows);
}

export function toMarkdown(r: CostReport): string {
  const out = [
    `# Cost by tenant: market ${r.market}, ${r.month} (${r.mode === 'estimate' ? 'ESTIMATE from metering and list prices' : 'Cost Explorer'})`,
    '',
    `| tenant | cost centre | own (tagged) | shared share | total ${r.currency} | usage % | sending | ${METER_COLUMNS.join(' | ')} |`,
    `|---|---|---:|---:|---:|---:|---:|${METER_COLUMNS.map(() => '---:').join('|')}|`,
    ...r.rows.map(
      (row) =>
        `| ${row.tenant} | ${row.costCenter} | ${row.own.toFixed(2)} | ${row.shared.toFixed(2)} | ${row.total.toFixed(2)} | ${row.usagePercent.toFixed(2)} | ${row.sending.toFixed(2)} | ${METER_COLUMNS.map((m) => usageCell(row.usage[m])).join(' | ')} |`,
    ),
  ];
  if (r.untagged)
    out.push(
      `| (untagged) | | ${r.untagged.toFixed(2)} | | ${r.untagged.toFixed(2)} | | | ${METER_COLUMNS.map(() => '').join(' | ')} |`,
    );
  if (r.unallocated)
    out.push(
      `| (unallocated shared: no metered usage) | | | ${r.unallocated.toFixed(2)} | ${r.unallocated.toFixed(2)} | | | ${METER_COLUMNS.map(() => '').join(' | ')} |`,
    );
  for (const [tag, amount] of Object.entries(r.unknownTags))
    out.push(
      `| (tag ${tag}: not a tenant of this market) | | ${amount.toFixed(2)} | | ${amount.toFixed(2)} | | | ${METER_COLUMNS.map(() => '').join(' | ')} |`,
    );
  out.push(
    '',
    `Shared total: ${r.sharedTotal.toFixed(2)} ${r.currency}.`,
    '',
    '## Method',
    '',
    ...r.method.map((m) => `- ${m}`),
    '',
  );
  return out.join('\n');
}
