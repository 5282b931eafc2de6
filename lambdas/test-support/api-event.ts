import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { Caller } from '#domain/api-key.ts';

export interface EventSpec {
  method: string;
  path: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  caller?: Caller | null;
}

/** An API Gateway proxy event as the authorizer-fronted REST API delivers it. */
export function apiEvent(spec: EventSpec): APIGatewayProxyEvent {
  const body = spec.rawBody ?? (spec.body === undefined ? null : JSON.stringify(spec.body));
  return {
    resource: spec.path,
    path: spec.path,
    httpMethod: spec.method,
    headers: { 'content-type': 'application/json', ...(spec.headers ?? {}) },
    multiValueHeaders: {},
    queryStringParameters: spec.query ?? null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body,
    isBase64Encoded: false,
    requestContext: {
      requestId: 'test',
      authorizer: spec.caller
        ? { tenant: spec.caller.tenant, scope: spec.caller.scope, keyId: spec.caller.keyId }
        : null,
    },
  } as unknown as APIGatewayProxyEvent;
}

export type Invoke = (
  spec: EventSpec,
) => Promise<{ status: number; headers: Record<string, string>; json: any; raw: string }>;

export function invoker(handler: (e: APIGatewayProxyEvent, c: Context) => Promise<APIGatewayProxyResult>): Invoke {
  return async (spec) => {
    const res = await handler(apiEvent(spec), { awsRequestId: 'test' } as Context);
    const headers = Object.fromEntries(Object.entries(res.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
    let json: unknown;
    try {
      json = res.body ? JSON.parse(res.body) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.statusCode, headers, json, raw: res.body };
  };
}
