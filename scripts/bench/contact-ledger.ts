/**
 * The contact ledger (issue 15, item 3): a decision's read units and p50 for a customer with 0, 100
 * and 1,000 earlier decisions (aim: within 10% of each other), beside what the read it replaced (the
 * customer's `H#` items of the policy's window) costs at the same history; and the billed units of
 * what commits a contact: a decision, a household member's decision, a trigger firing, a campaign
 * contact and a response. Real use cases and DynamoDB adapters on DynamoDB Local.
 *
 * DynamoDB Local under-reports TransactWriteItems (a transaction of ten 50-byte Puts reports 2
 * units; DynamoDB bills 20): a transaction is counted here as DynamoDB bills it, 2 units per started
 * kilobyte of each item written (the item's size by DynamoDB's rules, scan-bytes.ts's itemBytes).
 *
 *   npx tsx scripts/bench/run.ts contact-ledger
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { pathToFileURL } from 'node:url';
import { DynamoActionCatalog } from '#adapters/dynamo/action-catalog.ts';
import { batchWriteAll } from '#adapters/dynamo/batch-write.ts';
import { DynamoCampaignStore } from '#adapters/dynamo/campaign-store.ts';
import { documentClient } from '#adapters/dynamo/client.ts';
import { DynamoCustomerRepo } from '#adapters/dynamo/customer-repo.ts';
import { DynamoScoreStore } from '#adapters/dynamo/score-store.ts';
import { DynamoStateRepo } from '#adapters/dynamo/state-repo.ts';
import { DECISION_TABLE, TENANT_TABLE } from '#adapters/dynamo/table-design.ts';
import { DynamoTriggerStore } from '#adapters/dynamo/trigger-store.ts';
import { campaignSteps } from '#app/campaign-steps.ts';
import { createCampaign } from '#app/campaigns.ts';
import { decide, respond, type Decision, type DecisionPorts } from '#app/decisions.ts';
import { processCustomerEvents } from '#app/process-events.ts';
import { fixedClock } from '#domain/clock.ts';
import type { CustomerRecord } from '#domain/customer.ts';
import { experimentGroup } from '#domain/decisioning/experiments.ts';
import { demoCatalog } from '#config/markets/demo-catalog.ts';
import { DEMO_TRIGGERS } from '#config/markets/demo-triggers.ts';
import { TEST_SETTINGS } from '../../lambdas/test-support/memory-decisioning.ts';
import { anEvent } from '../../lambdas/test-support/event-builders.ts';
import { startDynamoLocal } from '../../lambdas/test-support/dynamo-local.ts';
import { ensureTable } from '../../lambdas/test-support/ensure-table.ts';
import { dynamoDecisionPorts } from './decision-ports.ts';
import { median, type BenchFigure } from './figure.ts';
import { itemBytes, legacyItemOf } from './scan-bytes.ts';

const TENANT = 'acme';
// 10:00 in Johannesburg, in the future: DynamoDB Local's TTL deletes nothing while it is measured
const END = Date.parse('2030-06-01T08:00:00.000Z');
/** How far back the default policy and the demo catalog look (its longest limit: 2 retention offers in 90 days). */
const POLICY_DAYS = 90;
const MEASURED = 120;
/** Customers per history group: each measured decision goes to the next, a day after the last. */
const PER_GROUP = 6;
const settings = { ...TEST_SETTINGS, experiments: { ...TEST_SETTINGS.experiments, controlPercent: 0 } };

interface Units {
  reads: number;
  writes: number;
  rcu: number;
  wcu: number;
}
const zero = (): Units => ({ reads: 0, writes: 0, rcu: 0, wcu: 0 });
const READS = new Set(['GetCommand', 'QueryCommand', 'BatchGetCommand']);
const kb = (item: Record<string, unknown>) => Math.max(1, Math.ceil(itemBytes(item) / 1024));

