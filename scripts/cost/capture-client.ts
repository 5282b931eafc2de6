import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** One request an adapter sent: the command's name (`PutCommand`, ...) and its input. */
export interface Sent {
  command: string;
  input: Record<string, any>;
}

/**
 * A document client that answers every request with nothing and keeps what was asked, so the cost
 * model sizes the items the platform's own adapters build (whatever their layout is today)
 * without a database: writes succeed, reads find nothing.
 */
export function captureClient(): { db: DynamoDBDocumentClient; sent: Sent[]; take(): Sent[] } {
  const sent: Sent[] = [];
  const db = {
    send: async (command: { constructor: { name: string }; input: Record<string, any> }) => {
      sent.push({ command: command.constructor.name, input: command.input });
      return command.constructor.name === 'QueryCommand' ? { Items: [] } : {};
    },
    destroy: () => {},
  } as unknown as DynamoDBDocumentClient;
  return { db, sent, take: () => sent.splice(0, sent.length) };
}

/** The items of the Puts (plain, batched or in a transaction) among `sent`, with their table. */
export function putItems(sent: readonly Sent[]): { table: string; item: Record<string, unknown>; transactional: boolean }[] {
  const out: { table: string; item: Record<string, unknown>; transactional: boolean }[] = [];
  for (const s of sent) {
    if (s.command === 'PutCommand') out.push({ table: s.input['TableName'], item: s.input['Item'], transactional: false });
    if (s.command === 'TransactWriteCommand')
      for (const t of s.input['TransactItems'] ?? [])
        if (t.Put) out.push({ table: t.Put.TableName, item: t.Put.Item, transactional: true });
    if (s.command === 'BatchWriteCommand')
      for (const [table, requests] of Object.entries(s.input['RequestItems'] ?? {}))
        for (const r of requests as { PutRequest?: { Item: Record<string, unknown> } }[])
          if (r.PutRequest) out.push({ table, item: r.PutRequest.Item, transactional: false });
  }
  return out;
}
