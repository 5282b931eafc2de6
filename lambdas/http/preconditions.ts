import { InvalidInputError } from '#domain/errors.ts';
import { formatEntityTag, parseIfMatch, versionTag, type IfMatch } from '#domain/preconditions.ts';

/**
 * The HTTP side of conditional writes, one way for every versioned resource (customers, actions,
 * triggers, channel connections): the ETag of a version and the If-Match header of a request.
 */

/** The strong ETag of a version: `"<version>"`. */
export const etagOf = (version: number): string => formatEntityTag(versionTag(version));

/** If-Match as RFC 9110 states it (domain/preconditions.ts); a value that is not one is a 400 naming it. */
export function ifMatchOf(header: string | undefined): IfMatch | undefined {
  if (header === undefined) return undefined;
  const condition = parseIfMatch(header);
  if (!condition)
    throw new InvalidInputError('If-Match must be * or a list of entity tags such as "3"', [
      { field: 'If-Match', message: 'not an entity tag list' },
    ]);
  return condition;
}
