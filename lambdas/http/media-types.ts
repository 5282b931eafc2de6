import type { HttpMethod } from './route-spec.ts';

/** What a request body may be: JSON, and for PATCH a JSON merge patch (RFC 7396). UTF-8 only. */
export const JSON_MEDIA_TYPE = 'application/json';
export const MERGE_PATCH_MEDIA_TYPE = 'application/merge-patch+json';

export const acceptedMediaTypes = (method: HttpMethod | string): string[] =>
  method === 'PATCH' ? [JSON_MEDIA_TYPE, MERGE_PATCH_MEDIA_TYPE] : [JSON_MEDIA_TYPE];

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const QUOTED = '"(?:[^"\\\\]|\\\\.)*"';
const MEDIA_TYPE = new RegExp(
  `^(${TOKEN}/${TOKEN})((?:[\\t ]*;[\\t ]*${TOKEN}=(?:${TOKEN}|${QUOTED}))*)[\\t ]*;?[\\t ]*$`,
);
const PARAMETER = new RegExp(`;[\\t ]*(${TOKEN})=(${TOKEN}|${QUOTED})`, 'g');

/**
 * Whether a request body of this Content-Type is taken on `method` (RFC 9110 8.3.1): the type
 * and subtype and the charset name compare case-insensitively, a charset must be UTF-8 (JSON is
 * UTF-8, RFC 8259 8.1), other parameters are ignored. A missing or malformed header is not taken.
 */
export function isAcceptedMediaType(contentType: string | undefined, method: HttpMethod | string): boolean {
  if (contentType === undefined) return false;
  const m = MEDIA_TYPE.exec(contentType.trim());
  if (!m) return false;
  if (!acceptedMediaTypes(method).includes(m[1]!.toLowerCase())) return false;
  for (const [, name, raw] of m[2]!.matchAll(PARAMETER)) {
    if (name!.toLowerCase() !== 'charset') continue;
    const value = raw!.startsWith('"') ? raw!.slice(1, -1).replace(/\\(.)/g, '$1') : raw!;
    if (value.toLowerCase() !== 'utf-8') return false;
  }
  return true;
}
