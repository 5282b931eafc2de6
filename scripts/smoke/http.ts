import { endpoint, fetchTransport, type RawReply, type SendOptions, type Transport } from '../lib/api/api-client.ts';

/** A check that did not hold; its message is the `why` of the FAIL line. */
export class SmokeFailure extends Error {}

/** An answer as the wire gave it; a typed one (api-client.ts) narrows `status` and `json`. */
export type Reply = RawReply;
export type CallOptions = SendOptions;
/** One request under the base URL: the transport the typed API client sends through. */
export type Call = Transport;
export { endpoint };

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
  const send = fetchTransport(base, timeoutMs);
  return async (method, path, options) => {
    try {
      return await send(method, path, options);
    } catch (err) {
      throw networkFailureOf(err, timeoutMs);
    }
  };
}

/** The problem document's detail (or the start of the body): what the API said went wrong. */
export function detailOf(reply: { text: string; json: unknown }): string {
  const detail = (reply.json as { detail?: unknown } | undefined)?.detail;
  return typeof detail === 'string' ? detail : reply.text.slice(0, 200);
}

/**
 * Throws unless the reply has the status the check expects, quoting what the API said instead;
 * `request` names the request when a check makes more than one.
 */
export function expectStatus<R extends { status: unknown; text: string; json: unknown }, S extends number>(
  reply: R,
  expected: S,
  request?: string,
): asserts reply is R & { status: S } {
  if (reply.status === expected) return;
  const said = detailOf(reply);
  const why = `expected ${expected}, got ${reply.status}${said ? ` (${said})` : ''}`;
  throw new SmokeFailure(request ? `${request}: ${why}` : why);
}

/** Throws with `why` unless `holds`. */
export function expectThat(holds: boolean, why: string): asserts holds {
  if (!holds) throw new SmokeFailure(why);
}
