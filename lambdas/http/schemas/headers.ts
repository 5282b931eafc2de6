import type { ResponseHeader } from '../route-spec.ts';

/**
 * Response headers as the OpenAPI document declares them. A route names the ones it sets on an
 * answer (`responses[status].headers`); the pipeline adds Allow, Retry-After and Idempotent-Replayed
 * to the answers that carry them (lambdas/http/openapi.ts).
 */

/** The version of a versioned resource, to send back in If-Match (lambdas/domain/preconditions.ts). */
export const ETAG: ResponseHeader = {
  description: 'The version as a strong entity tag (`"3"`); send it back in `If-Match` to make a write conditional',
  schema: { type: 'string', example: '"3"' },
  required: true,
};

/** Answers that show a secret once must not be kept by a cache on the way. */
export const NO_STORE: ResponseHeader = {
  description: '`no-store`: the answer shows a secret once and must not be cached',
  schema: { type: 'string', enum: ['no-store'] },
};

/** RFC 9110 10.2.3: seconds to wait before retrying. */
export const RETRY_AFTER: ResponseHeader = {
  description: 'Seconds to wait before retrying',
  schema: { type: 'integer', minimum: 0, example: 1 },
};

/** RFC 9110 10.2.1: a 405 lists the methods the path takes. */
export const ALLOW: ResponseHeader = {
  description: 'The methods this path takes, comma-separated',
  schema: { type: 'string', example: 'GET, PUT, DELETE' },
  required: true,
};

/** Set by the pipeline on a replayed answer to a request with an Idempotency-Key. */
export const IDEMPOTENT_REPLAYED: ResponseHeader = {
  description: 'Present (`true`) when this is the stored answer to an earlier request with the same Idempotency-Key',
  schema: { type: 'string', enum: ['true'] },
};
