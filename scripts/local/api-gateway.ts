import type {
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  APIGatewayAuthorizerResult,
  APIGatewayRequestAuthorizerEvent,
  Context,
} from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { problem, problemResult } from '#http/problem.ts';
import { ROUTES, type ApiFunction } from '#http/routes.ts';

/**
 * What API Gateway does in front of the Lambdas, done locally: pick the function for a path,
 * run the same authorizer, and answer with the same gateway responses.
 */
export type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
export type AuthorizerHandler = (event: APIGatewayRequestAuthorizerEvent) => Promise<APIGatewayAuthorizerResult>;

export interface LocalRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  /** Bytes as they arrived (the HTTP server), or text (tests). */
  body: string | Buffer;
}

/** The resource a path lands on: its function, and whether the authorizer guards it. */
export function resourceFor(path: string): { fn: ApiFunction; guarded: boolean } {
  const routes = ROUTES.filter((r) => {
    const re = new RegExp(`^${r.path.replace(/\{[^}]+\}/g, '[^/]+')}/?$`);
    return re.test(path);
  });
  if (routes.length === 0) return { fn: 'meta', guarded: false };
  return { fn: routes[0]!.fn, guarded: routes.some((r) => r.scope !== 'public') };
}

const fakeContext = (requestId: string): Context =>
  ({
    awsRequestId: requestId,
    functionName: 'local',
    getRemainingTimeInMillis: () => 30_000,
    callbackWaitsForEmptyEventLoop: false,
  }) as unknown as Context;

/** The stack caches authorizer results for 60 s per x-api-key; so does the local gateway. */
export const AUTHORIZER_CACHE_MS = 60_000;

export function gateway(
  functions: Partial<Record<ApiFunction, ProxyHandler>>,
  authorizer: AuthorizerHandler,
  cacheMs = AUTHORIZER_CACHE_MS,
) {
  const cache = new Map<string, { result: APIGatewayAuthorizerResult; until: number }>();
  // bumped by a flush: an authorization that was in flight across it is not cached (it may predate a revocation)
  let generation = 0;
  const authorize = async (key: string, req: LocalRequest) => {
    const hit = cache.get(key);
    if (hit && hit.until > Date.now()) return hit.result;
    const startedIn = generation;
    const result = await authorizer({
      type: 'REQUEST',
      methodArn: `arn:aws:execute-api:local:000000000000:local/live/${req.method}${req.path}`,
      headers: req.headers,
      httpMethod: req.method,
      path: req.path,
    } as unknown as APIGatewayRequestAuthorizerEvent);
    if (cacheMs > 0 && startedIn === generation) {
      if (cache.size > 10_000) cache.clear();
      cache.set(key, { result, until: Date.now() + cacheMs });
    }
    return result;
  };
  const dispatch = async (req: LocalRequest): Promise<APIGatewayProxyResult> => {
    const requestId = randomUUID();
    // the gateway's own problems carry the request id, as the stack's gateway responses do
    const refused = (code: string, detail: string, headers?: Record<string, string>) =>
      problemResult({ ...problem(code, detail), requestId }, headers);
    const { fn, guarded } = resourceFor(req.path);
    let authorizerContext: Record<string, unknown> | null = null;
    if (guarded) {
      const key = req.headers['x-api-key'];
      // API Gateway answers 401 itself when the identity source header is absent.
      if (!key) return refused('unauthenticated', 'an API key is required (x-api-key)');
      try {
        const result = await authorize(key, req);
        const allowed = result.policyDocument.Statement.every((s) => s.Effect === 'Allow');
        if (!allowed) return refused('forbidden', 'the API key is not valid for this request');
        authorizerContext = { ...(result.context ?? {}), principalId: result.principalId };
      } catch (err) {
        if ((err as Error).message === 'Unauthorized')
          return refused('unauthenticated', 'an API key is required (x-api-key)');
        // as the stack's AUTHORIZER_FAILURE gateway response: the key store is unreachable, retry
        return refused('unavailable', 'the API key could not be checked; retry shortly', { 'retry-after': '2' });
      }
    }
    const event = {
      resource: req.path,
      path: req.path,
      httpMethod: req.method,
      headers: req.headers,
      multiValueHeaders: {},
      queryStringParameters: Object.keys(req.query).length ? req.query : null,
      multiValueQueryStringParameters: null,
      pathParameters: null,
      stageVariables: null,
      // as the stack's binaryMediaTypes */* makes API Gateway do: bytes arrive base64, untouched,
      // so the pipeline can refuse a body that is not UTF-8 instead of reading U+FFFD
      body: req.body.length === 0 ? null : Buffer.isBuffer(req.body) ? req.body.toString('base64') : req.body,
      isBase64Encoded: Buffer.isBuffer(req.body) && req.body.length > 0,
      requestContext: {
        requestId,
        authorizer: authorizerContext,
        stage: 'live',
        httpMethod: req.method,
        path: req.path,
      },
    } as unknown as APIGatewayProxyEvent;
    const handler = functions[fn];
    if (!handler) throw new Error(`no local handler is registered for the API function '${fn}'`);
    return handler(event, fakeContext(requestId));
  };
  /** FlushStageAuthorizersCache: the next request of every key is authorized afresh. */
  const flushAuthorizerCache = () => {
    cache.clear();
    generation++;
  };
  return Object.assign(dispatch, { flushAuthorizerCache });
}
