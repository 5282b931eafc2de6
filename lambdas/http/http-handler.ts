import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { scopeAllows, type Caller } from '#domain/api-key.ts';
import { InvalidInputError, NotFoundError, UnavailableError } from '#domain/errors.ts';
import { IDEMPOTENCY_KEY, type IdempotentRequests } from '#domain/idempotency.ts';
import { canonicalJson } from '#domain/starter.ts';
import { causeChain } from '#edge/cause-chain.ts';
import {
  ForbiddenError,
  MethodNotAllowedError,
  PayloadTooLargeError,
  UnauthenticatedError,
  UnsupportedMediaTypeError,
} from './errors.ts';
import { decodeBody, jsonInputProblem } from './json-input.ts';
import { acceptedMediaTypes, isAcceptedMediaType } from './media-types.ts';
import { API_CORRELATION_PATH, logContext, logger } from '#edge/logger.ts';
import { apiMetering } from './request-metering.ts';
import { callerOf } from './authorizer-context.ts';
import { fieldErrorsOf } from '#edge/field-errors.ts';
import { resultForError, type HttpResult } from './problem.ts';
import { unstorableNumber } from './storable-numbers.ts';
import { resolveRoute } from './route-match.ts';
import { DEFAULT_BODY_LIMIT, type RequestParts, type RouteSpec } from './route-spec.ts';

/** One call as a route's implementation sees it: `params`, `query` and `body` are what the route's schemas made of them. */
export interface HttpRequest<Body = unknown, Query = Record<string, string>, Params = Record<string, string>> {
  caller: Caller;
  params: Params;
  query: Query;
  headers: Record<string, string>;
  body: Body;
  requestId: string;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Defaults to application/json. */
  contentType?: string;
}

/** The implementation of route `R`: its request typed by the route's own schemas. */
export type RouteImpl<R extends RouteSpec = RouteSpec> = (
  req: HttpRequest<RequestParts<R>['body'], RequestParts<R>['query'], RequestParts<R>['params']>,
) => Promise<Reply>;

/**
 * The implementations of a route table, by route id: a missing or unknown id, or an implementation
 * that takes another request than its route's schemas make, does not compile.
 */
export type RouteImpls<R extends RouteSpec> = { [Route in R as Route['id']]: RouteImpl<Route> };

/**
 * How the router holds a table's implementations once `RouteImpls` has checked them against their
 * routes. A method's parameter is compared both ways, so each typed implementation fits without
 * `any`; sound because the router hands each one a request made by the schemas of its own route.
 */
type HeldImpls = Partial<Record<string, { run(req: HttpRequest<unknown, unknown, unknown>): Promise<Reply> }['run']>>;

const PUBLIC_CALLER: Caller = { tenant: '', scope: 'channel', keyId: 'public' };

function lowerHeaders(h: Record<string, string | undefined> | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) if (v !== undefined) out[k.toLowerCase()] = v;
  return out;
}

/** The body's bytes as the gateway sent them (the stack sends every body base64, see api.ts). */
const bodyOf = (event: APIGatewayProxyEvent): string | Buffer =>
  event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64') : (event.body ?? '');

const invalidBody = (message: string, field = '(body)') =>
  new InvalidInputError(`the body is not valid: ${message}`, [{ field, message }]);

/**
 * The one place request bodies are read: size, media type (415), UTF-8, JSON, keys and strings
 * that must not be stored, the route's schema, numbers DynamoDB cannot store. Each step refuses
 * with a 4xx before anything is written.
 */
