/**
 * A deep copy of JSON-shaped data (plain objects, arrays, primitives), as structuredClone makes it
 * but several times cheaper: the fakes copy every item they store and hand out, as DynamoDB does,
 * and structuredClone's serialization was a quarter of the in-process decision bench. Anything
 * else (a Date, a Map, a class instance) still goes through structuredClone.
 */
export function plainCopy<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = plainCopy(value[i]);
    return out as T;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return structuredClone(value);
  const out: Record<string, unknown> = proto === null ? Object.create(null) : {};
  for (const key of Object.keys(value)) out[key] = plainCopy((value as Record<string, unknown>)[key]);
  return out as T;
}
