import { createHash, randomBytes } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';

/**
 * Resolves a dotted path (`requestContext.requestId`): all a correlation id path here is. Not
 * Powertools' JMESPath `search`, which brings a 24 KiB interpreter into every function's bundle.
 */
export const searchDotted = (path: string, data: unknown): unknown =>
  path
    .split('.')
    .reduce<unknown>(
      (at, key) => (at !== null && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined),
      data,
    );

/**
 * One structured JSON logger. Never log profiles, events, message bodies, raw customer ids or the
 * text of errors raised while reading customer data (a JSON parse error quotes the input): log
 * error names and codes, and name a customer by `customerRef`.
 */
export const logger = new Logger({
  serviceName: 'telco-cvm',
  logLevel: (process.env['LOG_LEVEL'] as 'INFO' | undefined) ?? 'INFO',
  correlationIdSearchFn: searchDotted,
});

/**
 * The Lambda context (request id, function, cold start) on every line of an invocation, and a
 * `correlation_id` taken from the event where it has one. Keys appended during an invocation are
 * dropped at its end, so nothing of one caller is logged with the next.
 */
export const logContext = (opts: { correlationIdPath?: string } = {}) =>
  injectLambdaContext(logger, { resetKeys: true, ...opts });

/** API Gateway's request id: the id a caller is told and the access log records (Powertools' `correlationPaths.API_GATEWAY_REST`). */
export const API_CORRELATION_PATH = 'requestContext.requestId';

/**
 * The correlation key of a line about one SQS record: its message id, which the DLQ keeps. Per
 * line, because the records of a batch are handled concurrently and a batch holds up to 100.
 */
export const forMessage = (messageId: string) => ({ correlation_id: messageId });

/*
 * MSISDNs are few enough to hash them all, so an unsalted or guessable salt would be reversible.
 * The market's salt comes from the environment; without one, a random salt per container still
 * hides the customer (refs then match only within one container's lines).
 */
let marketSalt: string | undefined;
// read at first use, not at import: the local runtime sets the environment after loading modules
const saltOfMarket = () => (marketSalt ??= process.env['CUSTOMER_REF_SALT'] || randomBytes(32).toString('hex'));

/**
 * How a log line (and a redacted audit entry) names a customer: 16 hex digits of a salted
 * SHA-256, stable for the salt.
 */
export function customerRef(customerId: string, salt: string = saltOfMarket()): string {
  return createHash('sha256').update(salt).update('\u0000').update(customerId).digest('hex').slice(0, 16);
}
