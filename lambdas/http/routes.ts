import type { HttpMethod, RouteSpec } from './route-spec.ts';
import { CUSTOMER_ROUTES } from './routes/customers.ts';
import { EVENT_ROUTES } from './routes/events.ts';
import { DECISION_ROUTES } from './routes/decisions.ts';
import { META_ROUTES } from './routes/meta.ts';
import { AUDIT_ROUTES } from './routes/audit.ts';
import { CAMPAIGN_ROUTES } from './routes/campaigns.ts';
import { REPORT_ROUTES } from './routes/reports.ts';
import { CHANNEL_ROUTES } from './routes/channels.ts';

export * from './route-spec.ts';

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
  ...CHANNEL_ROUTES,
];

export interface RouteMatch {
  route: RouteSpec;
  params: Record<string, string>;
}

const compiled = new Map<string, RegExp>();
function patternOf(path: string): RegExp {
  let re = compiled.get(path);
  if (!re) {
    const source = path
      .split('/')
      .map((seg) =>
        seg.startsWith('{') ? `(?<${seg.slice(1, -1)}>[^/]+)` : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
      )
      .join('/');
    re = new RegExp(`^${source}/?$`);
    compiled.set(path, re);
  }
  return re;
}

export type Resolution =
  | { kind: 'match'; match: RouteMatch }
  | { kind: 'method-not-allowed'; allowed: HttpMethod[] }
  | { kind: 'not-found' };

/** Finds the route for a method and path among `routes`; distinguishes 404 from 405. */
export function resolveRoute(routes: RouteSpec[], method: string, path: string): Resolution {
  const allowed: HttpMethod[] = [];
  for (const route of routes) {
    const m = patternOf(route.path).exec(path);
    if (!m) continue;
    if (route.method === method) {
      const params: Record<string, string> = {};
      for (const [k, v] of Object.entries(m.groups ?? {})) {
        try {
          params[k] = decodeURIComponent(v);
        } catch {
          params[k] = v;
        }
      }
      return { kind: 'match', match: { route, params } };
    }
    allowed.push(route.method);
  }
  return allowed.length ? { kind: 'method-not-allowed', allowed } : { kind: 'not-found' };
}
