import { readReport, reportNamed } from '#app/reports.ts';
import { InvalidInputError } from '#domain/errors.ts';
import { reportChart, toCsv } from '#domain/reports/render.ts';
import type { ReportSnapshot } from '#domain/reports/report.ts';
import { httpHandler, type Reply } from '#http/http-handler.ts';
import { REPORT_ROUTES } from '#http/routes/reports.ts';
import { REPORT_DIMENSIONS } from '#http/schemas/reports.ts';
import { reportAdaptersFor } from '#composition/reports.ts';

const read = readReport(reportAdaptersFor());

const only = (snapshots: ReportSnapshot[], groupBy: string | undefined) =>
  groupBy ? snapshots.map((s) => ({ ...s, rows: s.rows.filter((r) => r['dimension'] === groupBy) })) : snapshots;

/** GET /v1/reports/{name}: stored snapshots as JSON, CSV (Accept: text/csv) or an SVG bar chart (?format=svg). */
export const handler = httpHandler(REPORT_ROUTES, {
  getReport: async (req): Promise<Reply> => {
    // an unknown name is a 404 before its query is looked at
    const name = reportNamed(req.params.name);
    const q = req.query;
    if (q.groupBy && !REPORT_DIMENSIONS[name].some((d) => d === q.groupBy)) {
      throw new InvalidInputError('the query is not valid', [
        { field: 'groupBy', message: `${name} groups by ${REPORT_DIMENSIONS[name].join(', ')}` },
      ]);
    }
    const snapshots = only(await read(req.caller.tenant, name, q), q.groupBy);
    const wantsCsv = q.format === 'csv' || (!q.format && (req.headers['accept'] ?? '').includes('text/csv'));
    if (q.format === 'svg') {
      const latest = snapshots.at(-1);
      const dimension = q.groupBy ?? REPORT_DIMENSIONS[name][0];
      const svg = latest
        ? reportChart(latest, dimension)
        : reportChart({
            name,
            granularity: q.granularity,
            period: 'no snapshot yet',
            generatedAt: '',
            summary: {},
            rows: [],
            chartMetric: '',
          });
      return { status: 200, body: svg, contentType: 'image/svg+xml; charset=utf-8' };
    }
    if (wantsCsv) return { status: 200, body: toCsv(snapshots), contentType: 'text/csv; charset=utf-8' };
    return {
      status: 200,
      body: {
        report: name,
        granularity: q.granularity,
        ...(q.from ? { from: q.from } : {}),
        ...(q.to ? { to: q.to } : {}),
        ...(q.groupBy ? { groupBy: q.groupBy } : {}),
        periods: snapshots,
      },
    };
  },
});
