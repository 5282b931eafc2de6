import type { FieldError } from '#domain/errors.ts';

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A lone surrogate: with the `u` flag a well-formed pair is one code point and does not match. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * The text of a body as it arrived, or undefined when it is not UTF-8 (RFC 8259 8.1): invalid
 * byte sequences, and encoded surrogates (CESU-8, a lone surrogate sent raw), are refused
 * instead of being replaced with U+FFFD and stored. A body that came as a string (not base64) is
 * already decoded; a lone surrogate in it is refused the same way.
 */
export function decodeBody(body: string | Buffer): string | undefined {
  if (typeof body === 'string') return LONE_SURROGATE.test(body) ? undefined : body;
  try {
    return UTF8.decode(body);
  } catch {
    return undefined;
  }
}

/**
 * Keys that name an object's prototype machinery. JSON.parse makes them plain own keys, but a
 * spread, an Object.assign or a marshaller may treat them as the prototype (today
 * `attributes.__proto__` was silently dropped): they are refused, naming where they are.
 */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * The first thing in a parsed JSON body that must not be stored, as a field error: a prototype
 * key, or a string (value or key) holding a lone surrogate (a `\ud800` escape), which no UTF-8
 * store, log or client can hold. Iterative, so a deeply nested body cannot overflow the stack.
 */
export function jsonInputProblem(value: unknown): FieldError | undefined {
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (LONE_SURROGATE.test(v)) return { field: path || '(body)', message: 'holds a lone surrogate (not UTF-8)' };
    } else if (v && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        const at = path ? `${path}.${k}` : k;
        if (PROTOTYPE_KEYS.has(k)) return { field: at, message: `'${k}' is not allowed as a key` };
        if (LONE_SURROGATE.test(k))
          return { field: path ? `${path}.(key)` : '(key)', message: 'a key holds a lone surrogate (not UTF-8)' };
        stack.push([child, at]);
      }
    }
  }
  return undefined;
}
