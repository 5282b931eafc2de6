import { csvOf } from '../csv.ts';
import type { Cell, ReportSnapshot, Row } from './report.ts';

/** Report rendering: CSV, an SVG bar chart and a self-contained HTML page (pure strings). */

/** One line per period and row; the columns are the union of the rows' fields (RFC 4180). */
export function toCsv(snapshots: ReportSnapshot[]): string {
  const columns = ['period'];
  for (const s of snapshots) for (const k of s.columns ?? []) if (!columns.includes(k)) columns.push(k);
  for (const s of snapshots)
    for (const r of s.rows) for (const k of Object.keys(r)) if (!columns.includes(k)) columns.push(k);
  const rows = snapshots.flatMap((s) => s.rows.map((r) => columns.map((c) => (c === 'period' ? s.period : r[c]))));
  return csvOf(columns, rows);
}

export const escapeXml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : String(Math.round(v * 10000) / 10000));

/** The opening lines every chart shares: the SVG element, a white ground, the title, and a notice when there is nothing to draw. */
function chartOpening(title: string, width: number, height: number, top: number, empty: boolean): string[] {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(title)}">`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="8" y="22" font-family="sans-serif" font-size="15" font-weight="bold" fill="#1f2933">${escapeXml(title)}</text>`,
    ...(empty
      ? [
          `<text x="8" y="${top + 16}" font-family="sans-serif" font-size="12" fill="#52606d">no data in this period</text>`,
        ]
      : []),
  ];
}

export interface Bar {
  label: string;
  value: number;
  highlight?: boolean;
}

