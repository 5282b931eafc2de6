/** A check that did not hold; its message is the `why` of the FAIL line. */
export class SmokeFailure extends Error {}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

export interface CallOptions {
  /** The `x-api-key` to send; none when omitted. */
  key?: string;
  body?: unknown;
}

export type Call = (method: string, path: string, options?: CallOptions) => Promise<Reply>;

/** What is wrong with a base URL given on the command line, or undefined when it is usable. */
export function baseUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'not a URL (e.g. http://localhost:3000 or https://<id>.execute-api.<region>.amazonaws.com/<stage>)';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `not http or https but ${url.protocol}`;
  return undefined;
}

/**
 * `path` under the base URL. A deployed API's URL carries its API Gateway stage as a path
 * (`https://id.execute-api.region.amazonaws.com/prod/`), so the path is appended to it rather than
 * resolved against the host.
 */
export function endpoint(base: URL, path: string): string {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
  url.search = '';
  url.hash = '';
  return url.toString();
}

/** Why a fetch never got an answer, in words: a timeout or the network's own code (ECONNREFUSED, ...). */
export function networkFailureOf(err: unknown, timeoutMs: number): SmokeFailure {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return new SmokeFailure(`no answer within ${timeoutMs / 1000} s`);
  const cause = e.cause?.code ?? e.cause?.message;
  return new SmokeFailure(`network error: ${cause ?? e.message ?? String(err)}`);
}

/**
 * One HTTP client for the whole run: Node's fetch with a timeout per request. A request that gets
 * no answer throws a SmokeFailure, never the raw fetch error, so it becomes a FAIL line rather than
 * a stack trace.
 */
export function httpClient(base: URL, timeoutMs: number): Call {
  return async (method, path, options = {}) => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.key !== undefined) headers['x-api-key'] = options.key;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    let text: string;
    try {
      res = await fetch(endpoint(base, path), {
        method,
        headers,
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      throw networkFailureOf(err, timeoutMs);
    }
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  };
}

/** The problem document's detail (or the start of the body): what the API said went wrong. */
export function detailOf(reply: Reply): string {
  const detail = (reply.json as { detail?: unknown } | undefined)?.detail;
  return typeof detail === 'string' ? detail : reply.text.slice(0, 200);
}

/**
 * Throws unless the reply has the status the check expects, quoting what the API said instead;
 * `request` names the request when a check makes more than one.
 */
export function expectStatus(reply: Reply, expected: number, request?: string): void {
  if (reply.status === expected) return;
  const said = detailOf(reply);
  const why = `expected ${expected}, got ${reply.status}${said ? ` (${said})` : ''}`;
  throw new SmokeFailure(request ? `${request}: ${why}` : why);
}

/** Throws with `why` unless `holds`. */
export function expectThat(holds: boolean, why: string): asserts holds {
  if (!holds) throw new SmokeFailure(why);
}
