import { UnavailableError } from '#domain/errors.ts';

/** One link of an error's cause chain, as a log line carries it. */
export interface CauseLink {
  name: string;
  /** A domain error's code, an SDK error's `Code`, a network error's `code` (ECONNRESET). */
  code?: string;
  /** The HTTP status an AWS service answered. */
  status?: number;
  /** Only where the text is the platform's own and names no input (see SAFE_MESSAGES). */
  message?: string;
}

/**
 * Errors whose message the platform wrote and which name a dependency, never a caller's input:
 * their text may be logged. Any other message may quote customer data (a parse error quotes the
 * body, a NotFoundError names the customer, an endpoint's error echoes its request), so only its
 * name and code are.
 */
const SAFE_MESSAGES: readonly (abstract new (...args: never[]) => Error)[] = [UnavailableError];

const TOKEN = /^[A-Za-z0-9_.:-]{1,64}$/;
const MAX_DEPTH = 5;

/**
 * What went wrong, outermost first, following `cause` (and an AggregateError's first error):
 * names, codes and statuses, which say which fault it was without saying whose data it was about.
 */
export function causeChain(err: unknown): CauseLink[] {
  const chain: CauseLink[] = [];
  const seen = new Set<unknown>();
  for (let e = err; e !== undefined && e !== null && !seen.has(e) && chain.length < MAX_DEPTH; ) {
    seen.add(e);
    if (typeof e !== 'object') {
      chain.push({ name: typeof e });
      break;
    }
    const x = e as {
      name?: unknown;
      code?: unknown;
      Code?: unknown;
      $metadata?: { httpStatusCode?: unknown };
      cause?: unknown;
      errors?: unknown;
    };
    const link: CauseLink = { name: typeof x.name === 'string' && TOKEN.test(x.name) ? x.name : 'Error' };
    const code = [x.code, x.Code].find((c) => typeof c === 'string' && TOKEN.test(c));
    if (code) link.code = code as string;
    if (typeof x.$metadata?.httpStatusCode === 'number') link.status = x.$metadata.httpStatusCode;
    if (SAFE_MESSAGES.some((safe) => e instanceof safe)) link.message = (e as Error).message;
    chain.push(link);
    e = x.cause ?? (e instanceof AggregateError && Array.isArray(x.errors) ? x.errors[0] : undefined);
  }
  return chain;
}