/** A horizontal bar chart, every value written as text next to its bar. */
export function barChart(title: string, bars: Bar[], width = 640): string {
  const rowH = 24;
  const labelW = 220;
  const top = 36;
  const height = top + Math.max(1, bars.length) * rowH + 16;
  const max = Math.max(0, ...bars.map((b) => b.value));
  const barMax = width - labelW - 90;
  const parts = chartOpening(title, width, height, top, bars.length === 0);
  bars.forEach((b, i) => {
    const y = top + i * rowH;
    const w = max > 0 ? Math.max(1, Math.round((Math.max(0, b.value) / max) * barMax)) : 1;
    parts.push(
      `<text x="${labelW - 6}" y="${y + 15}" text-anchor="end" font-family="sans-serif" font-size="12" fill="#1f2933">${escapeXml(b.label.slice(0, 34))}</text>`,
      `<rect x="${labelW}" y="${y + 3}" width="${w}" height="${rowH - 8}" fill="${b.highlight ? '#d64545' : '#2f80ed'}"/>`,
      `<text x="${labelW + w + 6}" y="${y + 15}" font-family="sans-serif" font-size="12" fill="#1f2933">${escapeXml(fmt(b.value))}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}

export interface IntervalBar {
  label: string;
  estimate: number;
  low: number;
  high: number;
  unit?: string;
}

/**
 * Differences with their 95% intervals, one row each on its own scale centred on zero (the rows
 * are in different units): a line from low to high, a dot at the estimate, a zero line per row.
 * An interval that misses zero is drawn red: a difference the data shows.
 */
export function intervalChart(title: string, rows: IntervalBar[], width = 640): string {
  const rowH = 32;
  const labelW = 160;
  const valueW = 200;
  const top = 36;
  const height = top + Math.max(1, rows.length) * rowH + 16;
  const plotW = width - labelW - valueW;
  const mid = labelW + plotW / 2;
  const parts = chartOpening(title, width, height, top, rows.length === 0);
  rows.forEach((r, i) => {
    const y = top + i * rowH + rowH / 2;
    const span = Math.max(Math.abs(r.low), Math.abs(r.high), Math.abs(r.estimate)) || 1;
    const x = (v: number) => Math.round((mid + (v / span) * (plotW / 2 - 8)) * 10) / 10;
    const colour = r.low > 0 || r.high < 0 ? '#d64545' : '#2f80ed';
    const unit = r.unit ? ` ${r.unit}` : '';
    parts.push(
      `<text x="${labelW - 6}" y="${y + 4}" text-anchor="end" font-family="sans-serif" font-size="12" fill="#1f2933">${escapeXml(r.label.slice(0, 24))}</text>`,
      `<line x1="${mid}" y1="${y - 10}" x2="${mid}" y2="${y + 10}" stroke="#9aa5b1" stroke-width="1"/>`,
      `<line x1="${x(r.low)}" y1="${y}" x2="${x(r.high)}" y2="${y}" stroke="${colour}" stroke-width="3"/>`,
      `<circle cx="${x(r.estimate)}" cy="${y}" r="5" fill="${colour}"/>`,
      `<text x="${labelW + plotW + 8}" y="${y + 4}" font-family="sans-serif" font-size="12" fill="#1f2933">${escapeXml(`${fmt(r.estimate)} [${fmt(r.low)}, ${fmt(r.high)}]${unit}`)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}

const numeric = (v: Cell | undefined): number => (typeof v === 'number' ? v : 0);
const UNIT_LABELS: Record<string, string> = { percent: 'pp', currency: '', nps: 'NPS pts' };
const label = (r: Row) => (r['dimension'] ? `${r['dimension']}: ${r['value']}` : String(r['value'] ?? ''));

/** The chart of one snapshot: its chart metric per row (optionally one dimension only). */
export function reportChart(s: ReportSnapshot, dimension?: string, metric = s.chartMetric): string {
  const rows = s.rows.filter((r) => !dimension || r['dimension'] === dimension).slice(0, 40);
  // rows with an interval of the chart metric (the programme report's differences): the intervals
  if (metric === 'difference' && rows.some((r) => typeof r['ci95Low'] === 'number'))
    return intervalChart(
      `${s.name} · difference and 95% interval · ${s.period}`,
      rows
        .filter((r) => typeof r['ci95Low'] === 'number')
        .map((r) => ({
          label: String(r['value']),
          estimate: numeric(r['difference']),
          low: numeric(r['ci95Low']),
          high: numeric(r['ci95High']),
          unit: UNIT_LABELS[String(r['unit'])] ?? '',
        })),
    );
  // a dimension without the chart metric (the programme report's groups) charts its first figure
  const shown = rows.some((r) => metric in r)
    ? metric
    : (Object.keys(rows[0] ?? {}).find((k) => typeof rows[0]![k] === 'number') ?? metric);
  return barChart(
    `${s.name} · ${shown} · ${s.period}${dimension ? ` · by ${dimension}` : ''}`,
    rows.map((r) => ({ label: label(r), value: numeric(r[shown]), highlight: r['flagged'] === 1 })),
  );
}

const htmlCell = (v: Cell | undefined) => escapeXml(v === null || v === undefined ? '–' : String(v));

function table(rows: Row[], order: string[] = []): string {
  if (rows.length === 0) return '<p class="empty">No rows in this period.</p>';
  const columns: string[] = [...order];
  for (const r of rows) for (const k of Object.keys(r)) if (!columns.includes(k)) columns.push(k);
  return `<table><thead><tr>${columns.map((c) => `<th>${escapeXml(c)}</th>`).join('')}</tr></thead><tbody>${rows
    .map(
      (r) =>
        `<tr${r['flagged'] === 1 ? ' class="flagged"' : ''}>${columns.map((c) => `<td>${htmlCell(r[c])}</td>`).join('')}</tr>`,
    )
    .join('')}</tbody></table>`;
}

/** A self-contained page (inline CSS and SVG, no scripts, no external assets). */
export function reportHtml(title: string, snapshots: ReportSnapshot[]): string {
  const sections = snapshots.map((s) => {
    const dimensions = [...new Set(s.rows.map((r) => String(r['dimension'] ?? '')))];
    const rank = (k: string) => (s.columns ?? []).indexOf(k) + 1 || 999;
    const summary = Object.entries(s.summary)
      .sort(([a], [b]) => rank(a) - rank(b))
      .map(
        ([k, v]) =>
          `<div class="kpi"><span class="v">${htmlCell(v)}</span><span class="k">${escapeXml(k)}</span></div>`,
      )
      .join('');
    const charts = dimensions
      .filter((d) => d !== 'combination' || s.name === 'acquisition-quality')
      .map((d) => `<figure>${reportChart(s, d || undefined)}</figure>`)
      .join('');
    return `<section><h2>${escapeXml(s.name)} — ${escapeXml(s.granularity)} ${escapeXml(s.period)}</h2><p class="meta">generated ${escapeXml(s.generatedAt)}</p><div class="kpis">${summary}</div><div class="charts">${charts}</div>${table(s.rows, s.columns)}</section>`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:24px;color:#1f2933;background:#f5f7fa}
h1{font-size:22px}h2{font-size:18px;margin-top:32px}.meta{color:#52606d;font-size:12px}
.kpis{display:flex;flex-wrap:wrap;gap:8px}.kpi{background:#fff;border:1px solid #d9e2ec;border-radius:6px;padding:8px 12px;min-width:110px}
.kpi .v{display:block;font-size:18px;font-weight:600}.kpi .k{font-size:11px;color:#52606d}
.charts{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}figure{margin:0;background:#fff;border:1px solid #d9e2ec}
table{border-collapse:collapse;font-size:12px;background:#fff}th,td{border:1px solid #d9e2ec;padding:3px 6px;text-align:right}
th{background:#e4e7eb}td:first-child,td:nth-child(2){text-align:left}tr.flagged td{background:#ffe3e3}.empty{color:#52606d}
</style></head><body><h1>${escapeXml(title)}</h1>${sections.join('\n') || '<p class="empty">No report snapshots yet.</p>'}</body></html>
`;
}
