import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableDesign } from '#adapters/dynamo/table-design.ts';
import { indexEntryOf, itemBytes, readUnitsOf, writeUnitsOf } from './item-bytes.ts';

type Item = Record<string, unknown>;

/** One billed access: what the adapter asked, on which table (or index), its bytes and request units. */
export interface Billed {
  kind: 'read' | 'write';
  command: string;
  table: string;
  /** The index an entry was written to, or a read went through. */
  index?: string;
  /** The item's kind or sort key, for the printout (`ledger`, `sk P`, ...). */
  what: string;
  bytes: number;
  units: number;
  /** The partition key of the item (writes) or the first item read. */
  pk?: string;
}

/**
 * An in-memory stand-in for a DynamoDB document client, just enough of DynamoDB for the
 * platform's adapters to run on (Put, Get, Query with the key conditions they use, BatchGet,
 * BatchWrite, TransactWrite, Update, Delete), that bills each request as DynamoDB would: reads
 * on the bytes of the items read (4 KB units, halved when eventually consistent), writes on the
 * larger of the item before and after (1 KB units, doubled in a transaction), plus a write per
 * index entry that changes. Conditions always hold and update expressions are not applied (an
 * update is billed on the stored item): the cost model runs one request at a time, and the
 * updates on the decision path (daily-cap counters) are billed apart.
 */
export class TableEmulator {
  readonly billed: Billed[] = [];
  private readonly tables = new Map<string, Map<string, Item>>();

  constructor(private readonly designs: Record<string, TableDesign>) {}

  /** A document client over this emulator. */
  client(): DynamoDBDocumentClient {
    return {
      send: async (command: { constructor: { name: string }; input: Record<string, any> }) =>
        this.handle(command.constructor.name, command.input),
      destroy: () => {},
    } as unknown as DynamoDBDocumentClient;
  }

  /** Takes the billed requests so far (and forgets them). */
  take(): Billed[] {
    return this.billed.splice(0, this.billed.length);
  }

  items(table: string): Item[] {
    return [...(this.tables.get(table)?.values() ?? [])];
  }

  private design(table: string): TableDesign {
    const d = this.designs[table];
    if (!d) throw new Error(`table emulator: no design for table ${table}`);
    return d;
  }

  private keyOf(table: string, item: Item): string {
    const d = this.design(table);
    return JSON.stringify([item[d.partitionKey.name], d.sortKey ? item[d.sortKey.name] : null]);
  }

  private store(table: string) {
    let t = this.tables.get(table);
    if (!t) this.tables.set(table, (t = new Map()));
    return t;
  }

  private whatOf(item: Item | undefined): string {
    if (!item) return 'absent item';
    if (typeof item['kind'] === 'string') return String(item['kind']);
    return item['sk'] !== undefined ? `sk ${String(item['sk']).split('#')[0]}` : 'item';
  }

  private write(
    command: string,
    table: string,
    before: Item | undefined,
    after: Item | undefined,
    transactional: boolean,
  ) {
    const d = this.design(table);
    const keys = [d.partitionKey.name, ...(d.sortKey ? [d.sortKey.name] : [])];
    const bytes = Math.max(before ? itemBytes(before) : 0, after ? itemBytes(after) : 0);
    const shown = after ?? before;
    this.billed.push({
      kind: 'write',
      command,
      table,
      what: this.whatOf(shown),
      bytes,
      units: writeUnitsOf(bytes, transactional),
      ...(shown ? { pk: String(shown[d.partitionKey.name]) } : {}),
    });
    for (const index of d.indexes) {
      const old = before && indexEntryOf(before, keys, index);
      const now = after && indexEntryOf(after, keys, index);
      if (!old && !now) continue;
      const moved =
        old &&
        now &&
        (old[index.partitionKey.name] !== now[index.partitionKey.name] ||
          (index.sortKey && old[index.sortKey.name] !== now[index.sortKey.name]));
      for (const entry of moved ? [old, now] : [now ?? old])
        this.billed.push({
          kind: 'write',
          command,
          table,
          index: index.indexName,
          what: this.whatOf(shown),
          bytes: itemBytes(entry!),
          units: writeUnitsOf(itemBytes(entry!)),
          ...(shown ? { pk: String(shown[d.partitionKey.name]) } : {}),
        });
    }
  }

  private put(command: string, table: string, item: Item, transactional = false) {
    const key = this.keyOf(table, item);
    const before = this.store(table).get(key);
    this.store(table).set(key, structuredClone(item));
    this.write(command, table, before, item, transactional);
  }

  private remove(command: string, table: string, key: Item, transactional = false) {
    const k = this.keyOf(table, key);
    const before = this.store(table).get(k);
    this.store(table).delete(k);
    this.write(command, table, before, undefined, transactional);
  }

  private update(command: string, table: string, key: Item, transactional = false) {
    const before = this.store(table).get(this.keyOf(table, key));
    this.write(command, table, before, before ?? key, transactional);
  }

  private read(command: string, table: string, items: Item[], consistent: boolean, index?: string) {
    const bytes = items.reduce((s, i) => s + itemBytes(i), 0);
    this.billed.push({
      kind: 'read',
      command,
      table,
      ...(index ? { index } : {}),
      what: items.map((i) => this.whatOf(i)).join(' + ') || 'nothing',
      bytes,
      units: readUnitsOf(bytes, consistent),
      ...(items[0] ? { pk: String(items[0][this.design(table).partitionKey.name]) } : {}),
    });
  }

