import type { MarketConfig } from '#config/market-config.ts';
import { reconcile, toCents, type OtherUnit } from '#domain/cost/reconcile.ts';
import { splitShared, usageWeight } from '#domain/cost/split.ts';
import type { AccountCost, TagStatus, TenantUsage } from '#domain/cost/ports.ts';
import type { SendingCost } from '#domain/cost/sending-prices.ts';
import { METER_NAMES, WORK_METER_NAMES } from '#domain/usage-readings.ts';
import { barChart, escapeXml } from '#domain/reports/render.ts';
import { csvOf, type CsvCell } from '#domain/csv.ts';
import type { UnitCosts } from './unit-costs.ts';

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
  /** The tenant's monthly budget in USD (config `monthlyBudgetUsd`), when it has one. */
  budget?: number;
  /** Its total in percent of the budget. */
  budgetPercent?: number;
  /** Its own tagged cost in percent of the budget: what its AWS Budget sees and alerts on. */
  budgetOwnPercent?: number;
}

/** The reconciliation with the account's bill (Cost Explorer mode only). */
export interface AccountLines {
  /** The account's total for the month, in the report's metric: what the report adds up to. */
  total: number;
  /** Every billing unit of another market or stage found in the account. */
  others: (Omit<OtherUnit, 'cents'> & { amount: number })[];
  /** The account total less everything attributed. */
  unattributed: number;
  /** The untagged cost by record type (Usage, Tax, Credit...), before the tenants' sending is taken out. */
  untaggedByRecordType: Record<string, number>;
  /** Credits anywhere in the account (negative). */
  credits: number;
}

