import type { z } from 'zod';
import type { KeyScope } from '#domain/api-key.ts';
import {
  CustomerExport,
  CustomerParams,
  CustomerProfileBody,
  CustomerView,
  Household,
  HouseholdParams,
} from './schemas/customer.ts';

/**
 * The API, declared once. The Lambda router, the local server, the OpenAPI document and the
 * API Gateway resources in the stack are all derived from this table.
 */
export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'DELETE' | 'PATCH';
export type RouteScope = 'public' | KeyScope;
/** Which Lambda function serves a route. */
export type ApiFunction = 'meta' | 'customers';

export const KB = 1024;
export const DEFAULT_BODY_LIMIT = 256 * KB;

export interface RouteSpec {
  id: string;
  method: HttpMethod;
  path: `/${string}`;
  fn: ApiFunction;
  scope: RouteScope;
  summary: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  bodyLimit?: number;
  /** Success responses (status -> schema); error statuses are added for every route. */
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  errors: number[];
}

const AUTH_ERRORS = [401, 403];

export const ROUTES: RouteSpec[] = [
  {
    id: 'health', method: 'GET', path: '/v1/health', fn: 'meta', scope: 'public', summary: 'Liveness',
    responses: { 200: { description: 'The API is up' } }, errors: [],
  },
  {
    id: 'openapi', method: 'GET', path: '/v1/openapi.json', fn: 'meta', scope: 'public', summary: 'This API as OpenAPI 3',
    responses: { 200: { description: 'The OpenAPI document' } }, errors: [],
  },
  {
    id: 'putCustomer', method: 'PUT', path: '/v1/customers/{customerId}', fn: 'customers', scope: 'admin',
    summary: 'Create or replace a customer profile (If-Match makes it conditional)',
    params: CustomerParams, body: CustomerProfileBody, bodyLimit: 64 * KB,
    responses: { 200: { description: 'Replaced', schema: CustomerView }, 201: { description: 'Created', schema: CustomerView } },
    errors: [400, ...AUTH_ERRORS, 409, 412, 413],
  },
  {
    id: 'getCustomer', method: 'GET', path: '/v1/customers/{customerId}', fn: 'customers', scope: 'channel',
    summary: 'Profile with derived state, value tier, scores and recent contacts',
    params: CustomerParams,
    responses: { 200: { description: 'The customer; ETag carries the version', schema: CustomerView } },
    errors: [400, ...AUTH_ERRORS, 404],
  },
  {
    id: 'deleteCustomer', method: 'DELETE', path: '/v1/customers/{customerId}', fn: 'customers', scope: 'admin',
    summary: 'Erase everything stored about a customer, leaving a tombstone',
    params: CustomerParams,
    responses: { 204: { description: 'Erased' } },
    errors: [400, ...AUTH_ERRORS, 404],
  },
  {
    id: 'exportCustomer', method: 'GET', path: '/v1/customers/{customerId}/export', fn: 'customers', scope: 'admin',
    summary: 'Subject access: everything stored about a customer',
    params: CustomerParams,
    responses: { 200: { description: 'All stored items', schema: CustomerExport } },
    errors: [400, ...AUTH_ERRORS, 404],
  },
  {
    id: 'getHousehold', method: 'GET', path: '/v1/households/{householdId}', fn: 'customers', scope: 'channel',
    summary: 'Household members and value',
    params: HouseholdParams,
    responses: { 200: { description: 'The household', schema: Household } },
    errors: [400, ...AUTH_ERRORS, 404],
  },
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
      .map((seg) => (seg.startsWith('{') ? `(?<${seg.slice(1, -1)}>[^/]+)` : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
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
