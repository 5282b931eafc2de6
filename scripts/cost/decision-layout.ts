/**
 * What one decision reads and writes in DynamoDB, and what it leaves stored, sized from the
 * items the platform's own adapters build rather than from constants.
 *
 * A handful of customers of the market (its catalog, contact policy and channels; a profile of
 * the importer's shape; a state item folded from a month of the demo event mix) decide at D
 * decisions per customer per day for the decision log's whole retention, through the real
 * `decide` use case on in-memory ports. Every record is then handed to the real DynamoDB
 * adapters over a client that only keeps what it is asked (capture-client.ts), so the sizes are
 * those of the items the adapters would write; the table designs (table-design.ts) say which
 * index entries each item adds. Reads are the customer's Query (profile, state and everything
 * under the customer since the policy's window start) and, for household members, the household
 * ledger's Query on gsi1, sized from the same items. Decisions of the last `measureDays` days
 * are averaged: by then the windows and the log's retention are full.
 */
import { DynamoCustomerRepo } from '#adapters/dynamo/customer-repo.ts';
import { DynamoDecisionLog } from '#adapters/dynamo/decision-log.ts';
import { HOUSEHOLD_CONTACTS_PREFIX } from '#adapters/dynamo/household-contacts.ts';
import { DynamoStateRepo } from '#adapters/dynamo/state-repo.ts';
import { DECISION_TABLE, TENANT_TABLE, type TableDesign } from '#adapters/dynamo/table-design.ts';
import { DynamoVolumeCounter } from '#adapters/dynamo/volume-counter.ts';
import { decide } from '#app/decisions.ts';
import { decisioningEnvOf } from '#config/decisioning-settings.ts';
import type { MarketConfig } from '#config/market-config.ts';
import { fixedClock } from '#domain/clock.ts';
import { historyDays, historySince } from '#domain/contact-policy.ts';
import { applyEvents, type CustomerState } from '#domain/customer-state.ts';
import type { Channel, CustomerRecord } from '#domain/customer.ts';
import type { DecisionRecord } from '#domain/decisioning/decision-record.ts';
import { decisionsEnv } from '#handlers/decisions-env.ts';
import { MemoryDecisioning } from '../../lambdas/test-support/memory-decisioning.ts';
import { senderAt } from '../bench/write-units.ts';
import { captureClient, putItems } from './capture-client.ts';
import { indexEntryOf, itemBytes, readUnitsOf, STORAGE_OVERHEAD_BYTES, writeUnitsOf } from './item-bytes.ts';

/** One kind of read or write a decision makes: how big, how many units, in what share of decisions. */
export interface Access {
  what: string;
  table: 'tenant' | 'decision log' | 'keys';
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
  /** Everything stored per customer in the tenant table at steady state (items, index entries, overhead). */
  tenantBytesPerCustomer: number;
  /** What a Scan of the tenant table reads per customer (items only). */
  scanBytesPerCustomer: number;
  /** Stored per decision in the decision log table (item, index entries, overhead) for `logRetentionDays`. */
  logBytesPerDecision: number;
  logRetentionDays: number;
  /** The decision record as JSON (what a stream of records, e.g. to Firehose, would carry). */
  recordJsonBytes: number;
  /** Winners with a daily cap per decision, over the counter's lease block (one conditional ADD per block). */
  counterWritesPerDecision: number;
}

export interface LayoutOptions {
  perCustomerPerDay: number;
  /** Customers simulated (each its own experiment group, channel rotation and household). */
  customers?: number;
  /** Days simulated; the log's retention by default, so storage is at steady state. */
  days?: number;
  /** Decisions of the last days that are averaged. */
  measureDays?: number;
  /** Share of customers in a household (pairs) when the policy has a household cap. */
  householdShare?: number;
  /** Events a day the state item was folded from (the typical sender of docs/capacity.md). */
  eventsPerDay?: number;
}

const START = Date.parse('2030-01-01T00:00:00.000Z');
const DAY_MS = 86_400_000;
const TABLES = { tenant: 'tenant', log: 'decision-log' } as const;

