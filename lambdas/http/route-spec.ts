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
  | 'audiences'
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

/**
 * One route of the API. The type parameters keep what a table entry names (its id and the exact
 * schemas of its path, query and body), so `httpHandler` can give each implementation the
 * request those schemas make; a table declared through `route()` keeps them.
 */
export interface RouteSpec<
  Id extends string = string,
  Params extends z.ZodObject | undefined = z.ZodObject | undefined,
  Query extends z.ZodObject | undefined = z.ZodObject | undefined,
  Body extends z.ZodType | undefined = z.ZodType | undefined,
> {
  id: Id;
  method: HttpMethod;
  path: `/${string}`;
  fn: ApiFunction;
  scope: RouteScope;
  /** The area of the API the route belongs to (its OpenAPI tag). */
  tag: ApiTag;
  summary: string;
  /** What an integrator needs beyond the summary: behaviour, limits, what each answer means. */
  description: string;
  params?: Params;
  query?: Query;
  /** Request headers the route reads, for the OpenAPI document (the route checks them itself). */
  headers?: z.ZodObject;
  body?: Body;
  bodyLimit?: number;
  /** Takes an `Idempotency-Key` header: a retry with the same key and body replays the first answer. */
  idempotent?: true;
  /** Success responses (status -> schema); error statuses are added for every route. */
  responses: Record<number, RouteResponse>;
  errors: number[];
}

/** A table entry with its id and schemas kept in its type (an annotation `RouteSpec` would widen them away). */
export const route = <
  Id extends string,
  Params extends z.ZodObject | undefined = undefined,
  Query extends z.ZodObject | undefined = undefined,
  Body extends z.ZodType | undefined = undefined,
>(
  spec: RouteSpec<Id, Params, Query, Body>,
): RouteSpec<Id, Params, Query, Body> => spec;

/** What a schema makes of its input, or `absent` for a route that declares none. */
type Parsed<Schema, Absent> = [Schema] extends [z.ZodType] ? z.output<Schema> : Absent;

/** The path parameters, query and body of a call to `R`, as its own schemas made them. */
export type RequestParts<R extends RouteSpec> =
  R extends RouteSpec<string, infer Params, infer Query, infer Body>
    ? {
        // without a schema: the values as they came (path parameters are in the path, so always strings)
        params: Parsed<Params, Record<string, string>>;
        query: Parsed<Query, Record<string, string>>;
        // a route without a body schema reads no body
        body: Parsed<Body, undefined>;
      }
    : never;

export const AUTH_ERRORS = [401, 403];