export interface CostReport {
  market: string;
  stage: string;
  month: string;
  mode: 'cost-explorer' | 'estimate';
  currency: string;
  /** The Cost Explorer metric (Cost Explorer mode). */
  metric?: string;
  /** The month is not closed: billing still estimates it. */
  estimated?: boolean;
  rows: ReportRow[];
  /** The market's cost centre of shared resources. */
  sharedCostCenter: string;
  sharedTotal: number;
  unallocated: number;
  /** Billing units of this market and stage whose tenant the config does not know (reported, not split). */
  unknownTenants: Record<string, number>;
  account?: AccountLines;
  /** What is wrong with the cost-allocation tags and how to put it right, shown first. */
  tagWarnings: string[];
  /** Where the usage that splits the shared cost came from. */
  usageMethod: string;
  method: string[];
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const dollars = (cents: number) => cents / 100;
const percentOf = (part: number, whole: number) => round2((part / whole) * 100);

/**
 * What the report says when cost-allocation tags are not active: billing groups cost only by
 * active tags, from their activation on, so until then everything lands in `unattributed`.
 */
export function tagWarnings(statuses: readonly TagStatus[], market: string, stage: string, month: string): string[] {
  const off = statuses.filter((s) => s.status !== 'Active');
  if (off.length === 0) return [];
  const listed = off
    .map(
      (s) =>
        `${s.key} (${s.status === 'Inactive' ? 'inactive' : 'not seen by billing yet: deploy a stack that carries it and wait up to 24 hours'})`,
    )
    .join(', ');
  const cli = off.map((s) => `TagKey=${s.key},Status=Active`).join(' ');
  return [
    `Cost-allocation tags not active: ${listed}. Billing groups cost only by active tags, and only from their activation on; until then the cost they would attribute shows as unattributed.`,
    `Activate them and apply them to past months: \`npm run cost-report -- --market ${market} --stage ${stage} --month ${month} --activate-tags\` (UpdateCostAllocationTagsStatus, then StartCostAllocationTagBackfill from ${month}, at most 12 months back), or \`aws ce update-cost-allocation-tags-status --cost-allocation-tags-status ${cli}\` and \`aws ce start-cost-allocation-tag-backfill --backfill-from ${month}-01T00:00:00Z\`. Activation shows within 24 hours; a backfill takes up to a day and runs once every 24 hours.`,
  ];
}

/**
 * Per-tenant cost: own tagged cost + a share of the `shared` cost, split by metered usage weighted
 * by each meter's unit cost (activity-based), + its sending. From Cost Explorer the report is the
 * whole account's month, reconciled to the cent (domain/cost/reconcile.ts): every other market and
 * stage is listed, and what nobody's tag or meter explains is one `unattributed` line. In estimate
 * mode every part comes from metering and the price table instead. Only the kinds of work weigh
 * the split: the DynamoDB capacity meters are on the tenants' own (tagged) tables, so they are
 * shown, not weighed.
 */
export function buildReport(input: {
  config: MarketConfig;
  month: string;
  usage: TenantUsage;
  unitCosts: UnitCosts;
  /** The whole account's month from billing (absent: estimate). */
  cost?: AccountCost;
  /** The cost-allocation tags' status (Cost Explorer mode), or why it could not be read. */
  tags?: readonly TagStatus[] | Error;
  /** The usage source's own account of where its figures come from. */
  usageMethod?: string;
  /** Where the unit costs come from (model, region, price table and its flagged prices). */
  prices?: string;
  /** Each tenant's metered sends priced (domain/cost/sending-prices.ts), and how they were priced. */
  sending?: { byTenant: Record<string, SendingCost>; method: string };
}): CostReport {
  const { config, usage, unitCosts, cost } = input;
  const market = config.code;
  const stage = config.stage.name;
  const tenants = config.tenants.map((t) => t.id);
  const sharedUnit = Object.fromEntries(WORK_METER_NAMES.map((n) => [n, unitCosts[n].shared]));
  const ownUnit = Object.fromEntries(WORK_METER_NAMES.map((n) => [n, unitCosts[n].own]));
  const weights = Object.fromEntries(tenants.map((t) => [t, usageWeight(usage[t] ?? {}, sharedUnit)]));
  const weightSum = Object.values(weights).reduce((s, w) => s + w, 0);
  const sendingUsd = Object.fromEntries(tenants.map((t) => [t, input.sending?.byTenant[t]?.usd ?? 0]));

  let own: Record<string, number>;
  let shares: Record<string, number>;
  let sending: Record<string, number>;
  let sharedTotal: number;
  let unallocated: number;
  let unknownTenants: Record<string, number> = {};
  let account: AccountLines | undefined;
  if (cost) {
    const r = reconcile({ cost, market, stage, tenants, weights, sending: sendingUsd });
    const asDollars = (m: Record<string, number>) =>
      Object.fromEntries(Object.entries(m).map(([k, c]) => [k, dollars(c)]));
    own = asDollars(r.ownCents);
    shares = asDollars(r.shareCents);
    sending = asDollars(r.sendingCents);
    sharedTotal = dollars(r.sharedCents);
    unallocated = dollars(r.unallocatedCents);
    unknownTenants = asDollars(r.unknownTenantCents);
    account = {
      total: dollars(r.totalCents),
      others: r.others.map(({ cents, ...o }) => ({ ...o, amount: dollars(cents) })),
      unattributed: dollars(r.unattributedCents),
      untaggedByRecordType: asDollars(r.untaggedByRecordType),
      credits: dollars(r.creditCents),
    };
  } else {
    sharedTotal = round2(weightSum);
    own = Object.fromEntries(tenants.map((t) => [t, round2(usageWeight(usage[t] ?? {}, ownUnit))]));
    const split = splitShared(sharedTotal, weights);
    shares = split.shares;
    unallocated = split.unallocated;
    sending = Object.fromEntries(tenants.map((t) => [t, round2(sendingUsd[t] ?? 0)]));
  }

  const rows: ReportRow[] = config.tenants.map((t) => {
    const total = dollars(toCents(own[t.id] ?? 0) + toCents(shares[t.id] ?? 0) + toCents(sending[t.id] ?? 0));
    const budget = t.monthlyBudgetUsd;
    return {
      tenant: t.id,
      costCenter: t.costCenter,
      own: own[t.id] ?? 0,
      shared: shares[t.id] ?? 0,
      sending: sending[t.id] ?? 0,
      total,
      usagePercent: weightSum > 0 ? round2(((weights[t.id] ?? 0) / weightSum) * 100) : 0,
      usage: usage[t.id] ?? {},
      ...(budget
        ? { budget, budgetPercent: percentOf(total, budget), budgetOwnPercent: percentOf(own[t.id] ?? 0, budget) }
        : {}),
    };
  });

  const weightsText = WORK_METER_NAMES.map((n) => `${n} $${(unitCosts[n].shared * 1e6).toFixed(2)}/M`).join(', ');
  const usageMethod = input.usageMethod ?? 'metered usage as given';
  const usageLine = `usage (what splits the shared cost): ${usageMethod}. ReadCapacityUnits and WriteCapacityUnits (DynamoDB ReturnConsumedCapacity on the tenant's own tables) are shown, not weighed: that cost is already the tenant's own. The meters carry market and tenant, not the stage: two stages of one market in one account split their shared cost by the usage of both.`;
  const budgetLine = `budget: each tenant's monthlyBudgetUsd (market config), in USD; "% of budget" is its total here, "own % of budget" its own tagged cost, which is all its AWS Budget (cvm-${market}-${stage}-<tenant>, on tag cvm:billing-unit=${market}/${stage}/<tenant>) can see and alerts on at 80% and 100% of actual and forecast spend.`;
  const unit = `${market}/${stage}`;
  const method = cost
    ? [
        `cost: Cost Explorer GetCostAndUsage, ${cost.metric} for ${input.month}, of the whole account unfiltered (every region, tax, credits and refunds included), grouped by tag cvm:billing-unit (<market>/<stage>/<tenant>) and by RECORD_TYPE; the report's lines add up to the account's total to the cent${cost.estimated ? '. The month is not closed: billing still estimates it' : ''}.`,
        cost.metric === 'NetAmortizedCost'
          ? 'metric: NetAmortizedCost, what the month really cost: Savings Plan and reservation fees spread over the months they cover and net of discounts (UnblendedCost, the invoice basis, shows covered usage at list price beside a negation).'
          : `metric: ${cost.metric}, as asked with --metric (the default is NetAmortizedCost).`,
        `own: each tenant's billing unit, cvm:billing-unit=${unit}/<tenant> (its tables, key, queues, usage plan, secrets and alarms).`,
        `shared: the ${unit}/shared cost (${sharedTotal.toFixed(2)}) split by metered usage, each meter weighted by its list-price unit cost on shared resources (${weightsText}); shares are whole cents that sum to the shared total; a tenant with no usage pays no share.`,
        `unit costs (the weights): ${input.prices ?? 'as given'}.`,
        usageLine,
        ...(input.sending ? [input.sending.method] : []),
        'other markets and stages: every other billing unit in the account, with its tagged cost, not split here (run the report for that market and stage).',
        `unattributed: the account's total less everything above: cost that carries no cvm:billing-unit tag (X-Ray traces, custom and detailed metrics, the API Gateway execution log group, some data transfer, tax, support, other workloads of the account), credits and refunds, and any difference between the metered sending and what AWS billed for it. It is not split.`,
        budgetLine,
      ]
    : [
        `estimate: no billing data. own = metered usage x unit cost on the tenant's tagged resources (DynamoDB reads, writes, storage and point-in-time recovery, its queue); shared = metered usage x unit cost on shared resources (${weightsText}).`,
        `unit costs: ${input.prices ?? 'as given'}.`,
        usageLine,
        'not included: KMS keys, secrets, alarms and other monthly fees; nothing is reconciled with a bill.',
        ...(input.sending ? [input.sending.method] : []),
        budgetLine,
      ];
  return {
    market,
    stage,
    month: input.month,
    mode: cost ? 'cost-explorer' : 'estimate',
    currency: cost?.currency ?? 'USD',
    ...(cost ? { metric: cost.metric, estimated: cost.estimated } : {}),
    rows,
    sharedCostCenter: config.sharedCostCenter,
    sharedTotal,
    unallocated,
    unknownTenants,
    ...(account ? { account } : {}),
    tagWarnings:
      input.tags instanceof Error
        ? [
            `Could not read the cost-allocation tags' status (ListCostAllocationTags: ${input.tags.name}: ${input.tags.message}). If the tenants' cost shows as unattributed, check that the cvm: tags are active (docs/deploy.md, step 10).`,
          ]
        : input.tags
          ? tagWarnings(input.tags, market, stage, input.month)
          : [],
    usageMethod,
    method,
  };
}

/** A line of the showback file: one amount of one tenant (or unit) and one category. */
export interface ShowbackLine {
  market: string;
  stage: string;
  tenant: string;
  costCenter: string;
  category: 'own' | 'shared' | 'sending' | 'shared-unallocated' | 'unknown-tenant' | 'shared-unsplit' | 'unattributed';
  amount: number;
}

/**
 * The report as finance books it: per tenant one line each for `own`, `shared` (its share) and
 * `sending`, zero or not; then this market's shared cost no usage carried, billing units of
 * unknown tenants, every other market's and stage's units (`own` of their tenants,
 * `shared-unsplit`), and the account-wide `unattributed` (market and stage empty). The amounts add
 * up to the account's total (Cost Explorer mode).
 */
export function showbackLines(r: CostReport): ShowbackLine[] {
  const here = { market: r.market, stage: r.stage };
  const lines: ShowbackLine[] = r.rows.flatMap((row) =>
    (['own', 'shared', 'sending'] as const).map((category) => ({
      ...here,
      tenant: row.tenant,
      costCenter: row.costCenter,
      category,
      amount: row[category],
    })),
  );
  if (r.unallocated)
    lines.push({
      ...here,
      tenant: 'shared',
      costCenter: r.sharedCostCenter,
      category: 'shared-unallocated',
      amount: r.unallocated,
    });
  for (const [tenant, amount] of Object.entries(r.unknownTenants))
    lines.push({ ...here, tenant, costCenter: '', category: 'unknown-tenant', amount });
  for (const o of r.account?.others ?? [])
    lines.push({
      market: o.market,
      stage: o.stage,
      tenant: o.tenant,
      costCenter: '',
      category: o.tenant === 'shared' ? 'shared-unsplit' : 'own',
      amount: o.amount,
    });
  if (r.account)
    lines.push({
      market: '',
      stage: '',
      tenant: '',
      costCenter: '',
      category: 'unattributed',
      amount: r.account.unattributed,
    });
  return lines;
}

export const SHOWBACK_COLUMNS = [
  'market',
  'stage',
  'month',
  'tenant',
  'cost_center',
  'category',
  'amount',
  'currency',
] as const;

/** The monthly showback file (`--format csv`): SHOWBACK_COLUMNS, through the platform's one CSV writer. */
export function toShowbackCsv(r: CostReport): string {
  return csvOf(
    SHOWBACK_COLUMNS,
    showbackLines(r).map((l) => [
      l.market,
      l.stage,
      r.month,
      l.tenant,
      l.costCenter,
      l.category,
      l.amount.toFixed(2),
      r.currency,
    ]),
  );
}

const METER_COLUMNS = METER_NAMES;
/** Capacity units come in halves (eventually consistent reads); nothing finer is meaningful. */
const usageCell = (n: number | undefined) => String(Math.round((n ?? 0) * 100) / 100);
const optional = (n: number | undefined) => (n === undefined ? '' : n.toFixed(2));

/**
 * One row per tenant with every figure and the month's meters (`--format csv-wide`, the report's
 * CSV before the showback file), then this market's lines that are no tenant's.
 */
export function toWideCsv(r: CostReport): string {
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
    'budget',
    'budget_percent',
  ];
  const money = (x: number) => x.toFixed(2);
  /** A line that is not a tenant: unallocated, an unknown tenant (tag text), unattributed. */
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
    '',
    '',
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
    optional(row.budget),
    optional(row.budgetPercent),
  ]);
  if (r.unallocated) rows.push(other('(unallocated shared)', 0, r.unallocated));
  for (const [tag, amount] of Object.entries(r.unknownTenants)) rows.push(other(`(unknown tenant ${tag})`, amount, 0));
  if (r.account) rows.push(other('(unattributed)', r.account.unattributed, 0));
  return csvOf(head, rows);
}

