/**
 * A typed client of the API, over the types generated from the served OpenAPI document
 * (api-types.ts, `npm run gen:api-types`). Paths, path and query parameters, request headers, request
 * bodies and the JSON of every documented answer are checked by tsc: a request or response field the
 * document lacks fails `npm run lint` wherever the smoke check, the demo or the e2e tests use it.
 *
 *   const api = apiClient(fetchTransport('http://localhost:3000'), { key });
 *   const got = expectAnswer(await api.get('/v1/customers/{customerId}', { path: { customerId } }), 200);
 *   got.json.segment; // string | undefined, from the document
 */
import type { paths } from './api-types.ts';

export type Method = 'get' | 'put' | 'post' | 'delete' | 'patch';

/** The paths that take `M`. */
export type PathsOf<M extends Method> = {
  [P in keyof paths]: paths[P] extends { [K in M]: unknown } ? P : never;
}[keyof paths];

/** The generated operation of `M` on `P`. */
export type Operation<P extends keyof paths, M extends Method> = paths[P] extends { [K in M]: infer O } ? O : never;

type ParametersOf<O> = O extends { parameters: infer X } ? X : object;

/** `K` of `T` as the option `As`: required when `T` requires it, optional when optional, refused when absent. */
type Part<T, K extends string, As extends string> = K extends keyof T
  ? object extends Pick<T, K>
    ? { [P in As]?: NonNullable<T[K]> }
    : { [P in As]: T[K] }
  : { [P in As]?: never };

type JsonIn<R> = R extends { content: { 'application/json': infer B } } ? B : never;
type BodyPart<O> = O extends { requestBody: infer R }
  ? { body: JsonIn<R> }
  : O extends { requestBody?: infer R }
    ? { body?: JsonIn<NonNullable<R>> }
    : { body?: never };

/** What one request of operation `O` takes. */
export type RequestOptions<O> = Part<ParametersOf<O>, 'path', 'path'> &
  Part<ParametersOf<O>, 'query', 'query'> &
  Part<ParametersOf<O>, 'header', 'headers'> &
  BodyPart<O> & {
    /** This request's `x-api-key` instead of the client's; null sends none. */
    key?: string | null;
    /** Another representation than JSON (text/csv, image/svg+xml): the answer's `text` holds it. */
    accept?: string;
  };

type Responses<O> = O extends { responses: infer R } ? R : never;
type JsonOut<R> = R extends { content: infer C }
  ? C extends { 'application/json': infer B }
    ? B
    : C extends { 'application/problem+json': infer B }
      ? B
      : undefined
  : undefined;

/** One documented answer of `O`, discriminated by status; `json` is its JSON body as documented. */
export type ApiReply<O> = {
  [S in keyof Responses<O>]: { status: S; headers: Headers; text: string; json: JsonOut<Responses<O>[S]> };
}[keyof Responses<O>];

type Args<O> = object extends RequestOptions<O> ? [options?: RequestOptions<O>] : [options: RequestOptions<O>];
type Call<M extends Method> = <P extends PathsOf<M>>(
  path: P,
  ...options: Args<Operation<P, M>>
) => Promise<ApiReply<Operation<P, M>>>;

export interface ApiClient {
  get: Call<'get'>;
  put: Call<'put'>;
  post: Call<'post'>;
  delete: Call<'delete'>;
  patch: Call<'patch'>;
}

/** An answer as the wire gave it: `json` is the parsed body, undefined when it is not JSON. */
export interface RawReply {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

export interface SendOptions {
  /** The `x-api-key` to send; none when omitted. */
  key?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Sends one request: `path` is under the API's base URL and may carry a query string. */
export type Transport = (method: string, path: string, options?: SendOptions) => Promise<RawReply>;

/**
 * `path` (with its query) under the base URL. A deployed API's URL carries its API Gateway stage as
 * a path (`https://id.execute-api.region.amazonaws.com/live/`), so the path is appended to it
 * rather than resolved against the host.
 */
export function endpoint(base: URL, path: string): string {
  const url = new URL(base);
  const at = path.indexOf('?');
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${at < 0 ? path : path.slice(0, at)}`;
  url.search = at < 0 ? '' : path.slice(at);
  url.hash = '';
  return url.toString();
}

/** Node's fetch, JSON in and out; with `timeoutMs` a request that gets no answer in time rejects. */
export function fetchTransport(base: URL | string, timeoutMs?: number): Transport {
  const baseUrl = new URL(base);
  return async (method, path, options = {}) => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.key !== undefined) headers['x-api-key'] = options.key;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = value;
    const res = await fetch(endpoint(baseUrl, path), {
      method,
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      ...(timeoutMs !== undefined ? { signal: AbortSignal.timeout(timeoutMs) } : {}),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  };
}

/** `/v1/customers/{customerId}` with its parameters filled in, each encoded as one path segment. */
function fillPath(template: string, params: Record<string, unknown> = {}): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`${template}: no value for {${name}}`);
    return encodeURIComponent(String(value));
  });
}

function queryOf(query: Record<string, unknown> = {}): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) search.set(name, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

interface LooseOptions {
  path?: Record<string, unknown>;
  query?: Record<string, unknown>;
  headers?: Record<string, unknown>;
  body?: unknown;
  key?: string | null;
  accept?: string;
}

/** The typed client over `transport`; `defaults.key` goes with every request that names no other. */
export function apiClient(transport: Transport, defaults: { key?: string } = {}): ApiClient {
  const call =
    (method: Method) =>
    (template: string, options: LooseOptions = {}): Promise<RawReply> => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(options.headers ?? {}))
        if (value !== undefined) headers[name] = String(value);
      if (options.accept !== undefined) headers['accept'] = options.accept;
      const key = options.key === null ? undefined : (options.key ?? defaults.key);
      return transport(method.toUpperCase(), fillPath(template, options.path) + queryOf(options.query), {
        ...(key !== undefined ? { key } : {}),
        ...(options.body !== undefined ? { body: options.body } : {}),
        headers,
      });
    };
  // the generic signatures are the contract; the implementation is the same for every path
  return {
    get: call('get'),
    put: call('put'),
    post: call('post'),
    delete: call('delete'),
    patch: call('patch'),
  } as unknown as ApiClient;
}

/** Thrown by expectAnswer: the status that came and what the API said. */
export class UnexpectedAnswer extends Error {
  constructor(
    readonly status: number,
    readonly text: string,
    expected: number,
  ) {
    super(`expected ${expected}, got ${status}: ${text.slice(0, 300)}`);
  }
}

/** The reply narrowed to the answer documented for `status`; throws UnexpectedAnswer for any other. */
export function expectAnswer<R extends { status: unknown; text: string }, S extends R['status'] & number>(
  reply: R,
  status: S,
): Extract<R, { status: S }> {
  if (reply.status !== status) throw new UnexpectedAnswer(Number(reply.status), reply.text, status);
  return reply as Extract<R, { status: S }>;
}
