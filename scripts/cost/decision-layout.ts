/**
 * What one decision reads and writes in DynamoDB, and what it leaves stored, measured on the
 * platform's own code rather than assumed: the real `decide` use case runs on the real DynamoDB
 * adapters, composed as the decisions function composes them, over an in-memory table emulator
 * that bills each request as DynamoDB would (table-emulator.ts). So the sizes are those of the
 * items the adapters build today (the table designs of table-design.ts say which index entries
 * each item adds), and a change of layout or of an item builder changes the model's units.
 *
 * A handful of customers of the market (its catalog, contact policy and inbound channels in
 * turn; a profile of the importer's shape; a state item folded from a month of the demo event mix;
 * a share of them in households) decide at D decisions per customer per day for the decision
 * log's whole retention, so storage is at steady state; decisions of the last `measureDays` are
 * averaged. Left out of the per-decision figures, as in a warm container: the catalog and the
 * learned rates (cached per container), and the daily-cap counters, whose lease blocks are billed
 * from the catalog's caps instead (the simulation's few decisions a day would not use up a lease).
 */
import { CachedActionCatalog } from '#adapters/cache/cached-action-catalog.ts';
import { DynamoActionCatalog } from '#adapters/dynamo/action-catalog.ts';
import { DynamoContactLedgers } from '#adapters/dynamo/contact-ledger.ts';
import { DynamoCustomerRepo } from '#adapters/dynamo/customer-repo.ts';
import { DynamoDecisionLog } from '#adapters/dynamo/decision-log.ts';
import { DynamoLearningStore } from '#adapters/dynamo/learning-store.ts';
import { DynamoStateRepo } from '#adapters/dynamo/state-repo.ts';
import { DECISION_TABLE, TENANT_TABLE, type TableDesign } from '#adapters/dynamo/table-design.ts';
import { DynamoVolumeCounter } from '#adapters/dynamo/volume-counter.ts';
import { decide, type DecisionPorts } from '#app/decisions.ts';
import { decisioningEnvOf } from '#config/decisioning-settings.ts';
import type { MarketConfig } from '#config/market-config.ts';
import { fixedClock } from '#domain/clock.ts';
import { applyEvents, type CustomerState } from '#domain/customer-state.ts';
import type { Channel, CustomerRecord } from '#domain/customer.ts';
import type { DecisionRecord } from '#domain/decisioning/decision-record.ts';
import { decisionsEnv } from '#composition/decisions-env.ts';
import { senderAt } from '../bench/write-units.ts';
import { indexEntryOf, itemBytes, STORAGE_OVERHEAD_BYTES } from './item-bytes.ts';
import { TableEmulator, type Billed } from './table-emulator.ts';

/** One kind of read or write a decision makes: how big, how many units, in what share of decisions. */
export interface Access {
  what: string;
  table: 'tenant' | 'decision log';
  /** Mean bytes per occurrence. */
  bytes: number;
  /** Mean request units per occurrence (RRU for reads, WRU for writes). */
  units: number;
  /** Occurrences per decision (0.53 = in 53% of decisions). */
  share: number;
}

export interface DecisionIo {
  perCustomerPerDay: number;
  /** How the sizes were obtained (printed with the figures). */
  source: string;
  offeredShare: number;
  reads: Access[];
  writes: Access[];
  profileBytes: number;
  stateBytes: number;
  /** Stored per customer for the customer base (profile and state, whether or not it is decided for). */
  baseStored: Stored;
  /** Stored per customer because of its decisions at steady state (its contact ledger, its share of its household's). */
  ledgerStored: Stored;
  /** Stored per decision in the decision log, kept `logRetentionDays`. */
  logStored: Stored;
  logRetentionDays: number;
  /** What a Scan of the tenant table reads per customer (its items). */
  scanBytesPerCustomer: number;
  /** A decision's entry in the log's byDay index: what the reports read per decision of the month. */
  reportEntryBytes: number;
  /** The decision record as JSON (what a stream of records, e.g. to Firehose, would carry). */
  recordJsonBytes: number;
}

