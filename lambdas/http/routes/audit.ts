import { AUTH_ERRORS, type RouteSpec } from '../route-spec.ts';
import { AuditList, AuditQuery } from '../schemas/audit.ts';

export const AUDIT_ROUTES: RouteSpec[] = [
  {
    id: 'listAudit',
    method: 'GET',
    path: '/v1/audit',
    fn: 'audit',
    scope: 'admin',
    summary: 'Who changed what (consent, keys, catalog, triggers, campaigns): newest first, one month at a time',
    query: AuditQuery,
    responses: { 200: { description: "The tenant's audit entries", schema: AuditList } },
    errors: [400, ...AUTH_ERRORS],
  },
];
