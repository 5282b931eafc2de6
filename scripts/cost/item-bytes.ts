/**
 * DynamoDB's size rules, so the cost model sizes reads, writes, index entries and storage from
 * the items the adapters build instead of from constants.
 */

/**
 * An item's size as DynamoDB counts it: attribute names plus values (strings and binary by
 * length, numbers 1 byte per two significant digits plus 1, booleans and null 1, lists and maps
 * 3 bytes plus 1 per element plus their elements).
 */
export function itemBytes(item: Record<string, unknown>): number {
  return Object.entries(item).reduce(
    (s, [k, v]) => s + (v === undefined ? 0 : Buffer.byteLength(k) + valueBytes(v)),
    0,
  );
}

function valueBytes(v: unknown): number {
  if (typeof v === 'string') return Buffer.byteLength(v);
  if (typeof v === 'number') {
    const digits = String(Math.abs(v)).replace('.', '').replace(/^0+/, '').replace(/0+$/, '').length || 1;
    return Math.ceil(digits / 2) + 1;
  }
  if (typeof v === 'boolean' || v === null) return 1;
  if (Array.isArray(v)) return 3 + v.reduce((s: number, x) => s + 1 + valueBytes(x), 0);
  if (typeof v === 'object')
    return (
      3 +
      Object.entries(v as object).reduce(
        (s, [k, x]) => s + (x === undefined ? 0 : 1 + Buffer.byteLength(k) + valueBytes(x)),
        0,
      )
    );
  return 0;
}

/** DynamoDB bills storage with 100 bytes of overhead per item, in the table and in each index. */
export const STORAGE_OVERHEAD_BYTES = 100;

/** Read request units of reading `bytes` in one request (4 KB units; eventually consistent halves it; at least one unit). */
export const readUnitsOf = (bytes: number, consistent = false) =>
  Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 1 : 0.5);

/** Write request units of writing an item of `bytes` (1 KB units, at least one; transactional writes double). */
export const writeUnitsOf = (bytes: number, transactional = false) =>
  Math.max(1, Math.ceil(bytes / 1024)) * (transactional ? 2 : 1);

/**
 * The entry an index holds for an item: its key attributes, the table's keys and what the
 * projection copies (undefined when the item lacks the index's partition key: a sparse index
 * holds no entry and costs no write).
 */
export function indexEntryOf(
  item: Record<string, unknown>,
  tableKeys: readonly string[],
  index: {
    partitionKey: { name: string };
    sortKey?: { name: string };
    projection?: { type: 'KEYS_ONLY' } | { type: 'INCLUDE'; attributes: string[] };
  },
): Record<string, unknown> | undefined {
  if (item[index.partitionKey.name] === undefined) return undefined;
  if (!index.projection) return item;
  const keep = new Set([
    ...tableKeys,
    index.partitionKey.name,
    ...(index.sortKey ? [index.sortKey.name] : []),
    ...(index.projection.type === 'INCLUDE' ? index.projection.attributes : []),
  ]);
  return Object.fromEntries(Object.entries(item).filter(([k]) => keep.has(k)));
}
