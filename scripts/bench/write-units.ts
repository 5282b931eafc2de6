import { PutCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoStateRepo } from '#adapters/dynamo/state-repo.ts';
import { processEventBatch } from '#app/process-events.ts';
import { fixedClock } from '#domain/clock.ts';
import { applyEvents, type CustomerState } from '#domain/customer-state.ts';
import type { CvmEvent } from '#domain/events.ts';
import type { ActionCatalog, OutboundQueue, TriggerStore } from '#domain/ports.ts';

/**
 * The demo event mix of one customer-day: mostly usage, some billing, the odd dropped call,
 * care contact, survey and delivery receipt.
 */
export function demoMix(customers: number, perCustomer: number, now: Date): CvmEvent[] {
  const kinds: ((i: number) => Pick<CvmEvent, 'type' | 'data'>)[] = [
    () => ({ type: 'usage.data', data: { usedMb: 300, bundleMb: 1000 } }),
    () => ({ type: 'usage.voice', data: { seconds: 95 } }),
    () => ({ type: 'usage.data', data: { usedMb: 420, bundleMb: 1000 } }),
    () => ({ type: 'usage.voice', data: { seconds: 30 } }),
    () => ({ type: 'billing.topup', data: { amount: 29 } }),
    () => ({ type: 'network.call_dropped', data: { cellId: 'JHB-0042' } }),
    () => ({ type: 'message.delivered', data: { messageId: 'm-1' } }),
    () => ({ type: 'usage.voice', data: { seconds: 240 } }),
    () => ({ type: 'care.contact', data: { reason: 'billing', channel: 'app', resolvedFirstContact: true } }),
    () => ({ type: 'survey.nps', data: { score: 8 } }),
  ] as never;
  const out: CvmEvent[] = [];
  for (let c = 0; c < customers; c++) {
    for (let i = 0; i < perCustomer; i++) {
      out.push({
        eventId: `${crypto.randomUUID()}`,
        customerId: `wu-${c}`,
        occurredAt: new Date(now.getTime() - (perCustomer - i) * 7 * 60_000).toISOString(),
        ...kinds[i % kinds.length]!(i),
      } as CvmEvent);
    }
  }
  return out;
}

const noTriggers: TriggerStore = {
  get: async () => undefined,
  list: async () => [],
  put: async () => {},
  remove: async () => false,
};
const noCatalog: ActionCatalog = {
  get: async () => undefined,
  list: async () => [],
  put: async () => {},
  remove: async () => false,
};
const noOutbound: OutboundQueue = { send: async () => {} };

/**
 * Write units per event of the chosen design (ids inside the state item, one conditional Put
 * per customer per batch), for events arriving one per batch and `batchSize` per batch.
 */
export async function chosenDesignUnits(
  db: DynamoDBDocumentClient,
  table: string,
  events: CvmEvent[],
  batchSize: number,
  now: Date,
): Promise<number> {
  const states = new DynamoStateRepo(db, () => table);
  const run = processEventBatch({
    states,
    outbound: noOutbound,
    triggers: noTriggers,
    catalog: noCatalog,
    clock: fixedClock(now),
    market: { timezone: 'UTC', quietHours: { start: '20:00', end: '08:00' }, defaultLanguage: 'en' },
    stateConfig: { dedupeWindowHours: 48 },
  });
  for (let i = 0; i < events.length; i += batchSize)
    await Promise.all(run('bench', events.slice(i, i + batchSize)).values());
  return states.meter.writeUnits / events.length;
}

/**
 * The alternative: a conditional id record `E#<eventId>` plus the state (without ids) in one
 * TransactWriteItems per customer-batch. DynamoDB bills a transactional write at twice the
 * units of the same items written plainly; DynamoDB Local does not report that doubling (it
 * under-reports TransactWriteItems), so each item is written plainly here to measure its size
 * in units, and the sum is doubled.
 */
export async function transactionalDesignUnits(
  db: DynamoDBDocumentClient,
  table: string,
  events: CvmEvent[],
  batchSize: number,
  now: Date,
): Promise<number> {
  let units = 0;
  const states = new Map<string, CustomerState>();
  for (let i = 0; i < events.length; i += batchSize) {
    const groups = new Map<string, CvmEvent[]>();
    for (const e of events.slice(i, i + batchSize)) groups.set(e.customerId, [...(groups.get(e.customerId) ?? []), e]);
    await Promise.all(
      [...groups].map(async ([customerId, list]) => {
        const { state } = applyEvents(states.get(customerId), list, now, { dedupeWindowHours: 48 });
        states.set(customerId, state);
        const { seen: _ids, ...withoutIds } = state;
        const items = [
          ...list.map((e) => ({
            pk: `C#${customerId}`,
            sk: `E#${e.eventId}`,
            expiresAt: Math.floor(now.getTime() / 1000) + 48 * 3600,
          })),
          { pk: `C#${customerId}`, sk: 'S', kind: 'state', version: 1, ...withoutIds },
        ];
        let groupUnits = 0;
        for (const item of items) groupUnits += 2 * (await putUnits(db, table, item));
        units += groupUnits;
      }),
    );
  }
  return units / events.length;
}

/** TransactWriteItems as DynamoDB Local reports it, for comparison with the doubled figure. */
export async function transactWriteReported(
  db: DynamoDBDocumentClient,
  table: string,
  items: Record<string, unknown>[],
): Promise<number> {
  const out = await db.send(
    new TransactWriteCommand({
      ReturnConsumedCapacity: 'TOTAL',
      TransactItems: items.map((Item) => ({ Put: { TableName: table, Item } })),
    }),
  );
  return (out.ConsumedCapacity ?? []).reduce((s, c) => s + (c.CapacityUnits ?? 0), 0);
}

/** Size in bytes of a single Put of the item (DynamoDB counts names + values). */
export async function putUnits(
  db: DynamoDBDocumentClient,
  table: string,
  item: Record<string, unknown>,
): Promise<number> {
  const out = await db.send(new PutCommand({ TableName: table, Item: item, ReturnConsumedCapacity: 'TOTAL' }));
  return out.ConsumedCapacity?.CapacityUnits ?? 0;
}
