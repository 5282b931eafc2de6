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

/** A versioned resource as read or written: its body with its version's ETag; 201 when the write created it. */
export function versionedReply<T extends { version: number }>(body: T, created = false) {
  return { status: created ? 201 : 200, body, headers: { etag: etagOf(body.version) } };
}

/**
 * A PUT's body may repeat the id its path names or leave it out, never name another: that would
 * write one resource at another's address.
 */
export function refuseOtherId(field: string, pathId: string, bodyId: unknown, noun: string): void {
  if (bodyId !== undefined && bodyId !== pathId)
    throw new InvalidInputError(`the body names another ${noun}`, [
      { field, message: `must be ${pathId} (the path) or absent` },
    ]);
}