/** The document client with every call's billed units added to `units` (transactions as DynamoDB bills them). */
function metered(db: DynamoDBDocumentClient, units: { current: Units }): DynamoDBDocumentClient {
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop !== 'send') return Reflect.get(target, prop, receiver);
      return async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
        const name = command.constructor.name;
        command.input['ReturnConsumedCapacity'] ??= 'TOTAL';
        const out = (await target.send(command as never)) as Record<string, unknown>;
        const reported = ([out['ConsumedCapacity']].flat().filter(Boolean) as { CapacityUnits?: number }[]).reduce(
          (s, c) => s + (c.CapacityUnits ?? 0),
          0,
        );
        const u = units.current;
        if (READS.has(name)) {
          u.reads++;
          u.rcu += reported;
        } else {
          u.writes++;
          if (name === 'TransactWriteCommand') {
            const items = command.input['TransactItems'] as { Put?: { Item: Record<string, unknown> } }[];
            u.wcu += items.reduce((s, i) => s + 2 * (i.Put ? kb(i.Put.Item) : 1), 0);
          } else u.wcu += reported;
        }
        return out;
      };
    },
  });
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const per = (u: Units, n: number) => ({
  reads: round2(u.reads / n),
  writes: round2(u.writes / n),
  rcu: round2(u.rcu / n),
  wcu: round2(u.wcu / n),
});

export async function runContactLedgerBench(): Promise<BenchFigure[]> {
  const dynamo = await startDynamoLocal();
  try {
    return await measure(dynamo.endpoint);
  } finally {
    await dynamo.stop();
  }
}

