import * as logs from 'aws-cdk-lib/aws-logs';
import { beforeAll, describe, expect, it } from 'vitest';
import { decisionTableName, tenantTableName } from '#adapters/dynamo/table-design.ts';
import { deploymentOf, MIN_DECISION_LOG_DAYS } from '#config/market-config.ts';
import { loadMarket } from '#config/markets/index.ts';
import {
  DEFAULT_ASSUMPTIONS,
  decisionMs,
  decisionUsage,
  priceUsage,
  readUnits,
  tieredUnitPrice,
  total,
  writeUnits,
  type DecisionInput,
  type FnProfile,
} from './cost-math.ts';
import { decisionLayout, type DecisionIo } from './decision-layout.ts';
import { fixtureTemplate } from './fixture-template.ts';
import { readUnitsOf, writeUnitsOf } from './item-bytes.ts';
import { ALL_LEVERS, CONFIG_LEVERS, emfLinesPerDecision, leanMarket, LEVERS } from './levers.ts';
import { costModel, type CostModel } from './model.ts';
import { flaggedPrices, loadPrices } from './prices.ts';
import { accessLogLineBytes, templateFacts, type CfnTemplate } from './template-facts.ts';

const prices = loadPrices();
const market = loadMarket('demo');
const a = DEFAULT_ASSUMPTIONS;
const M = 1_000_000;
const CUSTOMERS = 9_000_000;
const pitrTables = market.tenants.flatMap((t) => [
  tenantTableName(deploymentOf(market), t.id),
  decisionTableName(deploymentOf(market), t.id),
]);
const base = fixtureTemplate({ pitrTables });
const decisionFnId = (t: CfnTemplate) => templateFacts(t).api.routes['/v1/decisions']!;

/** The layout at D = 0.2, 1 and 5, on few customers and days so the file stays quick. */
let layouts: DecisionIo[];
beforeAll(async () => {
  layouts = [];
  for (const d of [0.2, 1, 5])
    layouts.push(await decisionLayout(market, { perCustomerPerDay: d, customers: 6, days: 40, measureDays: 10 }));
}, 60_000);
const model = (template = base, p = prices, customers = CUSTOMERS): CostModel =>
  costModel(template, market, p, a, customers, { layouts });
const at = (m: CostModel, d: number) => m.decisionLines.find((l) => l.perCustomerPerDay === d)!;
const line = (lines: { component: string; usd: number }[], c: string) => lines.find((l) => l.component === c)?.usd;

describe('reading the template', () => {
  it('finds which function serves each API path, the authorizer and the queue consumer', () => {
    const facts = templateFacts(base);
    expect(facts.api.type).toBe('REST');
    expect(facts.functions[decisionFnId(base)]).toMatchObject({
      memoryMb: 1024,
      architecture: 'arm64',
      tracing: true,
      logRetentionDays: 30,
    });
    expect(facts.api.routes['/v1/events']).toMatch(/^EventsFn/);
    expect(facts.api.authorizerFunction).toMatch(/^AuthorizerFn/);
    expect(facts.api.authorizerCacheTtlSeconds).toBe(60);
    expect(facts.queueConsumers).toEqual([{ functionId: expect.stringMatching(/^EventProcessorFn/), batchSize: 25 }]);
    expect(facts.scoring).toEqual({ mode: 'embedded' });
  });

  it("takes the sampling rate from the X-Ray sampling rule, and X-Ray's default without one", () => {
    expect(templateFacts(base).tracing).toMatchObject({ samplingRate: 0.05, source: 'x-ray default rule' });
    expect(templateFacts(fixtureTemplate({ samplingRate: 0.2 })).tracing).toMatchObject({
      samplingRate: 0.2,
      source: 'sampling-rule',
    });
  });

  it('sees which tables have point-in-time recovery on', () => {
    expect(templateFacts(base).tables.map((t) => [t.tableName, t.pointInTimeRecovery])).toEqual(
      pitrTables.map((n) => [n, true]),
    );
    expect(templateFacts(fixtureTemplate()).tables).toEqual([]);
  });
});