/** Bytes stored, as DynamoDB bills them (100 B of overhead per item and per index entry): point-in-time recovery covers the table part only. */
export interface Stored {
  table: number;
  indexes: number;
}

export interface LayoutOptions {
  perCustomerPerDay: number;
  /** Customers simulated. */
  customers?: number;
  /** Days simulated; the log's retention by default, so storage is at steady state. */
  days?: number;
  /** Decisions of the last days that are averaged. */
  measureDays?: number;
  /** Share of customers in a household (pairs), where the policy has a household cap. */
  householdShare?: number;
  /** Events a day the state item was folded from (the typical sender of docs/capacity.md). */
  eventsPerDay?: number;
}

const START = Date.parse('2030-01-01T00:00:00.000Z');
const DAY_MS = 86_400_000;
const TENANT = 'tenant';
const LOG = 'decision-log';

/** The market's decision settings exactly as the decisions function parses them from its environment. */
export function marketDecisioning(config: MarketConfig) {
  const env = decisionsEnv({
    MARKET: config.code,
    TENANT_TABLES: '{}',
    KEYS_TABLE: 'keys',
    VALUE_TIERS: JSON.stringify(config.valueTiers),
    ...decisioningEnvOf(config),
  });
  return { settings: env.settings, raw: env.raw };
}

/** A profile of the importer's shape (telco plan, products, consent, scores from the nightly run). */
function sampleProfile(customerId: string, at: string, householdId?: string): CustomerRecord {
  return {
    customerId,
    version: 1,
    createdAt: at,
    updatedAt: at,
    segment: 'youth',
    tariff: 'smart-50',
    tenureMonths: 30,
    monthlyCharge: 85,
    contract: 'month-to-month',
    products: ['phone', 'internet-fiber', 'streaming-tv'],
    language: 'en',
    consent: { sms: true, app: true, ussd: true, 'call-centre': true, push: true },
    attributes: { region: 'gauteng', handset: 'android', paymentMethod: 'debit-order' },
    scores: {
      churn: { value: 0.31, class: 'medium', model: 'churn', version: '1.0.0', at },
      nps: { score: 7.4, class: 'passive', model: 'nps', version: '1.0.0', at },
    },
    ...(householdId ? { householdId } : {}),
  } as CustomerRecord;
}

/** A state folded from `days` of the demo event mix at `perDay`, as the processor stores it. */
function sampleState(perDay: number, days = 31): CustomerState {
  const events = senderAt('sample', perDay, Math.round(perDay * days), new Date(START));
  let state: CustomerState | undefined;
  for (const e of events) {
    state = applyEvents(state, [e], new Date(e.occurredAt), { dedupeWindowHours: 48 }).state;
    delete state.newIdRecords;
  }
  return state!;
}

/** The log adapter, remembering the last record it was given (its JSON size, its capped winners). */
class RememberingLog extends DynamoDecisionLog {
  last?: DecisionRecord;
  override async record(tenant: string, record: DecisionRecord): Promise<void> {
    this.last = record;
    await super.record(tenant, record);
  }
}

/** How the printout names a billed request. */
function describe(b: Billed): string {
  const table = b.table === LOG ? 'decision log' : 'tenant table';
  if (b.kind === 'read') {
    const whose = b.pk?.startsWith('HL#') ? "household's " : b.pk?.startsWith('C#') ? "customer's " : '';
    return `${b.command.replace('Command', '')} of the ${whose}${b.what} [${table}${b.index ? ` index ${b.index}` : ''}]`;
  }
  const item = b.table === LOG ? 'decision log item' : `${b.pk?.startsWith('HL#') ? 'household ' : ''}${b.what} item`;
  const verb = b.command === 'TransactWriteCommand' ? 'transactional write' : b.command.replace('Command', '');
  return b.index ? `${b.index} index entry of the ${item}` : `${verb} of the ${item}`;
}

