import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { scopeAllows, type Caller, type KeyScope } from '#domain/api-key.ts';
import {
  ForbiddenError,
  InvalidInputError,
  MethodNotAllowedError,
  NotFoundError,
  PayloadTooLargeError,
  UnauthenticatedError,
} from '#domain/errors.ts';
import { API_CORRELATION_PATH, logContext, logger } from './logger.ts';
import { apiMetering } from './metering.ts';
import { fieldErrorsOf, resultForError, type HttpResult } from './problem.ts';
import { unstorableNumber } from './storable-numbers.ts';
import { DEFAULT_BODY_LIMIT, resolveRoute, type ApiFunction, type RouteSpec, ROUTES } from './routes.ts';

export interface HttpRequest<Body = unknown> {
  caller: Caller;
  params: Record<string, string>;
  query: Record<string, string>;
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

// biome-ignore lint/suspicious/noExplicitAny: each route's implementation narrows its own body type; the table holds them all
export type RouteImpl = (req: HttpRequest<any>) => Promise<Reply>;

const PUBLIC_CALLER: Caller = { tenant: '', scope: 'channel', keyId: 'public' };

/** The authorizer (API Gateway or the local server) puts the caller into the request context. */
function callerOf(event: APIGatewayProxyEvent): Caller | undefined {
  const ctx = event.requestContext?.authorizer as Record<string, unknown> | null | undefined;
  const tenant = ctx?.['tenant'];
  const scope = ctx?.['scope'];
  if (typeof tenant !== 'string' || !tenant || (scope !== 'admin' && scope !== 'channel')) return undefined;
  return { tenant, scope: scope as KeyScope, keyId: String(ctx?.['keyId'] ?? '') };
}

function lowerHeaders(h: Record<string, string | undefined> | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) if (v !== undefined) out[k.toLowerCase()] = v;
  return out;
}

function parseBody(route: RouteSpec, event: APIGatewayProxyEvent): unknown {
  const raw = event.body ?? '';
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  const limit = route.bodyLimit ?? DEFAULT_BODY_LIMIT;
  if (Buffer.byteLength(text, 'utf8') > limit) {
    throw new PayloadTooLargeError(`the body is larger than ${limit / 1024} KB`);
  }
  if (!route.body) return undefined;
  if (text.trim() === '')
    throw new InvalidInputError('a JSON body is required', [{ field: '(body)', message: 'required' }]);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InvalidInputError('the body is not valid JSON', [{ field: '(body)', message: 'malformed JSON' }]);
  }
  const parsed = route.body.safeParse(json);
  if (!parsed.success) throw new InvalidInputError('the body is not valid', fieldErrorsOf(parsed.error));
  const unstorable = unstorableNumber(json);
  if (unstorable) throw new InvalidInputError('the body holds a number that cannot be stored', [unstorable]);
  return parsed.data;
}

function validated(schema: RouteSpec['params'], values: Record<string, string>, what: string): Record<string, string> {
  if (!schema) return values;
  const parsed = schema.safeParse(values);
  if (!parsed.success) throw new InvalidInputError(`the ${what} is not valid`, fieldErrorsOf(parsed.error));
  return parsed.data as Record<string, string>;
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

/** Routing, auth scope, body limits and validation, then one use case: every API Lambda is this. */
export function routeRequest(routes: RouteSpec[], impls: Record<string, RouteImpl>) {
  return async (
    event: APIGatewayProxyEvent,
    context?: Pick<Context, 'awsRequestId'>,
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
    const req: HttpRequest = {
      caller,
      params: validated(route.params, params, 'path'),
      query: validated(route.query, definedParams(event.queryStringParameters), 'query'),
      headers: lowerHeaders(event.headers),
      body: parseBody(route, event),
      requestId: context?.awsRequestId ?? event.requestContext?.requestId ?? '',
    };
    return toResult(await impl(req));
  };
}

/** The query parameters that have a value (API Gateway sends null for none). */
const definedParams = (q: Record<string, string | undefined> | null): Record<string, string> =>
  Object.fromEntries(Object.entries(q ?? {}).filter((e): e is [string, string] => e[1] !== undefined));

/** problem+json for every failure; 5xx bodies stay generic and the cause goes to the log only. */
export const problemErrors = (): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> => ({
  onError: async (request) => {
    const { result, unexpected } = resultForError(request.error);
    if (unexpected) {
      const err = request.error as Error | undefined;
      logger.error('unhandled error', { errorName: err?.name, stack: err?.stack?.split('\n').slice(1, 6).join('\n') });
    }
    request.response = result;
  },
});

/** The Lambda entry for one API function: its routes from the table, its use cases bound by id. */
export function httpHandler(fn: ApiFunction, impls: Record<string, RouteImpl>) {
  const routes = ROUTES.filter((r) => r.fn === fn);
  return (
    middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
      // first, so every line of the call (the error mapping's too) carries its request id
      .use(logContext({ correlationIdPath: API_CORRELATION_PATH }))
      .use(problemErrors())
      .use(apiMetering(routes))
      .handler(routeRequest(routes, impls))
  );
}
