import { AUTH_ERRORS, type RouteSpec } from '../route-spec.ts';
import { ReportParams, ReportQuery, ReportView } from '../schemas/reports.ts';

export const REPORT_ROUTES: RouteSpec[] = [
  {
    id: 'getReport',
    method: 'GET',
    path: '/v1/reports/{name}',
    fn: 'reports',
    scope: 'admin',
    summary:
      'KPIs, exit reasons, acquisition quality or decisions from stored snapshots: JSON, CSV (Accept: text/csv) or an SVG chart (?format=svg)',
    params: ReportParams,
    query: ReportQuery,
    responses: {
      200: { description: 'Snapshots of the periods asked for (the latest one without from/to)', schema: ReportView },
    },
    errors: [400, ...AUTH_ERRORS, 404],
  },
];