describe('the decision figure at D decisions per customer per day', () => {
  it('gives a figure for each D, each with storage and point-in-time recovery in its breakdown', () => {
    const m = model();
    expect(m.decisionLines.map((l) => l.perCustomerPerDay)).toEqual([0.2, 1, 5]);
    for (const l of m.decisionLines) {
      expect(l.estimate.title).toContain(`at ${l.perCustomerPerDay} decisions per customer per day`);
      expect(line(l.estimate.lines, 'DynamoDB storage')).toBeGreaterThan(0);
      expect(line(l.estimate.lines, 'DynamoDB point-in-time recovery')).toBeGreaterThan(0);
      expect(l.monthlyDecisions).toBe(CUSTOMERS * l.perCustomerPerDay * 30);
    }
    expect(m.decisions).toBe(at(m, 1).estimate);
  });

  it('charges no point-in-time recovery when the template turns it off', () => {
    const off = model(fixtureTemplate());
    expect(line(at(off, 1).estimate.lines, 'DynamoDB point-in-time recovery')).toBeUndefined();
    expect(line(at(off, 1).estimate.lines, 'DynamoDB storage')).toBeGreaterThan(0);
  });

  it("spreads a customer's ledger over its decisions: the fewer decisions a day, the more storage each one carries", () => {
    const m = model();
    const ledgerShare = (d: number) => {
      const io = at(m, d).io;
      return (io.ledgerStored.table + io.ledgerStored.indexes) / (d * 30);
    };
    expect(ledgerShare(0.2)).toBeGreaterThan(ledgerShare(5) * 10);
  });

  it('names every read and write it assumes, with the sizes of the items the adapters build', () => {
    const notes = at(model(), 1).estimate.notes.join('\n');
    expect(notes).toMatch(/reads \([\d.]+ RRU per decision, eventually consistent\): Query of the customer's/);
    expect(notes).toMatch(/Query of the customer's state \+ profile \+ ledger \[tenant table\]: \d+ B = 0\.5 RRU/);
    expect(notes).toMatch(/Put of the decision log item: \d+ B = [\d.]+ WRU/);
    expect(notes).toMatch(/byCustomer index entry of the decision log item: \d+ B = 1 WRU/);
    expect(notes).toMatch(/byDay index entry of the decision log item: \d+ B = 1 WRU/);
    expect(notes).toMatch(/Put of the ledger item: \d+ B = 1 WRU in [\d.]+% of decisions/);
  });

  it("prices the customer base's profiles and states apart, as a monthly figure", () => {
    const m = model();
    const io = at(m, 1).io;
    const gb = (CUSTOMERS * (io.baseStored.table + io.baseStored.indexes)) / 1024 ** 3;
    expect(line(m.baseStorage.lines, 'DynamoDB storage')).toBeCloseTo(gb * 0.25, 6);
    expect(line(m.baseStorage.lines, 'DynamoDB point-in-time recovery')).toBeCloseTo(
      ((CUSTOMERS * io.baseStored.table) / 1024 ** 3) * 0.2,
      6,
    );
  });

  it('counts the drift series in the monthly metric fee: per pinned model and watched feature, not per tenant', () => {
    const m = model();
    const models = Object.keys(market.scoring.models).length;
    expect(m.driftSeries).toBe(models * (1 + market.models.psiTopFeatures));
    const wider = costModel(
      base,
      { ...market, models: { ...market.models, psiTopFeatures: 10 } },
      prices,
      a,
      CUSTOMERS,
      {
        layouts,
      },
    );
    expect(wider.meterSeriesPerMonth - m.meterSeriesPerMonth).toBeCloseTo(models * 5 * 0.3, 6);
  });
});

describe('API Gateway volume tiers', () => {
  it("averages the tiers over a month's requests that cross a tier boundary", () => {
    expect(tieredUnitPrice(prices, 'apigw.rest.request', 500e6) * M).toBeCloseTo((333 * 3.5 + 167 * 2.8) / 500, 9);
    expect(tieredUnitPrice(prices, 'apigw.rest.request', 100e6) * M).toBeCloseTo(3.5, 9);
    expect(tieredUnitPrice(prices, 'apigw.http.request', 400e6) * M).toBeCloseTo((300 * 1 + 100 * 0.9) / 400, 9);
    expect(tieredUnitPrice(prices, 'apigw.rest.request', 25e9) * M).toBeCloseTo(
      (333 * 3.5 + 667 * 2.8 + 19_000 * 2.38 + 5_000 * 1.51) / 25_000,
      9,
    );
  });

  it("applies them to the market's API requests a month: decisions and event POSTs together", () => {
    const m = model();
    const monthly = (d: number) => CUSTOMERS * d * 30 + (CUSTOMERS * 20 * 30) / 100;
    expect(at(m, 5).monthlyApiRequests).toBe(monthly(5));
    expect(line(at(m, 5).estimate.lines, 'API Gateway (REST)')).toBeCloseTo(
      M * tieredUnitPrice(prices, 'apigw.rest.request', monthly(5)),
      9,
    );
    expect(line(at(m, 5).estimate.lines, 'API Gateway (REST)')).toBeLessThan(3);
    expect(line(at(m, 1).estimate.lines, 'API Gateway (REST)')).toBeCloseTo(3.5, 9);
    // 1.404B requests: 333M at $3.50 + 667M at $2.80 + 404M at $2.38
    expect(at(m, 5).estimate.lines[0]!.detail).toContain('333M at $3.50 + 667M at $2.80 + 404M at $2.38');
  });
});

describe('prices for the market region', () => {
  it("uses af-south-1's own price where it has one and falls back to us-east-1, flagged, where it cannot be confirmed", () => {
    const cpt = loadPrices('af-south-1');
    expect(cpt.region).toBe('af-south-1');
    expect(cpt.prices['stepfunctions.standard.transition']).toMatchObject({
      usd: 0.02975,
      region: 'af-south-1',
      status: 'third-party',
    });
    expect(cpt.prices['dynamodb.onDemand.write']).toMatchObject({
      usd: 0.625,
      region: 'us-east-1',
      status: 'fallback',
    });
    expect(prices.prices['dynamodb.onDemand.write'].status).toBe('list');
  });

  it('flags every price of a region it has no table for', () => {
    const nowhere = loadPrices('xx-nowhere-1');
    expect(nowhere.note).toMatch(/no price table for xx-nowhere-1/);
    expect(flaggedPrices(nowhere).thirdParty).toEqual([]);
    expect(flaggedPrices(nowhere).fallback).toContain('apigw.rest.request');
  });

  it('carries the flags into the figure: which of the prices it used are fallbacks', () => {
    const cpt = model(base, loadPrices('af-south-1'));
    const { fallback } = flaggedPrices(cpt.prices, at(cpt, 1).estimate.priceIds);
    expect(fallback).toEqual(
      expect.arrayContaining(['apigw.rest.request', 'dynamodb.onDemand.write', 'dynamodb.pitr']),
    );
    expect(flaggedPrices(prices, at(model(), 1).estimate.priceIds).fallback).toEqual([]);
    // Step Functions has a third-party af-south-1 price: the nightly run costs more there
    expect(cpt.nightly[0]!.total).toBeGreaterThan(model().nightly[0]!.total);
  });
});

describe('the levers', () => {
  it('each lever on its own lowers the figure at every D, and all of them together lower it most', () => {
    for (const l of model().decisionLines) {
      for (const lever of l.levers) expect(lever.total, lever.key).toBeLessThan(l.estimate.total);
      expect(l.allLevers.total).toBeLessThan(Math.min(...l.levers.map((x) => x.total)));
      expect(l.levers.map((x) => x.key)).toEqual(LEVERS.map((x) => x.key));
    }
  });

  it('sends the full log to Firehose instead of the decision table: no log writes, log storage or its PITR', () => {
    const m = costModel(base, market, prices, a, CUSTOMERS, { layouts, levers: { firehoseLog: true } });
    const io = at(m, 1).io;
    const table = at(model(), 1).estimate;
    const firehose = at(m, 1).estimate;
    const logUnits = io.writes.filter((w) => w.table === 'decision log').reduce((s, w) => s + w.units * w.share, 0);
    expect(line(table.lines, 'DynamoDB writes')! - line(firehose.lines, 'DynamoDB writes')!).toBeCloseTo(
      logUnits * 0.625,
      6,
    );
    // one record billed as 5 KB at $0.029/GB
    expect(line(firehose.lines, 'Firehose (decision log)')).toBeCloseTo(((M * 5120) / 1024 ** 3) * 0.029, 6);
    expect(line(firehose.lines, 'DynamoDB storage')).toBeLessThan(line(table.lines, 'DynamoDB storage')! / 10);
    expect(line(table.lines, 'Firehose (decision log)')).toBeUndefined();
  });

  it('writes one metrics line per container and interval, never more lines than decisions', () => {
    expect(emfLinesPerDecision(0, 100, 21, 2, a)).toBe(1);
    const busy = emfLinesPerDecision(10, 1000, 21, 2, a);
    const quiet = emfLinesPerDecision(10, 1, 21, 2, a);
    expect(busy).toBeLessThan(0.05);
    expect(quiet).toBeLessThanOrEqual(1);
    expect(quiet).toBeGreaterThan(busy);
  });

  it('turns the levers on in the figure itself when asked', () => {
    const all = costModel(base, market, prices, a, CUSTOMERS, { layouts, levers: ALL_LEVERS });
    expect(at(all, 1).estimate.total).toBeCloseTo(at(model(), 1).allLevers.total, 9);
  });
});

describe('the configuration levers, read from the template', () => {
  const logTables = market.tenants.map((t) => decisionTableName(deploymentOf(market), t.id));
  const tenantTables = market.tenants.map((t) => tenantTableName(deploymentOf(market), t.id));

  it("reads the API functions' metrics interval, the log's TTL and the stage's tracing", () => {
    const t = fixtureTemplate({
      meterFlushSeconds: 10,
      decisionLogDays: 32,
      stageTracing: true,
      decisionTracing: false,
    });
    const facts = templateFacts(t);
    expect(facts.functions[decisionFnId(t)]).toMatchObject({
      meterFlushSeconds: 10,
      decisionLogDays: 32,
      tracing: false,
    });
    expect(facts.api.tracing).toBe(true);
    expect(templateFacts(base).functions[decisionFnId(base)]).toMatchObject({ meterFlushSeconds: 0 });
    expect(templateFacts(base).functions[decisionFnId(base)]!.decisionLogDays).toBeUndefined();
    expect(templateFacts(base).api.tracing).toBe(false);
  });

  it("writes the EMF line per container when the decisions function's CVM_METER_FLUSH_SECONDS says so", () => {
    const perInvocation = at(model(), 1);
    const interval = at(model(fixtureTemplate({ pitrTables, meterFlushSeconds: 10 })), 1);
    const emf = (l: typeof perInvocation) => line(l.estimate.lines, 'Metrics (EMF)')!;
    const ms = decisionMs(model().functions.decision, a);
    const lines = emfLinesPerDecision(10, (CUSTOMERS * 1) / 86_400, ms, market.tenants.length, a);
    expect(lines).toBeLessThan(0.05);
    expect(emf(interval) / emf(perInvocation)).toBeCloseTo(lines, 6);
    expect(model(fixtureTemplate({ pitrTables, meterFlushSeconds: 0 })).decisions.total).toBeCloseTo(
      perInvocation.estimate.total,
      9,
    );
    // the events API is an API function too: fewer lines than its requests, the processor's unchanged
    const eventsEmf = (t: CfnTemplate) => line(model(t).events.lines, 'Metrics (EMF)')!;
    const batches = M / 25;
    const requests = M / a.eventsPerRequest;
    const fewer = eventsEmf(fixtureTemplate({ pitrTables, meterFlushSeconds: 10 }));
    expect(eventsEmf(base) * (batches / (requests + batches))).toBeLessThan(fewer);
    expect(fewer).toBeLessThan(eventsEmf(base));
  });

  it("charges the log's point-in-time recovery only where the template keeps it on the log tables", () => {
    const on = at(model(), 1).estimate;
    const off = at(model(fixtureTemplate({ pitrTables: tenantTables, tables: logTables })), 1).estimate;
    const io = at(model(), 1).io;
    const pitr = (e: typeof on) => line(e.lines, 'DynamoDB point-in-time recovery')!;
    // what is left is the ledger's, on the tenant table
    expect(pitr(off)).toBeGreaterThan(0);
    expect(pitr(on) - pitr(off)).toBeCloseTo(
      ((M * io.logStored.table) / 1024 ** 3) * (io.logRetentionDays / 30) * prices.prices['dynamodb.pitr'].usd,
      6,
    );
  });

  it("keeps each decision as long as the decisions function's DECISIONING.decisionLogDays says", () => {
    const io = at(model(), 1).io;
    const of = (days: number) => at(model(fixtureTemplate({ pitrTables, decisionLogDays: days })), 1).estimate.lines;
    const storage = (days: number) => line(of(days), 'DynamoDB storage')!;
    expect(line(of(io.logRetentionDays), 'DynamoDB storage')).toBeCloseTo(
      line(at(model(), 1).estimate.lines, 'DynamoDB storage')!,
      9,
    );
    // the log's share of storage scales with its TTL; the ledger's does not
    const logGb = (days: number) =>
      ((M * (io.logStored.table + io.logStored.indexes)) / 1024 ** 3) *
      (days / 30) *
      prices.prices['dynamodb.storage'].usd;
    expect(storage(180) - storage(32)).toBeCloseTo(logGb(180) - logGb(32), 6);
  });

  it('counts a sampled decision as a trace while the stage traces, whatever the function does', () => {
    const xray = (t: CfnTemplate) => line(at(model(t), 1).estimate.lines, 'Traces (X-Ray)');
    const stage = xray(fixtureTemplate({ pitrTables, stageTracing: true }));
    expect(stage).toBeGreaterThan(0);
    expect(xray(fixtureTemplate({ pitrTables, stageTracing: true, decisionTracing: false }))).toBeCloseTo(stage!, 9);
    // the function alone records them on an untraced stage
    expect(xray(fixtureTemplate({ pitrTables, decisionTracing: true }))).toBeCloseTo(stage!, 9);
    expect(xray(fixtureTemplate({ pitrTables, decisionTracing: false }))).toBeUndefined();
  });

  it('pulls every configuration lever in the lean market, and nothing else', () => {
    const lean = leanMarket(market);
    for (const l of CONFIG_LEVERS)
      if (l.option !== 'observability.meterFlushSeconds') expect(l.valueIn(lean), l.option).not.toBe(l.valueIn(market));
    expect(lean.retention.decisionLogDays).toBe(MIN_DECISION_LOG_DAYS);
    expect(lean.observability.meterFlushSeconds).toBeGreaterThan(0);
    expect({ ...lean, retention: market.retention, observability: market.observability }).toEqual(market);
  });
});

describe('the other figures', () => {
  it('costs more per decision when the decision Lambda gets more memory in the template', () => {
    const before = model();
    const bigger = structuredClone(base);
    bigger.Resources![decisionFnId(bigger)]!.Properties!['MemorySize'] = 2048;
    const after = model(bigger);
    expect(after.functions.decision.memoryMb).toBe(2048);
    // above a full vCPU the time no longer shrinks: 1M x (ms at 2 GB x 2 - ms at 1 GB x 1) GB-s x $0.0000133334
    const ms = (mb: number) => decisionMs({ ...after.functions.decision, memoryMb: mb }, a);
    expect(ms(2048)).toBeLessThan(ms(1024));
    expect(after.decisions.total - before.decisions.total).toBeCloseTo(
      1e6 * ((ms(2048) / 1000) * 2 - (ms(1024) / 1000) * 1) * 0.0000133334,
      4,
    );
  });

  it('costs more per decision when the sampling rule traces more', () => {
    const sampled = model(fixtureTemplate({ samplingRate: 0.2, pitrTables }));
    // 15% more of 1M traces at $5/M (both rules have a reservoir of 1 a second)
    expect(sampled.decisions.total - model().decisions.total).toBeCloseTo(0.75, 2);
  });

  it('adds inference on top of the decision figure for every scoring mode', () => {
    const m = model();
    expect(m.scoringModes.map((s) => s.title)).toEqual([
      'embedded (in-process evaluator)',
      'sagemaker serverless',
      'sagemaker real-time',
    ]);
    for (const s of m.scoringModes) expect(s.total).toBeGreaterThan(m.decisions.total);
    const serverless = m.scoringModes[1]!;
    // 1M x 40 ms x 2 GB x $0.00002 + 2 GB processed x $0.016
    expect(line(serverless.lines, 'SageMaker inference')).toBeCloseTo(1.6 + ((1e6 * 2 * 1024) / 1024 ** 3) * 0.016, 4);
    expect(serverless.lines.some((l) => l.component === 'Lambda requests')).toBe(false);
  });

  it('uses the batch size of the queue consumer and the layout state item for events', () => {
    const m = model();
    const duration = m.events.lines.find((l) => l.component === 'Lambda duration')!;
    expect(duration.detail).toContain('event-processor 40k x 120 ms at 512 MB');
    // a state Put per event; 1% fire: state and ledger in one transaction
    const io = at(m, 1).io;
    const ledger = io.writes.find((w) => w.what === 'Put of the ledger item')!.bytes;
    const state = writeUnitsOf(io.stateBytes);
    expect(line(m.events.lines, 'DynamoDB writes')).toBeCloseTo(
      (state + 0.01 * (state + writeUnitsOf(ledger, true))) * 0.625,
      6,
    );
  });

  it('falls back to the house defaults, saying so, for a function the template does not have yet', () => {
    const m = model();
    expect(m.functions.scoring.source).toMatch(/^assumed/);
    expect(m.nightly[0]!.notes.join(' ')).toContain('assumed');
  });

  it('scales nightly scoring with the number of customers, and scans what the layout keeps under each', () => {
    const small = model(base, prices, 1_000_000).nightly[0]!.total;
    const large = model(base, prices, 9_000_000).nightly[0]!.total;
    expect(large / small).toBeGreaterThan(8.9);
    expect(large / small).toBeLessThan(9.1);
    const m = model();
    expect(m.nightlyAt.map((n) => n.perCustomerPerDay)).toEqual([0.2, 1, 5]);
    // the report build reads the month's decisions so far: more decisions, more to read
    expect(m.nightlyAt[2]!.reports).toBeGreaterThan(m.nightlyAt[0]!.reports);
  });
});

describe('cost arithmetic', () => {
  const fn: FnProfile = { name: 'f', memoryMb: 1024, architecture: 'arm64', systemLogLevel: 'INFO', source: 'test' };
  const io: DecisionInput['io'] = {
    perCustomerPerDay: 1,
    reads: [{ units: 0.5, share: 1 }],
    writes: [
      { table: 'decision log', units: 1, share: 1 },
      { table: 'tenant', units: 1, share: 0.5 },
    ],
    ledgerStored: { table: 1024, indexes: 0 },
    logStored: { table: 1024, indexes: 512 },
    logRetentionDays: 180,
    recordJsonBytes: 1000,
  };
  const input = (over: Partial<DecisionInput> = {}): DecisionInput => ({
    decisions: M,
    decisionFn: fn,
    authorizerFn: fn,
    samplingRate: 0,
    io,
    pitr: { tenant: true, log: true },
    emfLinesPerDecision: 1,
    logPath: 'table',
    tenants: 2,
    marketDecisionsPerDay: 9e6,
    ...over,
  });

  it('counts DynamoDB units as AWS bills them', () => {
    expect(readUnits(6)).toBe(1);
    expect(readUnits(6, true)).toBe(2);
    expect(writeUnits(0.3)).toBe(1);
    expect(writeUnits(1.5)).toBe(2);
    expect(readUnitsOf(0)).toBe(0.5);
    expect(readUnitsOf(4097, true)).toBe(2);
    expect(writeUnitsOf(1025)).toBe(2);
    expect(writeUnitsOf(100, true)).toBe(2);
  });

  it('prices a decision line by line from usage', () => {
    const usage = decisionUsage(input(), { ...a, authorizerCacheHitRate: 1 });
    const lines = priceUsage(usage, prices, { apiType: 'REST', logRetentionDays: 30, logCompression: 0 });
    const of = (c: string) => line(lines, c);
    expect(of('API Gateway (REST)')).toBeCloseTo(3.5, 6);
    expect(of('Lambda requests')).toBeCloseTo(0.2, 6);
    // 2 DynamoDB waits of 6 ms + 4.91 ms CPU stretched to 1769/1024 of a vCPU
    expect(decisionMs(fn, a)).toBe(Math.ceil(2 * 6 + 4.91 * (1769 / 1024)));
    expect(of('Lambda duration')).toBeCloseTo(1e6 * (decisionMs(fn, a) / 1000) * 0.0000133334, 6);
    expect(of('DynamoDB reads')).toBeCloseTo(0.125 * 0.5, 6);
    expect(of('DynamoDB writes')).toBeCloseTo(0.625 * 1.5, 6);
    // the ledger (1 KB) over 30 decisions a month + the log item (1.5 KB) for 6 months; PITR on the tables only
    const gb = 1024 ** 3;
    expect(of('DynamoDB storage')).toBeCloseTo(0.25 * ((M * 1024) / 30 / gb + (M * 1536 * 6) / gb), 6);
    expect(of('DynamoDB point-in-time recovery')).toBeCloseTo(0.2 * ((M * 1024) / 30 / gb + (M * 1024 * 6) / gb), 6);
    expect(of('Authorizer (Lambda)')).toBeUndefined();
    expect(total(lines)).toBeGreaterThan(4.5);
  });

  it('sends the record to Firehose billed per 5 KB, or several to a record when a container gathers them', () => {
    const one = decisionUsage(input({ logPath: 'firehose' }), a);
    const batched = decisionUsage(input({ logPath: 'firehose-batched' }), a);
    expect(one.firehoseGb).toBeCloseTo((M * 5120) / 1024 ** 3, 9);
    expect(batched.firehoseGb).toBeCloseTo((M * 1000) / 1024 ** 3, 9);
    expect(one.writeUnits).toBe(M * 0.5);
    expect(one.lambda[1]!.avgMs).toBeGreaterThan(batched.lambda[1]!.avgMs);
  });

  it('prices access logs of an Infrequent Access group at its ingestion price', () => {
    const standard = model(fixtureTemplate({ accessLogClass: logs.LogGroupClass.STANDARD }));
    const ia = model(fixtureTemplate({ accessLogClass: logs.LogGroupClass.INFREQUENT_ACCESS }));
    expect(
      templateFacts(fixtureTemplate({ accessLogClass: logs.LogGroupClass.INFREQUENT_ACCESS })).api.accessLogClass,
    ).toBe('INFREQUENT_ACCESS');
    expect(ia.decisions.lines.find((l) => l.component === 'Logs (Infrequent Access)')!.detail).toContain('GB ingested');
    // the line is sized from the stage's format: 1M lines at $0.50/GB instead of $0.25/GB (storage alike)
    const bytes = templateFacts(fixtureTemplate({ accessLogClass: logs.LogGroupClass.STANDARD })).api
      .accessLogLineBytes!;
    expect(bytes).toBeGreaterThan(100);
    expect(standard.decisions.total - ia.decisions.total).toBeCloseTo(((1e6 * bytes) / 1024 ** 3) * 0.25, 4);
  });

  it('sizes an access log line from the format, with typical values for its variables', () => {
    expect(accessLogLineBytes('{"requestId":"$context.requestId","status":"$context.status"}')).toBe(
      '{"requestId":"c6af9ac6-7b61-11e6-9a41-93e8deadbeef","status":"200"}'.length + 1 + 26,
    );
    expect(accessLogLineBytes('$context.somethingNew')).toBe(12 + 1 + 26);
  });

  it('drops the platform log lines when the system log level is WARN', () => {
    const info = decisionUsage(input(), a);
    const warn = decisionUsage(input({ decisionFn: { ...fn, systemLogLevel: 'WARN' } }), a);
    expect(info.logBytes - warn.logBytes).toBe(1e6 * a.platformLogBytes);
  });
});
