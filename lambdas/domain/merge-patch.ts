/**
 * JSON Merge Patch (RFC 7396): a patch object sets each member it names, recursing into objects;
 * `null` removes a member; anything that is not an object replaces the target whole (arrays too).
 * Pure, and never assigns through a key, so a `__proto__` member is data, not a prototype.
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const members = new Map<string, unknown>(isObject(target) ? Object.entries(target) : []);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) members.delete(key);
    else members.set(key, mergePatch(members.get(key), value));
  }
  return Object.fromEntries(members);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