const mdCell = (s: string) => s.replace(/\|/g, '\\|');
const typesText = (byType: Record<string, number>) =>
  Object.entries(byType)
    .map(([type, amount]) => `${type || '(no record type)'} ${amount.toFixed(2)}`)
    .join(', ') || 'none';

export function toMarkdown(r: CostReport): string {
  const source =
    r.mode === 'estimate'
      ? 'ESTIMATE from metering and list prices'
      : `Cost Explorer, ${r.metric}${r.estimated ? ', month not closed' : ''}`;
  const blank = (n: number) => Array.from({ length: n }, () => '').join(' | ');
  const out = [
    `# Cost by tenant: market ${r.market}, stage ${r.stage}, ${r.month} (${source})`,
    '',
    ...r.tagWarnings.flatMap((w) => [`> **${w.startsWith('Activate') ? 'To do' : 'Warning'}:** ${w}`, '']),
    `| tenant | cost centre | own (tagged) | shared share | total ${r.currency} | usage % | sending | budget USD | % of budget | own % of budget | ${METER_COLUMNS.join(' | ')} |`,
    `|---|---|---:|---:|---:|---:|---:|---:|---:|---:|${METER_COLUMNS.map(() => '---:').join('|')}|`,
    ...r.rows.map(
      (row) =>
        `| ${row.tenant} | ${row.costCenter} | ${row.own.toFixed(2)} | ${row.shared.toFixed(2)} | ${row.total.toFixed(2)} | ${row.usagePercent.toFixed(2)} | ${row.sending.toFixed(2)} | ${optional(row.budget)} | ${optional(row.budgetPercent)} | ${optional(row.budgetOwnPercent)} | ${METER_COLUMNS.map((m) => usageCell(row.usage[m])).join(' | ')} |`,
    ),
  ];
  const tail = blank(3 + METER_COLUMNS.length);
  if (r.unallocated)
    out.push(
      `| (unallocated shared: no metered usage) | | | ${r.unallocated.toFixed(2)} | ${r.unallocated.toFixed(2)} | | | ${tail} |`,
    );
  for (const [tag, amount] of Object.entries(r.unknownTenants))
    out.push(
      `| (tenant ${mdCell(tag)}: not a tenant of this market) | | ${amount.toFixed(2)} | | ${amount.toFixed(2)} | | | ${tail} |`,
    );
  out.push('', `Shared total: ${r.sharedTotal.toFixed(2)} ${r.currency}.`);
  if (r.account) {
    const a = r.account;
    const sum = (xs: number[]) => xs.reduce((s, x) => s + toCents(x), 0) / 100;
    out.push(
      '',
      "## Reconciliation with the account's bill",
      '',
      '| market | stage | what | amount |',
      '|---|---|---|---:|',
      `| ${r.market} | ${r.stage} | tenants' own (tagged) | ${sum(r.rows.map((x) => x.own)).toFixed(2)} |`,
      `| ${r.market} | ${r.stage} | shared (split above) | ${r.sharedTotal.toFixed(2)} |`,
      `| ${r.market} | ${r.stage} | tenants' sending (metered, billed untagged) | ${sum(r.rows.map((x) => x.sending)).toFixed(2)} |`,
      ...Object.entries(r.unknownTenants).map(
        ([tag, amount]) => `| ${r.market} | ${r.stage} | tenant ${mdCell(tag)} (unknown) | ${amount.toFixed(2)} |`,
      ),
      ...a.others.map(
        (o) =>
          `| ${mdCell(o.market)} | ${mdCell(o.stage)} | ${o.tenant === 'shared' ? 'shared (not split here)' : o.tenant ? `tenant ${mdCell(o.tenant)} own` : 'tagged'} | ${o.amount.toFixed(2)} |`,
      ),
      `| (account) | | unattributed: untagged ${typesText(a.untaggedByRecordType)}; less the tenants' sending | ${a.unattributed.toFixed(2)} |`,
      `| **(account)** | | **total, ${r.metric}** | **${a.total.toFixed(2)}** |`,
      '',
      `Markets and stages found in the account: ${[...new Set([`${r.market}/${r.stage}`, ...a.others.map((o) => (o.stage ? `${o.market}/${o.stage}` : o.market))])].join(', ')}. Credits in the month: ${a.credits.toFixed(2)} ${r.currency}.`,
    );
  }
  out.push('', '## Method', '', ...r.method.map((m) => `- ${m}`), '');
  return out.join('\n');
}

