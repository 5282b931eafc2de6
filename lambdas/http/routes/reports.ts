import { AUTH_ERRORS, route } from '../route-spec.ts';
import { ReportParams, ReportQuery, ReportView } from '../schemas/reports.ts';

export const REPORT_ROUTES = [
  route({
    id: 'getReport',
    method: 'GET',
    path: '/v1/reports/{name}',
    fn: 'reports',
    scope: 'admin',
    tag: 'reports',
    description:
      'Reads the stored snapshots of a report (built on a schedule, never computed on request): the latest period without `from`/`to`, otherwise the periods in range at the `granularity`, optionally grouped by `groupBy`. JSON by default; `Accept: text/csv` or `format=csv` answers CSV, `format=svg` an SVG bar chart of the latest period. `programme` compares the global control group with everyone else (churn rate, ARPU, offer take-up, measured NPS: each difference with its 95% interval, and the group sizes); its SVG draws the intervals.',
    summary:
      'KPIs, exit reasons, acquisition quality, decisions or programme value from stored snapshots: JSON, CSV (Accept: text/csv) or an SVG chart (?format=svg)',
    params: ReportParams,
    query: ReportQuery,
    responses: {
      200: {
        description:
          'Snapshots of the periods asked for (the latest one without from/to): JSON, CSV with `Accept: text/csv` or `format=csv`, an SVG chart with `format=svg`',
        schema: ReportView,
        textMedia: ['text/csv', 'image/svg+xml'],
      },
    },
    errors: [400, ...AUTH_ERRORS, 404],
  }),
];
