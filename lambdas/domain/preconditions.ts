/**
 * If-Match as RFC 9110 (sections 8.8.3 and 13.1.1) defines it, for every resource that carries
 * an ETag (customers now; actions, triggers and channels can take the same module).
 *
 *   If-Match   = "*" / #entity-tag
 *   entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE
 *   etagc      = %x21 / %x23-7E / obs-text
 *
 * If-Match uses the strong comparison: two tags match only when neither is weak and their
 * opaque parts are equal. A weak tag (`W/"3"`) is therefore well-formed (no 400) but never
 * matches anything (412), even a representation whose version is 3: a weak validator says
 * "equivalent", and a conditional write needs "this exact version".
 */

export interface EntityTag {
  weak: boolean;
  /** The characters between the quotes. */
  opaque: string;
}

export type IfMatch = { kind: 'any' } | { kind: 'tags'; tags: EntityTag[] };

/** What the header field may be long: an If-Match of more bytes is refused as malformed. */
const MAX_FIELD_LENGTH = 4096;

const TAG = /[\t ]*(W\/)?"([\x21\x23-\x7E\x80-\xFF]*)"[\t ]*/y;
const EMPTY_ELEMENT = /[\t ]*,/y;

/**
 * The condition an If-Match field value states, or undefined when it is not well-formed (the
 * caller answers 400). Empty list elements (`"1", , "2"`) are allowed, as RFC 9110 5.6.1 asks of
 * recipients; a value that names no tag at all is not well-formed.
 */
export function parseIfMatch(value: string): IfMatch | undefined {
  if (value.length > MAX_FIELD_LENGTH) return undefined;
  if (value.trim() === '*') return { kind: 'any' };
  const tags: EntityTag[] = [];
  let at = 0;
  let expectTag = true;
  while (at < value.length) {
    if (expectTag) {
      EMPTY_ELEMENT.lastIndex = at;
      if (EMPTY_ELEMENT.test(value)) {
        at = EMPTY_ELEMENT.lastIndex;
        continue;
      }
      TAG.lastIndex = at;
      const m = TAG.exec(value);
      if (!m) return /^[\t ]*$/.test(value.slice(at)) ? done(tags) : undefined;
      tags.push({ weak: m[1] !== undefined, opaque: m[2]! });
      at = TAG.lastIndex;
      expectTag = false;
    } else {
      if (value[at] !== ',') return undefined;
      at++;
      expectTag = true;
    }
  }
  return done(tags);
}

const done = (tags: EntityTag[]): IfMatch | undefined => (tags.length ? { kind: 'tags', tags } : undefined);

/** The strong comparison of RFC 9110 8.8.3.2. */
export const strongMatch = (a: EntityTag, b: EntityTag): boolean => !a.weak && !b.weak && a.opaque === b.opaque;

/**
 * Whether the condition holds for the current representation (undefined: there is none).
 * `*` needs one to exist; a list needs one of its tags to match it strongly.
 */
export function ifMatchHolds(condition: IfMatch, current: EntityTag | undefined): boolean {
  if (!current) return false;
  if (condition.kind === 'any') return true;
  return condition.tags.some((tag) => strongMatch(tag, current));
}

/** The strong ETag of a versioned resource: `"<version>"`. */
export const versionTag = (version: number): EntityTag => ({ weak: false, opaque: String(version) });

export const formatEntityTag = (tag: EntityTag): string => `${tag.weak ? 'W/' : ''}"${tag.opaque}"`;
