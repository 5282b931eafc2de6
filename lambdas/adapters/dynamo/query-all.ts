import {
  QueryCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { guarded } from './errors.ts';

/** Each page of a Query, following LastEvaluatedKey: for readers that stream rather than gather. */
export async function* queryPages(
  db: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey'>,
): AsyncIterable<QueryCommandOutput> {
  let start: Record<string, unknown> | undefined;
  do {
    const out = await guarded(() => db.send(new QueryCommand({ ...input, ExclusiveStartKey: start })));
    yield out;
    start = out.LastEvaluatedKey;
  } while (start);
}

/** Every item a Query matches, following LastEvaluatedKey page by page. */
export async function queryAll(
  db: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey'>,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for await (const page of queryPages(db, input)) items.push(...(page.Items ?? []));
  return items;
}
