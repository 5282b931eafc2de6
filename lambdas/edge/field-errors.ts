import type { ZodError } from 'zod';
import type { FieldError } from '#domain/errors.ts';

/** A zod error as the field errors the API and the event contract report (`prefix` names the enclosing field). */
export function fieldErrorsOf(err: ZodError, prefix = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of err.issues) {
    const base = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ field: base ? `${base}.${key}` : key, message: 'unknown field' });
    } else {
      out.push({ field: base || '(body)', message: issue.message });
    }
  }
  return out;
}