  private query(input: Record<string, any>): Item[] {
    const table: string = input['TableName'];
    const d = this.design(table);
    const values: Record<string, unknown> = input['ExpressionAttributeValues'] ?? {};
    const names: Record<string, string> = input['ExpressionAttributeNames'] ?? {};
    const name = (n: string) => names[n] ?? n;
    const index = input['IndexName'] ? d.indexes.find((i) => i.indexName === input['IndexName']) : undefined;
    if (input['IndexName'] && !index) throw new Error(`table emulator: ${table} has no index ${input['IndexName']}`);
    const expr = String(input['KeyConditionExpression']);
    const pk = /^\s*([#\w]+)\s*=\s*(:\w+)/.exec(expr);
    if (!pk) throw new Error(`table emulator: key condition not understood: ${expr}`);
    const pkName = name(pk[1]!);
    const sortName = index ? index.sortKey?.name : d.sortKey?.name;
    const between = /AND\s+([#\w]+)\s+BETWEEN\s+(:\w+)\s+AND\s+(:\w+)/.exec(expr);
    const compare = /AND\s+([#\w]+)\s*(>=|<=|>|<|=)\s*(:\w+)/.exec(expr);
    const begins = /AND\s+begins_with\(\s*([#\w]+)\s*,\s*(:\w+)\s*\)/.exec(expr);
    const sortOk = (v: unknown): boolean => {
      const s = String(v);
      if (between) return s >= String(values[between[2]!]) && s <= String(values[between[3]!]);
      if (begins) return s.startsWith(String(values[begins[2]!]));
      if (compare) {
        const x = String(values[compare[3]!]);
        return { '>=': s >= x, '<=': s <= x, '>': s > x, '<': s < x, '=': s === x }[compare[2] as '=']!;
      }
      return true;
    };
    let found = this.items(table).filter(
      (i) => i[pkName] === values[pk[2]!] && (!sortName || !(between || compare || begins) || sortOk(i[sortName])),
    );
    if (sortName) found.sort((a, b) => String(a[sortName]).localeCompare(String(b[sortName])));
    if (input['ScanIndexForward'] === false) found.reverse();
    if (typeof input['Limit'] === 'number') found = found.slice(0, input['Limit']);
    const keys = [d.partitionKey.name, ...(d.sortKey ? [d.sortKey.name] : [])];
    // an index read is billed on its entries, a table read on whole items
    const billedItems = index ? found.map((i) => indexEntryOf(i, keys, index)!) : found;
    this.read('QueryCommand', table, billedItems, input['ConsistentRead'] === true, index?.indexName);
    return structuredClone(found);
  }

  private async handle(command: string, input: Record<string, any>): Promise<Record<string, unknown>> {
    const table: string = input['TableName'];
    switch (command) {
      case 'PutCommand':
        this.put(command, table, input['Item']);
        return {};
      case 'UpdateCommand':
        this.update(command, table, input['Key']);
        return {};
      case 'DeleteCommand':
        this.remove(command, table, input['Key']);
        return {};
      case 'GetCommand': {
        const item = this.store(table).get(this.keyOf(table, input['Key']));
        this.read(command, table, item ? [item] : [], input['ConsistentRead'] === true);
        return item ? { Item: structuredClone(item) } : {};
      }
      case 'QueryCommand':
        return { Items: this.query(input), Count: 0 };
      case 'BatchGetCommand': {
        const Responses: Record<string, Item[]> = {};
        for (const [t, req] of Object.entries(
          input['RequestItems'] as Record<string, { Keys: Item[]; ConsistentRead?: boolean }>,
        )) {
          Responses[t] = [];
          for (const key of req.Keys) {
            const item = this.store(t).get(this.keyOf(t, key));
            this.read(command, t, item ? [item] : [], req.ConsistentRead === true);
            if (item) Responses[t]!.push(structuredClone(item));
          }
        }
        return { Responses, UnprocessedKeys: {} };
      }
      case 'BatchWriteCommand': {
        for (const [t, reqs] of Object.entries(input['RequestItems'] as Record<string, any[]>))
          for (const r of reqs) {
            if (r.PutRequest) this.put(command, t, r.PutRequest.Item);
            if (r.DeleteRequest) this.remove(command, t, r.DeleteRequest.Key);
          }
        return { UnprocessedItems: {} };
      }
      case 'TransactWriteCommand': {
        for (const t of input['TransactItems'] as any[]) {
          if (t.Put) this.put(command, t.Put.TableName, t.Put.Item, true);
          if (t.Update) this.update(command, t.Update.TableName, t.Update.Key, true);
          if (t.Delete) this.remove(command, t.Delete.TableName, t.Delete.Key, true);
          if (t.ConditionCheck) {
            // billed as a transactional write of the item it checks
            const checked = this.store(t.ConditionCheck.TableName).get(
              this.keyOf(t.ConditionCheck.TableName, t.ConditionCheck.Key),
            );
            const bytes = checked ? itemBytes(checked) : 0;
            this.billed.push({
              kind: 'write',
              command,
              table: t.ConditionCheck.TableName,
              what: 'condition check',
              bytes,
              units: writeUnitsOf(bytes, true),
            });
          }
        }
        return {};
      }
      default:
        throw new Error(`table emulator: ${command} is not emulated`);
    }
  }
}