/** Text for the page: escaped, with markdown's `code` spans as <code>. */
const htmlText = (text: string) => escapeXml(text).replace(/`([^`]+)`/g, '<code>$1</code>');

/** A self-contained page (`--format html`): inline CSS and one inline SVG chart per tenant, no scripts, no external assets. */
export function toHtml(r: CostReport): string {
  const title = `Cost by tenant: market ${r.market}, stage ${r.stage}, ${r.month}`;
  const source =
    r.mode === 'estimate'
      ? 'estimate from metering and list prices'
      : `Cost Explorer, ${r.metric}${r.estimated ? ' (month not closed)' : ''}`;
  const charts = r.rows.map((row) => {
    const over = row.budget !== undefined && row.total > row.budget;
    const bars = [
      { label: 'own (tagged)', value: row.own },
      { label: 'shared share', value: row.shared },
      { label: 'sending', value: row.sending },
      { label: 'total', value: row.total, highlight: over },
      ...(row.budget !== undefined ? [{ label: 'budget', value: row.budget }] : []),
    ];
    const budgetText =
      row.budget !== undefined
        ? `${row.budgetPercent!.toFixed(2)}% of its ${row.budget.toFixed(2)} USD budget${over ? ' — OVER BUDGET' : ''}; own ${row.budgetOwnPercent!.toFixed(2)}% (what its AWS Budget sees)`
        : 'no budget';
    return `<figure><figcaption>${escapeXml(`${row.tenant} · ${row.costCenter} · ${budgetText}`)}</figcaption>${barChart(`${row.tenant}: ${r.currency} in ${r.month}`, bars, 560)}</figure>`;
  });
  const lines = showbackLines(r);
  const table = `<table><thead><tr>${SHOWBACK_COLUMNS.map((c) => `<th>${escapeXml(c)}</th>`).join('')}</tr></thead><tbody>${lines
    .map(
      (l) =>
        `<tr>${[l.market, l.stage, r.month, l.tenant, l.costCenter, l.category, l.amount.toFixed(2), r.currency]
          .map((c) => `<td>${escapeXml(c)}</td>`)
          .join('')}</tr>`,
    )
    .join('')}</tbody></table>`;
  const kpis = r.account
    ? [
        ['account total', r.account.total],
        ['unattributed', r.account.unattributed],
        ['credits', r.account.credits],
        [`${r.market}/${r.stage} shared`, r.sharedTotal],
      ]
    : [[`${r.market}/${r.stage} shared (estimate)`, r.sharedTotal]];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:24px;color:#1f2933;background:#f5f7fa}
h1{font-size:22px}h2{font-size:18px;margin-top:28px}.meta{color:#52606d;font-size:12px}
.warning{background:#fff3c4;border:1px solid #f0b429;padding:8px 12px;border-radius:6px;margin:8px 0}
.kpis{display:flex;flex-wrap:wrap;gap:8px}.kpi{background:#fff;border:1px solid #d9e2ec;border-radius:6px;padding:8px 12px;min-width:120px}
.kpi .v{display:block;font-size:18px;font-weight:600}.kpi .k{font-size:11px;color:#52606d}
.charts{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}figure{margin:0;background:#fff;border:1px solid #d9e2ec}
figcaption{font-size:12px;padding:6px 8px;color:#52606d}
table{border-collapse:collapse;font-size:12px;background:#fff}th,td{border:1px solid #d9e2ec;padding:3px 6px;text-align:left}
th{background:#e4e7eb}td:nth-child(7){text-align:right}li{font-size:13px;margin:4px 0}
</style></head><body><h1>${escapeXml(title)}</h1>
<p class="meta">${escapeXml(source)} · amounts in ${escapeXml(r.currency)}</p>
${r.tagWarnings.map((w) => `<p class="warning">${htmlText(w)}</p>`).join('\n')}
<div class="kpis">${kpis
    .map(
      ([k, v]) =>
        `<div class="kpi"><span class="v">${escapeXml((v as number).toFixed(2))}</span><span class="k">${escapeXml(String(k))}</span></div>`,
    )
    .join('')}</div>
<h2>Per tenant</h2><div class="charts">${charts.join('\n')}</div>
<h2>Showback lines</h2>${table}
<h2>Method</h2><ul>${r.method.map((m) => `<li>${htmlText(m)}</li>`).join('')}</ul>
</body></html>
`;
}
