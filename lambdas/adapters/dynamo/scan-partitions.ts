import { ScanCommand, type DynamoDBDocumentClient, type ScanCommandInput } from '@aws-sdk/lib-dynamodb';
import { guarded } from './errors.ts';

/**
 * The items one parallel-Scan segment matches, a partition (`pk`) at a time, in sort-key order.
 * A partition's items sit together in one segment, though a page boundary may fall between them:
 * a partition is yielded once the next one starts, or the segment ends.
 */
export async function* scanPartitions(
  db: DynamoDBDocumentClient,
  input: Omit<ScanCommandInput, 'ExclusiveStartKey'>,
): AsyncIterable<Record<string, unknown>[]> {
  let start: Record<string, unknown> | undefined;
  let pk: unknown;
  let items: Record<string, unknown>[] = [];
  do {
    const out = await guarded(() => db.send(new ScanCommand({ ...input, ExclusiveStartKey: start })));
    for (const item of out.Items ?? []) {
      if (item['pk'] !== pk && items.length) {
        yield items;
        items = [];
      }
      pk = item['pk'];
      items.push(item);
    }
    start = out.LastEvaluatedKey;
  } while (start);
  if (items.length) yield items;
}