function parseBody(route: RouteSpec, event: APIGatewayProxyEvent, headers: Record<string, string>): unknown {
  const raw = bodyOf(event);
  const limit = route.bodyLimit ?? DEFAULT_BODY_LIMIT;
  if ((typeof raw === 'string' ? Buffer.byteLength(raw, 'utf8') : raw.length) > limit) {
    throw new PayloadTooLargeError(`the body is larger than ${limit / 1024} KB`);
  }
  if (!route.body) return undefined;
  if (raw.length > 0 && !isAcceptedMediaType(headers['content-type'], route.method)) {
    const accepted = acceptedMediaTypes(route.method).join(' or ');
    throw new UnsupportedMediaTypeError(`the body must be ${accepted} (UTF-8)`, [
      { field: 'Content-Type', message: `must be ${accepted}, optionally with charset=utf-8` },
    ]);
  }
  const text = decodeBody(raw);
  if (text === undefined) throw invalidBody('not UTF-8 (invalid bytes or a lone surrogate)');
  if (text.trim() === '')
    throw new InvalidInputError('a JSON body is required', [{ field: '(body)', message: 'required' }]);
  // RFC 8259 8.1: no byte order mark; JSON.parse would fail on it anyway, this says why
  if (text.startsWith('\uFEFF')) throw invalidBody('starts with a byte order mark');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InvalidInputError('the body is not valid JSON', [{ field: '(body)', message: 'malformed JSON' }]);
  }
  const refused = jsonInputProblem(json);
  if (refused) throw new InvalidInputError('the body is not valid', [refused]);
  const parsed = route.body.safeParse(json);
  if (!parsed.success) throw new InvalidInputError('the body is not valid', fieldErrorsOf(parsed.error));
  const unstorable = unstorableNumber(json);
  if (unstorable) throw new InvalidInputError('the body holds a number that cannot be stored', [unstorable]);
  return parsed.data;
}

function validated(schema: RouteSpec['params'], values: Record<string, string>, what: string): unknown {
  if (!schema) return values;
  const parsed = schema.safeParse(values);
  if (!parsed.success) throw new InvalidInputError(`the ${what} is not valid`, fieldErrorsOf(parsed.error));
  return parsed.data;
}

function toResult(reply: Reply): HttpResult {
  const headers: Record<string, string> = { ...(reply.headers ?? {}) };
  if (reply.body === undefined) return { statusCode: reply.status, headers, body: '' };
  const contentType = reply.contentType ?? 'application/json';
  headers['content-type'] = contentType;
  const body =
    typeof reply.body === 'string' && !contentType.includes('json') ? reply.body : JSON.stringify(reply.body);
  return { statusCode: reply.status, headers, body };
}

/**
 * Routing, auth scope, body limits and validation, then one use case: every API Lambda is this.
 * Implementations are optional here (a route without one answers 404); `httpHandler` wants them all.
 */
export function routeRequest<R extends RouteSpec>(
  routes: readonly R[],
  impls: NoInfer<Partial<RouteImpls<R>>>,
  options: HandlerOptions = {},
): ApiEntry {
  return dispatch(routes, impls, options);
}

function dispatch(routes: readonly RouteSpec[], impls: HeldImpls, options: HandlerOptions): ApiEntry {
  return async (
    event: APIGatewayProxyEvent,
    context?: Pick<Context, 'awsRequestId'> & Partial<Pick<Context, 'getRemainingTimeInMillis'>>,
  ): Promise<APIGatewayProxyResult> => {
    const resolution = resolveRoute(routes, event.httpMethod, event.path);
    if (resolution.kind === 'not-found') throw new NotFoundError(`no route for ${event.path}`);
    if (resolution.kind === 'method-not-allowed') {
      throw new MethodNotAllowedError(`${event.httpMethod} is not allowed on ${event.path}`, resolution.allowed);
    }
    const { route, params } = resolution.match;
    const impl = impls[route.id];
    if (!impl) throw new NotFoundError(`no route for ${event.path}`);
    let caller = PUBLIC_CALLER;
    if (route.scope !== 'public') {
      const found = callerOf(event);
      if (!found) throw new UnauthenticatedError('an API key is required (x-api-key)');
      if (!scopeAllows(found.scope, route.scope)) throw new ForbiddenError('this key may not use this route');
      caller = found;
    }
    const headers = lowerHeaders(event.headers);
    const req: HttpRequest<unknown, unknown, unknown> = {
      caller,
      params: validated(route.params, params, 'path'),
      query: validated(route.query, definedParams(event.queryStringParameters), 'query'),
      headers,
      body: parseBody(route, event, headers),
      requestId: context?.awsRequestId ?? event.requestContext?.requestId ?? '',
    };
    if (route.idempotent && headers['idempotency-key'] !== undefined) {
      const inFlightMs = context?.getRemainingTimeInMillis?.() ?? DEFAULT_IN_FLIGHT_MS;
      return answeredOnce(options.idempotency, req, event, async () => toResult(await impl(req)), inFlightMs);
    }
    return toResult(await impl(req));
  };
}

