import {
  BatchGetCommand,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  type BatchGetCommandInput,
  type DynamoDBDocumentClient,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { DynamoStateRepo } from '#adapters/dynamo/state-repo.ts';
import { processEventBatch } from '#app/process-events.ts';
import { fixedClock } from '#domain/clock.ts';
import { applyEvents, type CustomerState, type StateConfig } from '#domain/customer-state.ts';
import type { CvmEvent } from '#domain/events.ts';
import type { ActionCatalog } from '#domain/ports/catalog.ts';
import type { OutboundQueue, TriggerStore } from '#domain/ports/events.ts';

/**
 * Write units per event of the state engine on DynamoDB Local, from ReturnConsumedCapacity: a
 * typical customer (about 20 events a day, its ids inside the state item) against a heavy one
 * (2,000 a day, its ids spilled to id records written in one transaction with the state).
 */

const KINDS: ((i: number) => Pick<CvmEvent, 'type' | 'data'>)[] = [
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

/**
 * The demo event mix of one customer-day: mostly usage, some billing, the odd dropped call,
 * care contact, survey and delivery receipt.
 */
export function demoMix(customers: number, perCustomer: number, now: Date): CvmEvent[] {
  const out: CvmEvent[] = [];
  for (let c = 0; c < customers; c++) {
    for (let i = 0; i < perCustomer; i++) {
      out.push({
        eventId: `${crypto.randomUUID()}`,
        customerId: `wu-${c}`,
        occurredAt: new Date(now.getTime() - (perCustomer - i) * 7 * 60_000).toISOString(),
        ...KINDS[i % KINDS.length]!(i),
      } as CvmEvent);
    }
  }
  return out;
}

/** One customer's events at `perDay`, evenly spaced, the last at `end`. */
export function senderAt(customerId: string, perDay: number, count: number, end: Date): CvmEvent[] {
  const gapMs = 86_400_000 / perDay;
  return Array.from(
    { length: count },
    (_, i) =>
      ({
        eventId: crypto.randomUUID(),
        customerId,
        occurredAt: new Date(end.getTime() - (count - 1 - i) * gapMs).toISOString(),
        ...KINDS[i % KINDS.length]!(i),
      }) as CvmEvent,
  );
}

export interface Units {
  write: number;
  read: number;
}

const unitsOf = (out: { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[] }) =>
  (Array.isArray(out.ConsumedCapacity) ? out.ConsumedCapacity : out.ConsumedCapacity ? [out.ConsumedCapacity] : [])
    .map((c) => c.CapacityUnits ?? 0)
    .reduce((a, b) => a + b, 0);

/**
 * The document client with the units DynamoDB would bill counted. Plain calls: the units DynamoDB
 * Local reports. TransactWriteItems: DynamoDB Local under-reports it (ten 50-byte Puts in one
 * transaction report 2 units; DynamoDB bills 20), so each item of a transaction is written once more
 * as a plain Put to a twin table to read its units (a ConditionCheck: the checked item), and the
 * sum is doubled, as DynamoDB bills a transactional write at twice a plain one. BatchGetItem: DynamoDB
 * Local reports nothing for a key it does not find, DynamoDB bills a read of a missing item at the
 * minimum (1 unit strongly consistent, 0.5 eventually), so each key counts at least that.
 */
export function billed(db: DynamoDBDocumentClient, twinTable: string): { db: DynamoDBDocumentClient; units: Units } {
  const units: Units = { write: 0, read: 0 };
  const plainUnits = async (item: Record<string, unknown>) =>
    unitsOf(await db.send(new PutCommand({ TableName: twinTable, Item: item, ReturnConsumedCapacity: 'TOTAL' })));
  const counted = new Proxy(db, {
    get(target, prop, receiver) {
      if (prop !== 'send') return Reflect.get(target, prop, receiver);
      return async (command: { input: Record<string, unknown>; constructor: { name: string } }) => {
        command.input['ReturnConsumedCapacity'] ??= 'TOTAL';
        const out = (await target.send(command as never)) as Parameters<typeof unitsOf>[0];
        if (command instanceof TransactWriteCommand) {
          for (const step of (command.input as TransactWriteCommandInput).TransactItems ?? []) {
            if (step.Put) units.write += 2 * (await plainUnits(step.Put.Item!));
            else if (step.ConditionCheck) {
              const { Item } = await target.send(
                new GetCommand({ TableName: step.ConditionCheck.TableName, Key: step.ConditionCheck.Key }),
              );
              units.write += 2 * (Item ? await plainUnits(Item) : 1);
            } else throw new Error('billed: only Put and ConditionCheck transactions are measured');
          }
        } else if (/^(Put|Update|Delete|BatchWrite)/.test(command.constructor.name)) units.write += unitsOf(out);
        else if (command instanceof BatchGetCommand) {
          const asked = Object.values((command.input as BatchGetCommandInput).RequestItems ?? {});
          const minimum = asked.reduce((n, r) => n + (r.Keys?.length ?? 0) * (r.ConsistentRead ? 1 : 0.5), 0);
          units.read += Math.max(minimum, unitsOf(out));
        } else units.read += unitsOf(out);
        return out;
      };
    },
  });
  return { db: counted, units };
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

export interface SenderScenario {
  customerId: string;
  perDay: number;
  /** Days of history folded before measuring (the windows fill: 31 days reach steady state). */
  historyDays: number;
  /** Events measured after the history. */
  measured: number;
  /** Events per write (a customer's events in one SQS batch). */
  perWrite?: number;
  stateConfig?: Partial<StateConfig>;
}

/**
 * Billed units per event of one sender at steady state: its history is folded in memory (the same
 * fold, each event at its own time, its spilled keys dropped as their write would take them) and
 * stored; then `measured` more events go through the processor and the real state repository, each
 * at its own time, `perWrite` to a write.
 */
export async function senderUnits(
  db: DynamoDBDocumentClient,
  table: string,
  twinTable: string,
  s: SenderScenario,
): Promise<Units & { stateBytes: number }> {
  const stateConfig: StateConfig = { dedupeWindowHours: 48, ...s.stateConfig };
  const historyCount = Math.round(s.perDay * s.historyDays);
  const events = senderAt(s.customerId, s.perDay, historyCount + s.measured, new Date('2026-03-02T10:00:00Z'));
  let state: CustomerState | undefined;
  for (const e of events.slice(0, historyCount)) {
    state = applyEvents(state, [e], new Date(e.occurredAt), stateConfig).state;
    delete state.newIdRecords;
  }
  const at = new Date(events[historyCount - 1]!.occurredAt);
  if (state) await new DynamoStateRepo(db, () => table).saveState('bench', s.customerId, state, [], 0);

  const metered = billed(db, twinTable);
  const clock = fixedClock(at);
  const run = processEventBatch({
    states: new DynamoStateRepo(metered.db, () => table),
    outbound: noOutbound,
    triggers: noTriggers,
    catalog: noCatalog,
    clock,
    market: { timezone: 'UTC', quietHours: { start: '20:00', end: '08:00' }, defaultLanguage: 'en' },
    stateConfig,
  });
  const measured = events.slice(historyCount);
  const perWrite = s.perWrite ?? 1;
  for (let i = 0; i < measured.length; i += perWrite) {
    const batch = measured.slice(i, i + perWrite);
    clock.set(batch[batch.length - 1]!.occurredAt);
    await Promise.all(run('bench', batch).values());
  }
  const { Item } = await db.send(new GetCommand({ TableName: table, Key: { pk: `C#${s.customerId}`, sk: 'S' } }));
  return {
    write: metered.units.write / measured.length,
    read: metered.units.read / measured.length,
    stateBytes: Buffer.byteLength(JSON.stringify(Item ?? {})),
  };
}

/** The figures docs/capacity.md quotes: typical and heavy, each against the other path. */
export async function stateWriteUnits(db: DynamoDBDocumentClient, table: string, twinTable: string, measured = 40) {
  const typical = { perDay: 20, historyDays: 31, measured };
  const heavy = { perDay: 2000, historyDays: 3, measured };
  return {
    typical: await senderUnits(db, table, twinTable, { ...typical, customerId: 'typical' }),
    typicalAllRecords: await senderUnits(db, table, twinTable, {
      ...typical,
      customerId: 'typical-records',
      stateConfig: { maxSeenIds: 0 },
    }),
    heavy: await senderUnits(db, table, twinTable, { ...heavy, customerId: 'heavy' }),
    heavyTenPerWrite: await senderUnits(db, table, twinTable, { ...heavy, customerId: 'heavy-10', perWrite: 10 }),
    heavyAllInItem: await senderUnits(db, table, twinTable, {
      ...heavy,
      customerId: 'heavy-in-item',
      stateConfig: { maxSeenIds: Number.POSITIVE_INFINITY },
    }),
  };
}