/** Accumulates accesses by what they are: mean bytes and units per occurrence, occurrences per decision. */
class Tally {
  private readonly rows = new Map<string, { table: Access['table']; n: number; bytes: number; units: number }>();
  add(what: string, table: Access['table'], bytes: number, units: number) {
    const r = this.rows.get(what) ?? { table, n: 0, bytes: 0, units: 0 };
    r.n++;
    r.bytes += bytes;
    r.units += units;
    this.rows.set(what, r);
  }
  accesses(decisions: number): Access[] {
    return [...this.rows].map(([what, r]) => ({
      what,
      table: r.table,
      bytes: Math.round(r.bytes / r.n),
      units: r.units / r.n,
      share: r.n / decisions,
    }));
  }
}

/** Bytes stored for items: the items and their index entries, 100 bytes of overhead each. */
function storedOf(items: Record<string, unknown>[], design: TableDesign, per: number): Stored {
  const keys = [design.partitionKey.name, ...(design.sortKey ? [design.sortKey.name] : [])];
  const stored = { table: 0, indexes: 0 };
  for (const item of items) {
    stored.table += itemBytes(item) + STORAGE_OVERHEAD_BYTES;
    for (const index of design.indexes) {
      const entry = indexEntryOf(item, keys, index);
      if (entry) stored.indexes += itemBytes(entry) + STORAGE_OVERHEAD_BYTES;
    }
  }
  return { table: Math.round(stored.table / per), indexes: Math.round(stored.indexes / per) };
}