type ApiEntry = (
  event: APIGatewayProxyEvent,
  context?: Pick<Context, 'awsRequestId'> & Partial<Pick<Context, 'getRemainingTimeInMillis'>>,
) => Promise<APIGatewayProxyResult>;

/** What a handler adds to the pipeline besides its routes. */
export interface HandlerOptions {
  /** Where POSTs with an Idempotency-Key keep their first answer (routes marked `idempotent`). */
  idempotency?: IdempotentRequests | undefined;
}

/** Locally (no Lambda context) a first request is taken as in flight this long. */
const DEFAULT_IN_FLIGHT_MS = 30_000;

/**
 * A POST with an Idempotency-Key: the first answer, 2xx or 4xx, is kept 24 h and replayed with
 * `Idempotent-Replayed: true`; a 5xx is not an answer, so nothing is kept and a retry runs again.
 */
async function answeredOnce(
  store: IdempotentRequests | undefined,
  req: HttpRequest<unknown, unknown, unknown>,
  event: APIGatewayProxyEvent,
  run: () => Promise<HttpResult>,
  inFlightMs: number,
): Promise<HttpResult> {
  const key = req.headers['idempotency-key']!;
  if (!IDEMPOTENCY_KEY.test(key))
    throw new InvalidInputError('Idempotency-Key must be 1-255 visible ASCII characters', [
      { field: 'Idempotency-Key', message: 'not 1-255 visible ASCII characters' },
    ]);
  if (!store) throw new UnavailableError('idempotency keys are not configured on this deployment');
  const scope = { tenant: req.caller.tenant, method: event.httpMethod, path: event.path, key };
  const { value, replayed } = await store.once(
    scope,
    canonicalJson(req.body ?? null),
    async () => {
      try {
        return { ...(await run()) };
      } catch (err) {
        const { result } = resultForError(err, req.requestId);
        if (result.statusCode >= 500) throw err;
        return { ...result };
      }
    },
    inFlightMs,
  );
  return replayed ? { ...value, headers: { ...value.headers, 'idempotent-replayed': 'true' } } : value;
}

/** The query parameters that have a value (API Gateway sends null for none). */
const definedParams = (q: Record<string, string | undefined> | null): Record<string, string> =>
  Object.fromEntries(Object.entries(q ?? {}).filter((e): e is [string, string] => e[1] !== undefined));

/** problem+json for every failure; 5xx bodies stay generic and the cause goes to the log only. */
export const problemErrors = (): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> => ({
  onError: async (request) => {
    // the id API Gateway's own problems and access log carry, so a caller quotes one id
    const requestId = request.event?.requestContext?.requestId || request.context?.awsRequestId;
    const { result, unexpected } = resultForError(request.error, requestId);
    // every 5xx leaves one line with the cause chain (names, codes; the request ids come from logContext)
    const err = request.error ?? undefined;
    if (unexpected) {
      logger.error('unhandled error', {
        errorName: err?.name,
        causes: causeChain(err),
        stack: err?.stack?.split('\n').slice(1, 6).join('\n'),
      });
    } else if (result.statusCode >= 500) {
      logger.warn('request failed', { errorName: err?.name, causes: causeChain(err) });
    }
    request.response = result;
  },
});

/**
 * The Lambda entry for one API function: its own route table (`routes/<area>.ts`, not the whole
 * `ROUTES`, so its bundle leaves the other functions' schemas out), its use cases bound by id.
 */
export function httpHandler<R extends RouteSpec>(
  routes: readonly R[],
  impls: NoInfer<RouteImpls<R>>,
  options: HandlerOptions = {},
) {
  return (
    middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
      // first, so every line of the call (the error mapping's too) carries its request id
      .use(logContext({ correlationIdPath: API_CORRELATION_PATH }))
      .use(problemErrors())
      .use(apiMetering(routes))
      .handler(dispatch(routes, impls, options))
  );
}