async function measure(endpoint: string): Promise<BenchFigure[]> {
  const raw = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const table = 'ledger-bench-acme';
  for (const [name, design] of [
    [table, TENANT_TABLE],
    [`${table}-decisions`, DECISION_TABLE],
    ['ledger-bench-legacy', TENANT_TABLE],
  ] as const)
    await ensureTable(raw, name, design);
  raw.destroy();
  const units = { current: zero() };
  const plain = documentClient({ endpoint });
  const db = metered(plain, units);
  const tableOf = () => table;
  const clock = fixedClock(new Date(END));
  const catalog = new DynamoActionCatalog(db, tableOf);
  // without daily caps: their leases (a write per ten units) depend on which action wins, not on
  // the customer's history, and would blur the comparison (they are measured in decisions.ts)
  for (const a of demoCatalog) await catalog.put(TENANT, { ...a, limits: { perCustomer: a.limits.perCustomer } });
  const { ports, logged } = dynamoDecisionPorts(
    db,
    { tenant: table, decisions: `${table}-decisions` },
    { catalog, clock, settings },
  );
  // the catalog as a warm container holds it: listed once, then from its cache
  const actions = await catalog.list(TENANT);
  ports.catalog = {
    list: async () => actions,
    get: catalog.get.bind(catalog),
    put: catalog.put.bind(catalog),
    remove: catalog.remove.bind(catalog),
  };
  const run = decide(ports);
  const repo = new DynamoCustomerRepo(plain, tableOf);
  const profile = (customerId: string, householdId?: string): CustomerRecord => ({
    customerId,
    version: 1,
    createdAt: new Date(END).toISOString(),
    updatedAt: new Date(END).toISOString(),
    segment: 'youth',
    tenureMonths: 30,
    monthlyCharge: 85,
    contract: 'month-to-month',
    products: ['phone', 'internet-fiber'],
    language: 'en',
    consent: { app: true, sms: true, ussd: true, 'call-centre': true },
    ...(householdId ? { householdId } : {}),
  });
  const ids = (prefix: string, n: number) => {
    const out: string[] = [];
    for (let i = 0; out.length < n; i++)
      if (experimentGroup(TENANT, `${prefix}${i}`, settings.experiments) !== 'control') out.push(`${prefix}${i}`);
    return out;
  };

  // customers with a history: one decision a day (the app, the USSD menu, SMS and the call centre in
  // turn) until END, so the measured decisions meet the steady state of a lived-in customer
  const histories = { 100: ids('h100-', PER_GROUP), 1000: ids('h1000-', PER_GROUP) } as const;
  const fresh = ids('h0-', MEASURED);
  await repo.saveMany(
    TENANT,
    [...histories[100], ...histories[1000], ...fresh].map((id) => profile(id)),
  );
  const channels = ['app', 'ussd', 'sms', 'call-centre'] as const;
  for (const [n, customers] of Object.entries(histories))
    for (const customerId of customers)
      for (let i = 0; i < Number(n); i++) {
        clock.set(new Date(END - (Number(n) - i) * 86_400_000));
        await run(TENANT, { customerId, channel: channels[i % channels.length]!, limit: 1 });
      }
  // the ledger of a customer after 1,000 decisions, one a day
  const ledgerBytes = itemBytes(
    (
      await plain.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk AND sk = :l',
          ExpressionAttributeValues: { ':pk': `C#${histories[1000][0]}`, ':l': 'L' },
        }),
      )
    ).Items![0]!,
  );
  // the read this replaced (before issue 15): every decision under the customer as its full record
  // (`H#`), and each decision reading those of the policy's window; here the customer's decisions,
  // dated within the window, as a customer making them that often would have them
  const legacyRead = async (customerId: string) => {
    const mine = logged.filter((r) => r.customerId === customerId);
    const step = (POLICY_DAYS * 86_400_000) / mine.length;
    const items = mine.map((r, i) =>
      legacyItemOf({ ...r, at: new Date(END - POLICY_DAYS * 86_400_000 + (i + 0.5) * step).toISOString() }),
    );
    await batchWriteAll(
      plain,
      'ledger-bench-legacy',
      items.map((Item) => ({ PutRequest: { Item } })),
    );
    const times: number[] = [];
    let rcu = 0;
    for (let k = 0; k < 20; k++) {
      const t0 = performance.now();
      let start: Record<string, unknown> | undefined;
      rcu = 0;
      do {
        const out = await plain.send(
          new QueryCommand({
            TableName: 'ledger-bench-legacy',
            KeyConditionExpression: 'pk = :pk AND sk >= :from',
            ExpressionAttributeValues: {
              ':pk': `C#${customerId}`,
              ':from': `H#${new Date(END - POLICY_DAYS * 86_400_000).toISOString()}`,
            },
            ScanIndexForward: false,
            ReturnConsumedCapacity: 'TOTAL',
            ExclusiveStartKey: start,
          }),
        );
        rcu += out.ConsumedCapacity?.CapacityUnits ?? 0;
        start = out.LastEvaluatedKey;
      } while (start);
      times.push(performance.now() - t0);
    }
    return { rcu, p50: median(times), items: items.length };
  };
  const before100 = await legacyRead(histories[100][0]!);
  const before1000 = await legacyRead(histories[1000][0]!);

  // decisions now, the three groups interleaved so that the machine's noise falls on each alike;
  // a day between rounds, so that each history customer is asked about once a week
  const groups = {
    0: { times: [] as number[], units: zero(), offered: 0 },
    100: { times: [] as number[], units: zero(), offered: 0 },
    1000: { times: [] as number[], units: zero(), offered: 0 },
  };
  clock.set(new Date(END));
  await run(TENANT, { customerId: fresh[0]!, channel: 'app', limit: 1 }); // warm-up
  for (let r = 1; r < MEASURED; r++) {
    clock.set(new Date(END + r * 86_400_000));
    for (const g of [0, 100, 1000] as const) {
      const customerId = g === 0 ? fresh[r]! : histories[g][r % PER_GROUP]!;
      units.current = groups[g].units;
      const t0 = performance.now();
      const d: Decision = await run(TENANT, { customerId, channel: 'app', limit: 1 });
      groups[g].times.push(performance.now() - t0);
      if (d.actions.length) groups[g].offered++;
    }
  }
  const at = (g: 0 | 100 | 1000) => ({ p50: median(groups[g].times), ...per(groups[g].units, MEASURED - 1) });
  const [g0, g100, g1000] = [at(0), at(100), at(1000)];

  // what each contact writes, a while later
  clock.set(new Date(END + (MEASURED + 30) * 86_400_000));
  const costs = await contactCosts(db, plain, units, ports, run, clock, profile, ids);
  const figures: BenchFigure[] = [];
  for (const [n, g] of [
    [0, g0],
    [100, g100],
    [1000, g1000],
  ] as const) {
    figures.push({
      name: `decision p50 against DynamoDB Local, customer with ${n.toLocaleString('en-US')} earlier decisions`,
      value: round2(g.p50),
      unit: 'ms',
      ...(n
        ? {
            reference: { name: 'no earlier decision', value: round2(g0.p50), unit: 'ms' },
            ratio: round2(g.p50 / g0.p50),
          }
        : {}),
      note: `${g.reads} reads (${g.rcu} RCU), ${g.writes} writes (${g.wcu} WCU) per decision; ${groups[n].offered}/${MEASURED - 1} offered something`,
    });
    figures.push({
      name: `read units per decision, ${n.toLocaleString('en-US')} earlier decisions`,
      value: g.rcu,
      unit: 'RCU',
      ...(n
        ? { reference: { name: 'no earlier decision', value: g0.rcu, unit: 'RCU' }, ratio: round2(g.rcu / g0.rcu) }
        : {}),
    });
  }
  figures.push(
    {
      name: `before issue 15: read units of a decision's H# read, 100 earlier decisions in the last ${POLICY_DAYS} days`,
      value: before100.rcu,
      unit: 'RCU',
      note: `${before100.items} full records under the customer; that Query alone p50 ${round2(before100.p50)} ms`,
    },
    {
      name: `before issue 15: read units of a decision's H# read, 1,000 earlier decisions in the last ${POLICY_DAYS} days`,
      value: before1000.rcu,
      unit: 'RCU',
      note: `${before1000.items} full records under the customer; that Query alone p50 ${round2(before1000.p50)} ms`,
    },
    {
      name: 'contact ledger item after 1,000 decisions, one a day (demo catalog, default policy)',
      value: ledgerBytes,
      unit: 'bytes',
      note: "bounded by the limits: the channel and overall windows and each action's per-customer limits",
    },
    ...costs,
  );
  plain.destroy();
  return figures;
}

