import type * as z from 'zod';

/** A stored item without the shape its reader expects: a fault of the store, never of the caller (5xx). */
export class MalformedItemError extends Error {
  override readonly name = 'MalformedItemError';
}

/**
 * An item read back as the domain record it was written from, checked once where it leaves the
 * store: a renamed or missing field fails here, naming the field (never its value), instead of
 * reading as `undefined` further on.
 */
export function storedAs<T>(schema: z.ZodType<T>, item: unknown, what: string): T {
  const parsed = schema.safeParse(item);
  if (parsed.success) return parsed.data;
  const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(item)'))];
  throw new MalformedItemError(`a stored ${what} is malformed: ${fields.join(', ')}`);
}