/** The market's decision settings exactly as the decisions function parses them from its environment. */
export function marketDecisioning(config: MarketConfig) {
  const env = decisionsEnv({
    MARKET: config.code,
    TENANT_TABLES: '{}',
    KEYS_TABLE: 'keys',
    VALUE_TIERS: JSON.stringify(config.valueTiers),
    ...decisioningEnvOf(config),
  });
  return { settings: env.settings, volumeShards: env.raw.volumeShards };
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

/** A state folded from `days` of the demo event mix at `perDay`, as the processor would have stored it. */
function sampleState(perDay: number, days = 31): CustomerState {
  const events = senderAt('sample', perDay, Math.round(perDay * days), new Date(START));
  let state: CustomerState | undefined;
  for (const e of events) {
    state = applyEvents(state, [e], new Date(e.occurredAt), { dedupeWindowHours: 48 }).state;
    delete state.newIdRecords;
  }
  return state!;
}

const tableKeys = (d: TableDesign) => [d.partitionKey.name, ...(d.sortKey ? [d.sortKey.name] : [])];

/** What a stored item is, for the printout: the log item, a slim contact, or its kind / sort key. */
function labelOf(table: string, item: Record<string, unknown>): string {
  if (table === TABLES.log) return 'decision log item';
  const sk = String(item['sk'] ?? '');
  if (sk.startsWith('H#')) return 'slim contact under the customer';
  return `${String(item['kind'] ?? 'item')} item (sk ${sk})`;
}

/** An item and the entries it adds to its table's indexes, each with its bytes and write units. */
function writesOf(table: string, item: Record<string, unknown>, transactional: boolean) {
  const design = table === TABLES.log ? DECISION_TABLE : TENANT_TABLE;
  const bytes = itemBytes(item);
  const out = [{ what: labelOf(table, item), bytes, units: writeUnitsOf(bytes, transactional) }];
  for (const index of design.indexes) {
    const entry = indexEntryOf(item, tableKeys(design), index);
    if (!entry) continue;
    const entryBytes = itemBytes(entry);
    out.push({ what: `${index.indexName} index entry of the ${labelOf(table, item)}`, bytes: entryBytes, units: writeUnitsOf(entryBytes) });
  }
  return out;
}

const storedBytes = (w: { bytes: number }[]) => w.reduce((s, x) => s + x.bytes + STORAGE_OVERHEAD_BYTES, 0);

interface Contact {
  at: string;
  bytes: number;
  householdKey?: string;
  householdBytes: number;
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

export async function decisionLayout(config: MarketConfig, opts: LayoutOptions): Promise<DecisionIo> {
  const d = opts.perCustomerPerDay;
  if (!(d > 0)) throw new Error('decisions per customer per day must be positive');
  const customers = opts.customers ?? 20;
  const days = opts.days ?? config.retention.decisionLogDays;
  const measureDays = Math.min(opts.measureDays ?? 30, days);
  const tenant = config.tenants[0]!.id;
  const { settings, volumeShards } = marketDecisioning(config);
  const actions = config.starter.actions;
  const windowDays = historyDays(settings.policy, actions);
  const household = settings.policy.household;
  const inbound = config.channels.filter((c) => !(settings.policy.outboundChannels ?? []).includes(c)) as Channel[];
  const interval = DAY_MS / d;
  const measureFrom = START + (days - measureDays) * DAY_MS;

  const cap = captureClient();
  const repo = new DynamoCustomerRepo(cap.db, () => TABLES.tenant);
  const states = new DynamoStateRepo(cap.db, () => TABLES.tenant);
  const log = new DynamoDecisionLog(cap.db, { tenant: () => TABLES.tenant, decisions: () => TABLES.log });

  const clock = fixedClock(new Date(START));
  const memory = new MemoryDecisioning(clock, settings);
  for (const a of actions) memory.actions.set(a.actionId, a);
  const state = sampleState(opts.eventsPerDay ?? 20);
  const members = household ? Math.floor((customers * (opts.householdShare ?? 0.2)) / 2) * 2 : 0;
  const ids = Array.from({ length: customers }, (_, i) => `2782${String(1_000_000 + i * 7919).padStart(7, '0')}`);
  /** Per customer: bytes of profile + state (every Query reads them) and what they store with their index entries. */
  const fixed = new Map<string, { queried: number; stored: number }>();
  let profileBytes = 0;
  let stateBytes = 0;
  for (const [i, id] of ids.entries()) {
    const householdId = i < members ? `hh-${String(Math.floor(i / 2)).padStart(6, '0')}` : undefined;
    const profile = sampleProfile(id, new Date(START).toISOString(), householdId);
    await repo.save(tenant, profile, undefined);
    await states.saveState(tenant, id, state, [], 1, householdId);
    const written = putItems(cap.take());
    const [p, s] = written.map((w) => itemBytes(w.item));
    profileBytes += p!;
    stateBytes += s!;
    // a household member's profile is in gsi1 too (the household's member list): counted as stored
    fixed.set(id, {
      queried: p! + s!,
      stored: storedBytes(written.flatMap((w) => writesOf(w.table, w.item, w.transactional))),
    });
    await memory.addCustomer(profile, tenant);
    memory.states.set(id, { ...(written[1]!.item as Record<string, unknown>) });
  }

  const contacts = new Map<string, Contact[]>();
  const reads = new Tally();
  const writes = new Tally();
  let measured = 0;
  let offered = 0;
  let recordJson = 0;
  let counterWrites = 0;
  const logStored: number[] = [];
  const ports = memory.ports();
  const record = ports.log.record;
  let pending: DecisionRecord | undefined;
  ports.log = { ...ports.log, record: async (t, r) => void ((pending = r), await record(t, r)) };
  const run = decide(ports);
  const shards = (perDay: number) => Math.max(1, Math.min(volumeShards, perDay));
  const blockOf = (perDay: number) =>
    DynamoVolumeCounter.blockOf(DynamoVolumeCounter.sliceOf(perDay, 0, shards(perDay)), 10);

  for (let step = 0; START + step * interval < START + days * DAY_MS; step++) {
    for (const [i, id] of ids.entries()) {
      const at = START + step * interval + (i * interval) / customers;
      clock.set(new Date(at));
      const now = clock.now();
      const mine = contacts.get(id) ?? [];
      const inWindow = mine.filter((c) => c.at >= historySince(now, windowDays));
      const queryBytes = fixed.get(id)!.queried + inWindow.reduce((s, c) => s + c.bytes, 0);
      pending = undefined;
      await run(tenant, { customerId: id, channel: inbound[(step + i) % inbound.length]! });
      const r = pending as DecisionRecord | undefined;
      if (!r) throw new Error('the decision was not logged');
      await log.record(tenant, r);
      const written = putItems(cap.take()).flatMap((w) => writesOf(w.table, w.item, w.transactional).map((x) => ({ ...x, table: w.table })));
      const contact = written.find((w) => w.what === 'slim contact under the customer');
      const gsi1 = written.find((w) => w.what.startsWith('gsi1 index entry'));
      if (contact)
        mine.push({
          at: r.at,
          bytes: contact.bytes,
          ...(gsi1 && r.householdId ? { householdKey: `${HOUSEHOLD_CONTACTS_PREFIX}${r.householdId}` } : {}),
          householdBytes: gsi1?.bytes ?? 0,
        });
      contacts.set(id, mine);
      if (at < measureFrom) continue;

      measured++;
      if (r.actions.length) offered++;
      recordJson += Buffer.byteLength(JSON.stringify(r));
      reads.add(
        `customer Query (profile + state + what is under the customer since the ${windowDays}-day policy window start)`,
        'tenant',
        queryBytes,
        readUnitsOf(queryBytes),
      );
      if (household && r.householdId) {
        const since = historySince(now, household.days);
        const key = `${HOUSEHOLD_CONTACTS_PREFIX}${r.householdId}`;
        const bytes = [...contacts.values()]
          .flat()
          .filter((c) => c.householdKey === key && c.at >= since && c.at < r.at)
          .reduce((s, c) => s + c.householdBytes, 0);
        reads.add(`household ledger Query on gsi1 (members' marketing contacts of ${household.days} days)`, 'tenant', bytes, readUnitsOf(bytes));
      }
      for (const w of written) writes.add(w.what, w.table === TABLES.log ? 'decision log' : 'tenant', w.bytes, w.units);
      logStored.push(storedBytes(written.filter((w) => w.table === TABLES.log)));
      for (const a of r.actions) {
        const perDay = memory.actions.get(a.actionId)?.limits.perDay;
        if (perDay !== undefined) counterWrites += 1 / blockOf(perDay);
      }
    }
  }

  const end = START + days * DAY_MS;
  const kept = (c: Contact) => Date.parse(c.at) >= end - config.retention.decisionLogDays * DAY_MS;
  let tenantStored = 0;
  let scanned = 0;
  for (const id of ids) {
    const live = (contacts.get(id) ?? []).filter(kept);
    tenantStored +=
      fixed.get(id)!.stored +
      live.reduce((s, c) => s + c.bytes + STORAGE_OVERHEAD_BYTES + (c.householdBytes ? c.householdBytes + STORAGE_OVERHEAD_BYTES : 0), 0);
    scanned += fixed.get(id)!.queried + live.reduce((s, c) => s + c.bytes, 0);
  }
  const writeRows = writes.accesses(measured);
  if (counterWrites > 0)
    writeRows.push({
      what: `daily-cap counter: a conditional ADD per lease block (DynamoVolumeCounter, ${volumeShards} shards)`,
      table: 'tenant',
      bytes: 60,
      units: 1,
      share: counterWrites / measured,
    });
  return {
    perCustomerPerDay: d,
    source: `${customers} customers x ${d} decisions a day for ${days} days through decide() on the market's catalog and policy; items as the DynamoDB adapters build them; the last ${measureDays} days averaged`,
    offeredShare: offered / measured,
    reads: reads.accesses(measured),
    writes: writeRows,
    profileBytes: Math.round(profileBytes / customers),
    stateBytes: Math.round(stateBytes / customers),
    tenantBytesPerCustomer: Math.round(tenantStored / customers),
    scanBytesPerCustomer: Math.round(scanned / customers),
    logBytesPerDecision: Math.round(logStored.reduce((s, x) => s + x, 0) / logStored.length),
    logRetentionDays: config.retention.decisionLogDays,
    recordJsonBytes: Math.round(recordJson / measured),
    counterWritesPerDecision: counterWrites / measured,
  };
}

/** Read or write units per decision over a list of accesses. */
export const unitsPerDecision = (accesses: readonly Access[]) => accesses.reduce((s, a) => s + a.units * a.share, 0);
