import type { RouteSpec } from './route-spec.ts';
import { CUSTOMER_ROUTES } from './routes/customers.ts';
import { EVENT_ROUTES } from './routes/events.ts';
import { DECISION_ROUTES } from './routes/decisions.ts';
import { META_ROUTES } from './routes/meta.ts';
import { AUDIT_ROUTES } from './routes/audit.ts';
import { CAMPAIGN_ROUTES } from './routes/campaigns.ts';
import { AUDIENCE_ROUTES } from './routes/audiences.ts';
import { REPORT_ROUTES } from './routes/reports.ts';
import { CHANNEL_ROUTES } from './routes/channels.ts';

export * from './route-spec.ts';
export * from './route-match.ts';

/**
 * The API, declared once (one file per capability under routes/). The Lambda router, the local
 * server, the OpenAPI document and the API Gateway resources in the stack derive from it.
 */
export const ROUTES: RouteSpec[] = [
  ...META_ROUTES,
  ...CUSTOMER_ROUTES,
  ...EVENT_ROUTES,
  ...DECISION_ROUTES,
  ...AUDIT_ROUTES,
  ...REPORT_ROUTES,
  ...CAMPAIGN_ROUTES,
  ...AUDIENCE_ROUTES,
  ...CHANNEL_ROUTES,
];