/** Billed units of what commits a contact: a decision (alone and in a household), a firing, a campaign contact, a response. */
async function contactCosts(
  db: DynamoDBDocumentClient,
  plain: DynamoDBDocumentClient,
  units: { current: Units },
  ports: DecisionPorts,
  run: ReturnType<typeof decide>,
  clock: ReturnType<typeof fixedClock>,
  profile: (id: string, householdId?: string) => CustomerRecord,
  ids: (prefix: string, n: number) => string[],
): Promise<BenchFigure[]> {
  const tableOf = () => 'ledger-bench-acme';
  const repo = new DynamoCustomerRepo(plain, tableOf);
  const N = 60;
  const measureEach = async (customers: string[], work: (id: string) => Promise<boolean>) => {
    const u = zero();
    let counted = 0;
    for (const id of customers) {
      const mine = zero();
      units.current = mine;
      clock.advance(1000);
      if (!(await work(id))) continue;
      counted++;
      for (const k of Object.keys(u) as (keyof Units)[]) u[k] += mine[k];
    }
    return { ...per(u, Math.max(1, counted)), counted };
  };

  // a decision that offers something, alone and as a household member (both ledgers in one transaction)
  const single = ids('c1-', N);
  const members = ids('c2-', N);
  await repo.saveMany(TENANT, [
    ...single.map((id) => profile(id)),
    ...members.map((id, i) => profile(id, `hh-${i % 20}`)),
  ]);
  const decided: Decision[] = [];
  const alone = await measureEach(single, async (id) => {
    const d = await run(TENANT, { customerId: id, channel: 'app', limit: 1 });
    decided.push(d);
    return d.actions.length > 0;
  });
  const household = await measureEach(members, async (id) => {
    const d = await run(TENANT, { customerId: id, channel: 'app', limit: 1 });
    return d.actions.some((a) => a.kind === 'offer' || a.kind === 'retention');
  });
  const responses = await measureEach(
    decided.filter((d) => d.actions[0]).map((d) => d.decisionId),
    async (decisionId) => {
      const d = decided.find((x) => x.decisionId === decisionId)!;
      await respond(ports)(TENANT, decisionId, { actionId: d.actions[0]!.actionId, response: 'declined' });
      return true;
    },
  );

  // trigger firings: the third dropped call (a service call) for customers alone, data at 90% (an SMS offer) for household members
  const triggers = new DynamoTriggerStore(db, tableOf);
  for (const t of DEMO_TRIGGERS) await triggers.put(TENANT, t);
  const states = new DynamoStateRepo(db, tableOf);
  const process = processCustomerEvents({
    states,
    ledgers: ports.ledgers,
    outbound: { send: async () => {} },
    triggers,
    catalog: ports.catalog,
    clock,
    market: { timezone: 'Africa/Johannesburg', quietHours: { start: '20:00', end: '08:00' }, defaultLanguage: 'en' },
    stateConfig: { dedupeWindowHours: 48 },
    policy: settings.policy,
    volume: ports.volume,
  });
  const firedAlone = await measureEach(single.slice(0, 30), async (id) => {
    const calls = [1, 2, 3].map((i) =>
      anEvent('network.call_dropped', {}, { customerId: id, now: clock.now(), minutesAgo: i }),
    );
    return (await process(TENANT, id, calls)).messages === 1;
  });
  const firedHousehold = await measureEach(
    members.slice(0, 30),
    async (id) =>
      (
        await process(TENANT, id, [
          anEvent('usage.data', { usedMb: 900, bundleMb: 1000 }, { customerId: id, now: clock.now(), minutesAgo: 0 }),
        ])
      ).messages === 1,
  );

  // a campaign contact: one shard's contact step over 60 fresh members, per member contacted
  const campaignIds = ids('k-', N);
  await repo.saveMany(
    TENANT,
    campaignIds.map((id) => ({ ...profile(id), consent: { sms: true } })),
  );
  const campaigns = new DynamoCampaignStore(db, tableOf);
  const stepPorts = {
    campaigns,
    customers: ports.customers,
    scan: new DynamoScoreStore(db, tableOf),
    outbound: { send: async () => {} },
    decisions: ports,
    clock,
    settings: { totalSegments: 1, totalShards: 1, timeScale: 1, pollSeconds: 60, concurrency: 1 },
  };
  const { campaignId } = await createCampaign({
    campaigns,
    catalog: ports.catalog,
    starter: { start: async () => ({ executionId: 'bench' }) },
    customers: ports.customers,
    scan: stepPorts.scan,
    clock,
    randomId: () => Math.random().toString(36).slice(2, 10),
    policy: settings.policy,
    previewSegments: 1,
  })(TENANT, {
    name: 'bench',
    goal: 'take-up',
    audience: { customerIds: campaignIds },
    actionIds: ['bigger-bundle-offer', 'bundle-upgrade-10gb'],
    channel: 'sms',
    controlGroupPercent: 0,
    pilot: { percent: 100, minUplift: 5 },
    responseWindow: 'P7D',
  });
  const steps = campaignSteps(stepPorts);
  await steps({ step: 'prepare', tenant: TENANT, campaignId });
  const selected = await steps({ step: 'select', tenant: TENANT, campaignId, segment: 0, totalSegments: 1 });
  await steps({ step: 'selected', tenant: TENANT, campaignId, results: [selected as never] });
  const contactUnits = zero();
  units.current = contactUnits;
  const result = (await steps({
    step: 'contact',
    tenant: TENANT,
    campaignId,
    phase: 'pilot',
    shard: 0,
    totalShards: 1,
  })) as {
    contacted: number;
  };
  const campaign = per(contactUnits, Math.max(1, result.contacted));

  const line = (name: string, u: ReturnType<typeof per> & { counted?: number }, note: string): BenchFigure => ({
    name,
    value: u.wcu,
    unit: 'WCU',
    note: `${u.writes} writes, ${u.reads} reads (${u.rcu} RCU) each; ${note}${u.counted !== undefined ? ` (${u.counted} measured)` : ''}`,
  });
  return [
    line(
      'write units per decision that offers something',
      alone,
      'the ledger Put and the decision log Put (with its two index entries)',
    ),
    line(
      "write units per household member's marketing decision",
      household,
      "the customer's and the household's ledgers in one TransactWriteItems, and the log Put",
    ),
    line(
      'write units per trigger firing (service call, no household)',
      firedAlone,
      'state and ledger in one TransactWriteItems, then the outbox cleared',
    ),
    line(
      'write units per trigger firing of a household member (an SMS offer)',
      firedHousehold,
      "state, customer's and household's ledgers in one TransactWriteItems, then the outbox cleared",
    ),
    line(
      'write units per campaign contact',
      { ...campaign, counted: result.contacted },
      'the decision (ledger and log), the member moved to contacted, the shard and campaign updates',
    ),
    line(
      'write units per response (decline)',
      responses,
      'the ledger UpdateItem, the log UpdateItem, the learning ADD',
    ),
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const f of await runContactLedgerBench())
    console.log(
      `${f.name}: ${f.value} ${f.unit}${f.ratio !== undefined ? ` (ratio ${f.ratio})` : ''}${f.note ? ` — ${f.note}` : ''}`,
    );
}