export async function decisionLayout(config: MarketConfig, opts: LayoutOptions): Promise<DecisionIo> {
  const d = opts.perCustomerPerDay;
  if (!(d > 0)) throw new Error('decisions per customer per day must be positive');
  const customers = opts.customers ?? 20;
  const days = opts.days ?? config.retention.decisionLogDays;
  const measureDays = Math.min(opts.measureDays ?? 30, days);
  const tenant = config.tenants[0]!.id;
  const { settings, raw } = marketDecisioning(config);
  const inbound = config.channels.filter((c) => !(settings.policy.outboundChannels ?? []).includes(c)) as Channel[];

  const emulator = new TableEmulator({ [TENANT]: TENANT_TABLE, [LOG]: DECISION_TABLE });
  const db = emulator.client();
  const tableOf = () => TENANT;
  const clock = fixedClock(new Date(START));
  const log = new RememberingLog(db, { tenant: tableOf, decisions: () => LOG });
  let seq = 0;
  const catalog = new DynamoActionCatalog(db, tableOf);
  // composed as decisionAdaptersFor composes them (lambdas/composition/decisions.ts)
  const ports: DecisionPorts = {
    customers: new DynamoCustomerRepo(db, tableOf),
    catalog: new CachedActionCatalog(catalog, raw.cacheSeconds * 1000, Date.now),
    log,
    ledgers: new DynamoContactLedgers(db, tableOf),
    learning: new DynamoLearningStore(db, tableOf, raw.cacheSeconds * 1000),
    volume: new DynamoVolumeCounter(db, tableOf, raw.volumeShards),
    clock,
    // ids of the real length, from a counter: the same sizes on every run
    randomId: () => ((++seq * 2_654_435_761) % 36 ** 12).toString(36).padStart(12, '0'),
    settings,
  };

  const actions = config.starter.actions;
  for (const a of actions) await catalog.put(tenant, a);
  const state = sampleState(opts.eventsPerDay ?? 20);
  const states = new DynamoStateRepo(db, tableOf);
  const members = settings.policy.household ? Math.floor((customers * (opts.householdShare ?? 0.2)) / 2) * 2 : 0;
  const ids = Array.from({ length: customers }, (_, i) => `2782${String(1_000_000 + i * 7919).padStart(7, '0')}`);
  const at = new Date(START).toISOString();
  for (const [i, id] of ids.entries()) {
    const householdId = i < members ? `hh-${String(Math.floor(i / 2)).padStart(6, '0')}` : undefined;
    await ports.customers.save(tenant, sampleProfile(id, at, householdId), undefined);
    await states.saveState(tenant, id, state, [], 1);
  }
  emulator.take();

  const reads = new Tally();
  const writes = new Tally();
  let measured = 0;
  let offered = 0;
  let recordJson = 0;
  let counterWrites = 0;
  const run = decide(ports);
  const shards = (perDay: number) => Math.max(1, Math.min(raw.volumeShards, perDay));
  const blockOf = (perDay: number) =>
    DynamoVolumeCounter.blockOf(DynamoVolumeCounter.sliceOf(perDay, 0, shards(perDay)), 10);
  const interval = DAY_MS / d;
  const measureFrom = START + (days - measureDays) * DAY_MS;
  let logged = 0;
  for (let step = 0; START + step * interval < START + days * DAY_MS; step++) {
    for (const [i, id] of ids.entries()) {
      const now = START + step * interval + (i * interval) / customers;
      clock.set(new Date(now));
      log.last = undefined;
      await run(tenant, { customerId: id, channel: inbound[(step + i) % inbound.length]! });
      const billed = emulator.take();
      const r = log.last as DecisionRecord | undefined;
      if (!r) throw new Error('the decision was not logged');
      logged++;
      if (now < measureFrom) continue;
      measured++;
      if (r.actions.length) offered++;
      recordJson += Buffer.byteLength(JSON.stringify(r));
      for (const b of billed) {
        // daily-cap counters are billed from the catalog below; cached reads do not recur per decision
        if (b.pk?.startsWith('V#') || b.pk?.startsWith('L#')) continue;
        (b.kind === 'read' ? reads : writes).add(
          describe(b),
          b.table === LOG ? 'decision log' : 'tenant',
          b.bytes,
          b.units,
        );
      }
      for (const a of r.actions) {
        const perDay = actions.find((x) => x.actionId === a.actionId)?.limits.perDay;
        if (perDay !== undefined) counterWrites += 1 / blockOf(perDay);
      }
    }
  }

  // steady state: the log holds its whole retention; under the customers what they keep
  const tenantItems = emulator.items(TENANT).filter((i) => /^(C|HL)#/.test(String(i['pk'])));
  const profiles = tenantItems.filter((i) => i['sk'] === 'P');
  const statesStored = tenantItems.filter((i) => i['sk'] === 'S');
  const writeRows = writes.accesses(measured);
  if (counterWrites > 0)
    writeRows.push({
      what: `Update of a daily-cap counter (a conditional ADD per lease block of DynamoVolumeCounter, ${raw.volumeShards} shards)`,
      table: 'tenant',
      bytes: 60,
      units: 1,
      share: counterWrites / measured,
    });
  const mean = (items: Record<string, unknown>[]) =>
    Math.round(items.reduce((s, i) => s + itemBytes(i), 0) / items.length);
  const byDay = DECISION_TABLE.indexes.find((i) => i.indexName === 'byDay');
  const logItems = emulator.items(LOG);
  return {
    perCustomerPerDay: d,
    source: `${customers} customers x ${d} decisions a day for ${days} days through decide() on the real DynamoDB adapters over an emulated table (scripts/cost/table-emulator.ts); the market's catalog, policy and inbound channels; ${members} customers in households; the last ${measureDays} days averaged`,
    offeredShare: offered / measured,
    reads: reads.accesses(measured),
    writes: writeRows,
    profileBytes: mean(profiles),
    stateBytes: mean(statesStored),
    baseStored: storedOf([...profiles, ...statesStored], TENANT_TABLE, customers),
    ledgerStored: storedOf(
      tenantItems.filter((i) => i['sk'] !== 'P' && i['sk'] !== 'S'),
      TENANT_TABLE,
      customers,
    ),
    logStored: storedOf(logItems, DECISION_TABLE, logged),
    logRetentionDays: config.retention.decisionLogDays,
    scanBytesPerCustomer: Math.round(tenantItems.reduce((s, i) => s + itemBytes(i), 0) / customers),
    reportEntryBytes: byDay ? mean(logItems.map((i) => indexEntryOf(i, ['id'], byDay) ?? {})) : 0,
    recordJsonBytes: Math.round(recordJson / measured),
  };
}
