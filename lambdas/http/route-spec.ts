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

/** The areas of the API: one OpenAPI tag each, in the order the document lists them. */
export const API_TAGS = {
  customers: 'Customer profiles with their derived state, households, subject access export and erasure',
  events: "Events from the operator's systems: usage, billing, care, surveys, offers, messages, churn and acquisition",
  triggers: 'Real-time trigger rules: an event type and a condition on state that hand an action to a channel',
  actions: "The tenant's action catalog: offers, retention, service and information actions with their eligibility",
  decisions: 'Next best actions for a customer on a channel, the decision log and the responses that feed learning',
  campaigns: 'Campaign workflows with control group, pilot, measured uplift and roll-out, and their reports',
  reports: 'KPIs, exit reasons, acquisition quality and decisions from stored snapshots, as JSON, CSV or SVG',
  channels: "How messages leave: the tenant's connection per channel (webhook, AWS SMS, SES, SNS push, hand-off queue)",
  audit: 'Who changed what: consent, keys, catalog, triggers and campaigns',
  meta: 'Liveness and this contract',
} as const;
export type ApiTag = keyof typeof API_TAGS;

/** A response header as the OpenAPI document declares it (an OpenAPI Header Object; a type, so it is indexable). */
export type ResponseHeader = {
  description: string;
  schema: { type: 'string' | 'integer'; minimum?: number; enum?: string[]; example?: string | number };
  required?: boolean;
};

/** Other representations of a response than JSON, chosen by Accept or a query parameter; text bodies. */
export type TextMediaType = 'text/csv' | 'image/svg+xml';

export interface RouteResponse {
  description: string;
  schema?: z.ZodType;
  /** Headers this answer carries, by name (ETag, Location, Cache-Control...). */
  headers?: Record<string, ResponseHeader>;
  /** Text representations besides JSON (the JSON one is `schema`). */
  textMedia?: TextMediaType[];
}

export interface RouteSpec {
  id: string;
  method: HttpMethod;
  path: `/${string}`;
  fn: ApiFunction;
  scope: RouteScope;
  /** The area of the API the route belongs to (its OpenAPI tag). */
  tag: ApiTag;
  summary: string;
  /** What an integrator needs beyond the summary: behaviour, limits, what each answer means. */
  description: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  /** Request headers the route reads, for the OpenAPI document (the route checks them itself). */
  headers?: z.ZodObject;
  body?: z.ZodType;
  bodyLimit?: number;
  /** Takes an `Idempotency-Key` header: a retry with the same key and body replays the first answer. */
  idempotent?: true;
  /** Success responses (status -> schema); error statuses are added for every route. */
  responses: Record<number, RouteResponse>;
  errors: number[];
}

export const AUTH_ERRORS = [401, 403];
