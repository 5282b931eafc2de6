import type * as z from 'zod';
import type { KeyScope } from '#domain/api-key.ts';

export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'DELETE' | 'PATCH';
export type RouteScope = 'public' | KeyScope;
/** Which Lambda function serves a route. */
export type ApiFunction =
  | 'meta'
  | 'customers'
  | 'events'
  | 'decisions'
  | 'campaigns'
  | 'reports'
  | 'audit'
  | 'channels';

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

export const AUTH_ERRORS = [401, 403];
