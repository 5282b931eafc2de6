import { AUTH_ERRORS, route } from '../route-spec.ts';
import { AuditList, AuditQuery } from '../schemas/audit.ts';

export const AUDIT_ROUTES = [
  route({
    id: 'listAudit',
    method: 'GET',
    path: '/v1/audit',
    fn: 'audit',
    scope: 'admin',
    tag: 'audit',
    description:
      'Audit entries of one month (`month`, the current one by default), newest first, a page at a time: consent changes, key issue and revocation, catalog, trigger and campaign changes, each with the key that made it.',
    summary: 'Who changed what (consent, keys, catalog, triggers, campaigns): newest first, one month at a time',
    query: AuditQuery,
    responses: { 200: { description: "The tenant's audit entries", schema: AuditList } },
    errors: [400, ...AUTH_ERRORS],
  }),
];
