import * as z from 'zod';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '#domain/paging.ts';

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
    requestId: z.string().meta({ description: "API Gateway's request id, to quote when reporting a problem" }),
  })
  .meta({
    id: 'Problem',
    description:
      'RFC 9457 problem details. `type` is `https://telco-cvm.dev/problems/<code>` for the functions and the gateway alike; the gateway answers unauthenticated (401), forbidden (403), not-found (404), payload-too-large (413), throttled (429, Retry-After: 1), quota-exceeded (429, Retry-After: 3600), invalid-input (400), rejected (other 4xx), unavailable (503, Retry-After: 2) and internal (5xx).',
  });

const MIN_PAGE_SIZE = 1;

/** The query of every list: `limit` 1-100 (default 50) and the opaque `nextToken` of the page before. */
export const PageQuery = z.strictObject({
  limit: z.coerce
    .number()
    .int()
    .min(MIN_PAGE_SIZE)
    .max(MAX_PAGE_SIZE)
    .optional()
    .meta({ description: `Items per page, ${MIN_PAGE_SIZE}-${MAX_PAGE_SIZE}; ${DEFAULT_PAGE_SIZE} when absent` }),
  nextToken: z.string().max(2048).optional().meta({
    description: "The previous page's nextToken: opaque, bound to the tenant and the list (another answers 400)",
  }),
});

export const ListOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextToken: z.string().optional() });

/** If-Match as every route with an ETag reads it (lambdas/domain/preconditions.ts). */
export const IfMatchHeader = z.object({
  'If-Match': z
    .string()
    .optional()
    .meta({
      description:
        'RFC 9110: `*` (the resource must exist) or a list of entity tags (`"1", "2"`); the write happens only ' +
        'if one tag matches the current ETag by strong comparison, so a weak tag (`W/"3"`) never matches. ' +
        'Otherwise 412 and nothing is written; a value that is not an entity-tag list is a 400. Without ' +
        'If-Match the write is unconditional and never answers 412.',
      example: '"3"',
    }),
});

/** What GET shows of a versioned resource (action, trigger, channel connection) besides its fields. */
export const VersionStamp = {
  version: z
    .number()
    .int()
    .min(1)
    .meta({ description: 'Moves on with every write; the ETag is `"<version>"`, to send back in If-Match' }),
  createdAt: z.string().optional().meta({ description: 'First written (absent on items stored before versions)' }),
  updatedAt: z.string().optional().meta({ description: 'Last written (absent on items stored before versions)' }),
};

const READ_ONLY = 'Read-only: accepted and ignored, so a GET body can be edited and sent back';

/** The stamp as a PUT body takes it: read-only fields a GET showed are accepted and ignored (round trip). */
export const ReadOnlyStamp = {
  version: z.number().int().optional().meta({ description: READ_ONLY }),
  createdAt: z.string().optional().meta({ description: READ_ONLY }),
  updatedAt: z.string().optional().meta({ description: READ_ONLY }),
};

/** Drops the read-only stamp a PUT body may carry (a GET -> edit -> PUT round trip), for `.transform`. */
export const withoutStamp = <T extends { [F in keyof typeof ReadOnlyStamp]?: unknown }>({
  version: _version,
  createdAt: _createdAt,
  updatedAt: _updatedAt,
  ...body
}: T) => body;
