import { METER_NAMES as METER_NAME_LIST } from '#domain/usage-readings.ts';
import { decisionTableName, tenantTableName } from '#adapters/dynamo/table-design.ts';
import { driftSeriesOf } from '#adapters/metrics/platform-metrics.ts';
import { deploymentOf, type MarketConfig } from '#config/market-config.ts';
import {
  baseStorageUsage,
  cpuStretch,
  decisionMs,
  decisionUsage,
  eventUsage,
  inferenceUsage,
  meterSeriesPerMonth,
  nightlyReportUsage,
  nightlyScoringUsage,
  priceUsage,
  realTimeEndpointPerDay,
  total,
  unitsPerDecision,
  withoutRequestFee,
  type Assumptions,
  type CostLine,
  type FnProfile,
  type LogPath,
  type PriceId,
  type PriceTable,
  type PricingContext,
  type ScoringVariant,
  type Usage,
} from './cost-math.ts';
import type { Access, DecisionIo } from './decision-layout.ts';
import { ALL_LEVERS, emfLinesPerDecision, LEVERS, logPathOf, NO_LEVERS, type LeverKey, type Levers } from './levers.ts';
import { templateFacts, type CfnTemplate, type TemplateFacts } from './template-facts.ts';

export interface Estimate {
  title: string;
  total: number;
  lines: CostLine[];
  /** The same usage priced with an HTTP API instead of REST (its own tiers at the same volume). */
  httpApiTotal: number;
  notes: string[];
  /** The prices the figure used (to flag fallbacks). */
  priceIds: PriceId[];
}

/** One decision figure at D decisions per customer per day: as configured, with each lever, and with all of them. */
export interface DecisionLine {
  perCustomerPerDay: number;
  monthlyDecisions: number;
  /** The market's API requests a month (decisions + event POSTs): what the API tiers are applied to. */
  monthlyApiRequests: number;
  io: DecisionIo;
  estimate: Estimate;
  levers: { key: LeverKey; title: string; total: number }[];
  allLevers: Estimate;
}

export interface CostModel {
  facts: TemplateFacts;
  prices: PriceTable;
  functions: Record<'decision' | 'authorizer' | 'events' | 'processor' | 'scoring', FnProfile>;
  /** One per layout given, in its order. */
  decisionLines: DecisionLine[];
  /** The reference line (D = 1 when given, else the first): inference, events, nightly and unit costs build on it. */
  reference: DecisionLine;
  decisions: Estimate;
  scoringModes: Estimate[];
  events: Estimate;
  nightly: Estimate[];
  /** The nightly runs at each D: the embedded scoring run, and the report build's reads (the month's decisions grow with D). */
  nightlyAt: { perCustomerPerDay: number; scanBytesPerCustomer: number; scoring: number; reports: number }[];
  /** A month of the customer base's own storage (profiles and states, with PITR): fixed, not per decision. */
  baseStorage: Estimate;
  meterSeriesPerMonth: number;
  /** Of those series, the nightly drift metrics' (ScorePsi per pinned model, FeaturePsi per watched feature). */
  driftSeries: number;
  /** What the template sets of the decision figure's configuration levers (docs/capacity.md). */
  decisionSettings: {
    meterFlushSeconds: number;
    decisionFunctionTracing: boolean;
    stageTracing: boolean;
    logPitr: boolean;
    /** From the decisions function's environment; undefined when the template does not carry it. */
    logDays?: number;
  };
}

export interface ModelInputs {
  /** The decision path's reads, writes and storage at each D (decision-layout.ts), one figure each. */
  layouts: DecisionIo[];
  /** Levers switched on in the configured figure (default none). */
  levers?: Partial<Levers>;
}

/** Meters per tenant (the work meters, Read/WriteCapacityUnits, the AWS sends): each a custom metric series per tenant. */
export const METER_NAMES = METER_NAME_LIST.length;

/** The function a role runs on: the template's, or the house default when nobody built it yet. */
function profileOf(facts: TemplateFacts, name: string, logicalId: string | undefined, fallback: string): FnProfile {
  const fn = logicalId ? facts.functions[logicalId] : undefined;
  if (fn)
    return {
      name,
      memoryMb: fn.memoryMb,
      architecture: fn.architecture,
      systemLogLevel: fn.systemLogLevel,
      source: `template ${fn.logicalId}`,
    };
  return {
    name,
    memoryMb: 512,
    architecture: 'arm64',
    systemLogLevel: 'INFO',
    source: `assumed (${fallback}): house CvmFunction defaults, 512 MB arm64`,
  };
}

const findFn = (facts: TemplateFacts, re: RegExp) =>
  Object.values(facts.functions).find((f) => re.test(f.logicalId) || re.test(f.description ?? ''))?.logicalId;

/** The prices a usage draws on: a figure's fallbacks are flagged from these. */
function priceIdsOf(u: Usage, apiType: 'REST' | 'HTTP'): PriceId[] {
  const ids: PriceId[] = [];
  const on = (cond: boolean, ...p: PriceId[]) => cond && ids.push(...p);
  on(u.apiRequests > 0, apiType === 'REST' ? 'apigw.rest.request' : 'apigw.http.request');
  on(u.lambda.length > 0, 'lambda.request');
  for (const l of u.lambda)
    ids.push(l.fn.architecture === 'arm64' ? 'lambda.arm64.gbSecond' : 'lambda.x86_64.gbSecond');
  on(u.readUnits > 0, 'dynamodb.onDemand.read');
  on(u.writeUnits > 0, 'dynamodb.onDemand.write');
  on(u.dynamoGbMonths > 0, 'dynamodb.storage');
  on(u.pitrGbMonths > 0, 'dynamodb.pitr');
  on(u.sqsRequests > 0, 'sqs.standard.request');
  on(u.logBytes + u.emfBytes > 0, 'logs.ingest.standard', 'logs.storage');
  on(u.iaLogBytes > 0, 'logs.ingest.infrequentAccess', 'logs.storage');
  on(u.traces > 0, 'xray.trace.recorded');
  on(u.sfnTransitions > 0, 'stepfunctions.standard.transition');
  on(!!u.sagemaker, 'sagemaker.serverless.gbSecond', 'sagemaker.serverless.dataGb');
  on(u.firehoseGb > 0, 'firehose.directPut.gb');
  on(u.s3GbMonths + u.s3Puts > 0, 's3.standard.storage', 's3.put');
  return [...new Set(ids)];
}

const fmtBytes = (b: number) => (b >= 10_240 ? `${(b / 1024).toFixed(1)} KB` : `${Math.round(b)} B`);

/** The decision path's reads and writes as the printout states them: what, how big, units, how often. */
export function accessNotes(io: DecisionIo, logPath: LogPath = 'table'): string[] {
  const row = (x: Access, unit: string) =>
    `${x.what}: ${fmtBytes(x.bytes)} = ${+x.units.toFixed(2)} ${unit}${x.share < 0.9995 ? ` in ${+(x.share * 100).toFixed(1)}% of decisions` : ''}`;
  const writes = logPath === 'table' ? io.writes : io.writes.filter((w) => w.table !== 'decision log');
  const kept = (x: { table: number; indexes: number }) =>
    `${fmtBytes(x.table + x.indexes)} (indexes ${fmtBytes(x.indexes)})`;
  return [
    `reads (${unitsPerDecision(io.reads).toFixed(2)} RRU per decision, eventually consistent): ${io.reads.map((r) => row(r, 'RRU')).join('; ')}; + the API key's GetItem on an authorizer cache miss; catalog and learned rates cached in the container`,
    `writes (${unitsPerDecision(writes).toFixed(2)} WRU per decision): ${writes.map((w) => row(w, 'WRU')).join('; ')}${logPath === 'firehose' ? `; + 1 Firehose record of ${fmtBytes(io.recordJsonBytes)} (billed as 5 KB)` : logPath === 'firehose-batched' ? `; + ${fmtBytes(io.recordJsonBytes)} into a shared 5 KB Firehose record` : ''}`,
    `kept by the decisions: the contact ledger, ${kept(io.ledgerStored)} per customer (its own and its share of its household's), all month; ${logPath === 'table' ? `the decision log, ${kept(io.logStored)} per decision for ${io.logRetentionDays} days` : `the record in S3 for ${io.logRetentionDays} days`}; 100 B of overhead per item and entry; ${+(io.offeredShare * 100).toFixed(1)}% of decisions offered something. Not the decisions': profile ${io.profileBytes} B and state ${io.stateBytes} B per customer (the base's storage, under fixed)`,
    `sizes: ${io.source}`,
  ];
}

export function costModel(
  template: CfnTemplate,
  config: MarketConfig,
  prices: PriceTable,
  assumed: Assumptions,
  customers: number,
  inputs: ModelInputs,
): CostModel {
  if (inputs.layouts.length === 0) throw new Error('the cost model needs the decision layout at one D at least');
  const facts = templateFacts(template);
  // the access log line is sized from the stage's own format when the template has one
  const a: Assumptions = facts.api.accessLogLineBytes
    ? { ...assumed, accessLogBytes: facts.api.accessLogLineBytes }
    : assumed;
  const routes = facts.api.routes;
  const processorId =
    facts.queueConsumers.find((c) => /event/i.test(c.functionId))?.functionId ?? facts.queueConsumers[0]?.functionId;
  const functions = {
    decision: profileOf(
      facts,
      'decisions',
      routes['/v1/decisions'],
      'no function serves /v1/decisions in the template yet',
    ),
    authorizer: profileOf(facts, 'authorizer', facts.api.authorizerFunction, 'no authorizer in the template'),
    events: profileOf(facts, 'serve-events', routes['/v1/events'], 'no function serves /v1/events in the template yet'),
    processor: profileOf(facts, 'event-processor', processorId, 'no SQS consumer in the template yet'),
    scoring: profileOf(
      facts,
      'score-base',
      findFn(facts, /scor(e|ing)/i),
      'no nightly scoring function in the template yet',
    ),
  };
  const batchSize = facts.queueConsumers.find((c) => c.functionId === processorId)?.batchSize ?? 10;
  const apiType = facts.api.type === 'HTTP' ? 'HTTP' : 'REST';
  const retention =
    facts.functions[Object.keys(facts.functions)[0] ?? '']?.logRetentionDays ?? config.retention.logsDays;
  const deployment = deploymentOf(config);
  const names = (of: (d: string, t: string) => string) => new Set(config.tenants.map((t) => of(deployment, t.id)));
  const tenantNames = names(tenantTableName);
  const logNames = names(decisionTableName);
  const pitrOn = (set: Set<string>) =>
    facts.tables.some((t) => t.tableName && set.has(t.tableName) && t.pointInTimeRecovery);
  const pitr = { tenant: pitrOn(tenantNames), log: pitrOn(logNames) };
  const rate = facts.tracing.samplingRate;
  const decisionFacts = routes['/v1/decisions'] ? facts.functions[routes['/v1/decisions']] : undefined;
  const eventsFacts = routes['/v1/events'] ? facts.functions[routes['/v1/events']] : undefined;
  /** Seconds between a decisions container's metrics lines, as the stack sets them (0: one per invocation). */
  const meterFlushSeconds = decisionFacts?.meterFlushSeconds ?? 0;
  /**
   * A sampled decision is a recorded trace when the stage traces (its segment alone makes one) or
   * the function traces on its own (untraced stage): X-Ray bills traces, not segments.
   */
  const decisionsTraced = facts.api.tracing || !!decisionFacts?.tracing;
  /** The log's TTL as the decisions function is told it; the layout's (the config's) where the template does not say. */
  const logDaysOf = (io: DecisionIo) => decisionFacts?.decisionLogDays ?? io.logRetentionDays;
  /**
   * Traces per request: the rule's fixed rate, plus its reservoir (the first N requests each
   * second, for every service the rule matches together), spread over the market's requests.
   */
  const tracesPerRequest = (monthlyRequests: number, off = false) =>
    off
      ? 0
      : Math.min(1, rate + (facts.tracing.reservoirPerSecond * 86_400 * a.daysPerMonth) / Math.max(1, monthlyRequests));

  const estimate = (
    title: string,
    usage: Usage,
    notes: string[],
    monthly: number | undefined,
    strip = false,
  ): Estimate => {
    const ctx: PricingContext = {
      apiType,
      logRetentionDays: retention,
      logCompression: a.logCompression,
      ...(monthly ? { apiMonthlyRequests: monthly } : {}),
    };
    const priced = (c: PricingContext) =>
      strip ? withoutRequestFee(priceUsage(usage, prices, c)) : priceUsage(usage, prices, c);
    const lines = priced(ctx);
    return {
      title,
      total: total(lines),
      lines,
      httpApiTotal: total(priced({ ...ctx, apiType: 'HTTP' })),
      notes,
      priceIds: priceIdsOf(usage, apiType),
    };
  };

  const M = 1_000_000;
  const monthlyEventRequests = (customers * a.eventsPerCustomerPerDay * a.daysPerMonth) / a.eventsPerRequest;
  const monthlyRequestsAt = (d: number) => customers * d * a.daysPerMonth + monthlyEventRequests;

  const decisionAt = (measured: DecisionIo, levers: Levers): Estimate => {
    const io = { ...measured, logRetentionDays: logDaysOf(measured) };
    const d = io.perCustomerPerDay;
    const perSecond = (customers * d) / 86_400;
    const logPath = logPathOf(levers);
    const traced = decisionsTraced && !levers.noDecisionTraces;
    const emfLines = emfLinesPerDecision(
      meterFlushSeconds,
      perSecond,
      decisionMs(functions.decision, a, logPath),
      config.tenants.length,
      a,
    );
    const usage = decisionUsage(
      {
        decisions: M,
        decisionFn: functions.decision,
        authorizerFn: functions.authorizer,
        samplingRate: tracesPerRequest(monthlyRequestsAt(d), !traced),
        accessLogClass: facts.api.accessLogClass,
        io,
        pitr,
        emfLinesPerDecision: emfLines,
        logPath,
        tenants: config.tenants.length,
        marketDecisionsPerDay: customers * d,
      },
      a,
    );
    const monthly = monthlyRequestsAt(d);
    const on = LEVERS.filter((l) => levers[l.key]).map((l) => l.key);
    return estimate(
      `per 1M decisions at ${d} decisions per customer per day${on.length ? ` with ${on.join(', ')}` : ''}`,
      usage,
      [
        `volume: ${customers.toLocaleString('en')} customers x ${d} a day = ${((customers * d * a.daysPerMonth) / 1e6).toFixed(0)}M decisions a month; the market's API requests a month (the tiers' volume) ${(monthly / 1e6).toFixed(0)}M = decisions + ${(monthlyEventRequests / 1e6).toFixed(0)}M event POSTs (${a.eventsPerCustomerPerDay} events per customer a day, ${a.eventsPerRequest} per request)`,
        `API: ${facts.api.type}; authorizer cache TTL ${facts.api.authorizerCacheTtlSeconds}s -> assumed hit rate ${a.authorizerCacheHitRate * 100}%`,
        `decision Lambda: ${functions.decision.memoryMb} MB ${functions.decision.architecture}, ${decisionMs(functions.decision, a, logPath)} ms = ${a.decisionRoundTrips} waits x ${a.dynamoRoundTripMs} ms${logPath === 'firehose' ? ` (the writes' wait is the slower of DynamoDB and a ${a.firehosePutMs} ms PutRecord, assumed)` : ''} + ${a.decisionCpuMs} ms CPU at a full vCPU (npm run bench) x ${cpuStretch(functions.decision).toFixed(2)} for its share of one (${functions.decision.source})`,
        `authorizer: ${functions.authorizer.memoryMb} MB ${functions.authorizer.architecture}, ${a.authorizerMs} ms per cache miss (${functions.authorizer.source})`,
        ...accessNotes(io, logPath),
        `point-in-time recovery (template; billed on the tables, not their indexes): tenant table ${pitr.tenant ? 'on' : 'off'}, decision log ${pitr.log ? 'on' : 'off'}; storage per decision = the ledger / (${d} x ${a.daysPerMonth} decisions a month) + the log item for ${io.logRetentionDays} days (${decisionFacts?.decisionLogDays ? "the decisions function's DECISIONING.decisionLogDays" : 'the config, not in the template'})`,
        `logs per decision: access ${a.accessLogBytes} B (${facts.api.accessLogLineBytes ? 'the stage format with typical values' : 'assumed'}, ${facts.api.accessLogClass} class) + platform ${/^(WARN|ERROR|FATAL)$/.test(functions.decision.systemLogLevel) ? 0 : a.platformLogBytes} B (system log level ${functions.decision.systemLogLevel}) + no app line on success; EMF ${+emfLines.toFixed(4)} line of ${a.emfBytes} B per decision (${meterFlushSeconds > 0 ? `CVM_METER_FLUSH_SECONDS=${meterFlushSeconds} on the decisions function: one per container and tenant every ${meterFlushSeconds} s; ${a.warmContainersPerBusy} warm containers per busy one` : 'one per invocation'}); retention ${retention} days`,
        !traced
          ? `traces: none (${levers.noDecisionTraces ? 'the sampling skips decisions (modelled)' : 'neither the stage nor the decisions function traces'})`
          : `traces: ${(tracesPerRequest(monthlyRequestsAt(d)) * 100).toFixed(2)}% of decisions = ${(rate * 100).toFixed(1)}% fixed rate (${facts.tracing.source})${facts.tracing.reservoirPerSecond ? ` + a reservoir of ${facts.tracing.reservoirPerSecond}/s shared by the market's ${(monthlyRequestsAt(d) / 1e6).toFixed(0)}M requests a month` : ''}; recorded by ${facts.api.tracing ? 'the API stage' : 'the decisions function'}${facts.api.tracing ? `, decisions function tracing ${decisionFacts?.tracing ? 'Active' : 'PassThrough (its segments left out; the trace costs the same)'}` : ''}`,
      ],
      monthly,
    );
  };

  const configured: Levers = { ...NO_LEVERS, ...inputs.levers };
  const decisionLines: DecisionLine[] = inputs.layouts.map((io) => ({
    perCustomerPerDay: io.perCustomerPerDay,
    monthlyDecisions: customers * io.perCustomerPerDay * a.daysPerMonth,
    monthlyApiRequests: monthlyRequestsAt(io.perCustomerPerDay),
    io,
    estimate: decisionAt(io, configured),
    levers: LEVERS.map((l) => ({
      key: l.key,
      title: l.title,
      total: decisionAt(io, { ...configured, [l.key]: true }).total,
    })),
    allLevers: decisionAt(io, ALL_LEVERS),
  }));
  const reference = decisionLines.find((l) => l.perCustomerPerDay === 1) ?? decisionLines[0]!;
  const decisions = reference.estimate;
  const io = reference.io;

  const variants: { label: string; variant: ScoringVariant }[] = [
    { label: 'embedded (in-process evaluator)', variant: { mode: 'embedded' } },
    {
      label: 'sagemaker serverless',
      variant: { mode: 'sagemaker-serverless', memoryMb: facts.scoring.memoryMb ?? config.scoring.endpoint.memoryMb },
    },
    {
      label: 'sagemaker real-time',
      variant: {
        mode: 'sagemaker-real-time',
        instanceType: facts.scoring.instanceType ?? config.scoring.endpoint.instanceType,
        instanceCount: facts.scoring.instanceCount ?? config.scoring.endpoint.instanceCount,
      },
    },
  ];
  const configuredMode = facts.scoring.mode === 'embedded' ? 'embedded' : `sagemaker ${facts.scoring.kind}`;
  const scoringModes = variants.map(({ label, variant }) => {
    const add = estimate(
      label,
      inferenceUsage(variant, M, functions.decision, a),
      [],
      reference.monthlyApiRequests,
      true,
    );
    const notes: string[] = [];
    if (variant.mode === 'embedded')
      notes.push(
        `+${a.embeddedInferenceMs} ms of CPU at a full vCPU for the three models (x ${cpuStretch(functions.decision).toFixed(2)} at ${functions.decision.memoryMb} MB), for a customer without stored scores`,
      );
    if (variant.mode === 'sagemaker-serverless')
      notes.push(
        `1 InvokeEndpoint per decision, ${a.sagemakerInferenceMs} ms at ${variant.memoryMb} MB, ${a.inferencePayloadKb} KB in+out; the decision Lambda waits for it`,
      );
    let fixed = 0;
    if (variant.mode === 'sagemaker-real-time') {
      const perDay = realTimeEndpointPerDay(prices, variant.instanceType, variant.instanceCount);
      if (perDay === undefined)
        notes.push(`no price for ${variant.instanceType} in the price table: instance cost not counted`);
      else {
        fixed = (perDay / a.decisionsPerDay) * M;
        notes.push(
          `${variant.instanceCount} x ${variant.instanceType} = $${perDay.toFixed(2)}/day fixed; at ${a.decisionsPerDay.toLocaleString('en')} decisions/day that is $${fixed.toFixed(2)} per 1M`,
        );
      }
      notes.push(`the decision Lambda waits ${a.sagemakerInferenceMs} ms for the endpoint`);
    }
    const lines = fixed
      ? [
          ...add.lines,
          {
            component: 'SageMaker endpoint (fixed, amortised)',
            usd: fixed,
            detail: 'instance-hours / decisions per day',
          },
        ]
      : add.lines;
    if (label.startsWith(configuredMode))
      notes.push(`the market's configured mode (scoring.mode from the template: ${configuredMode})`);
    return {
      title: label,
      total: decisions.total + total(lines),
      lines,
      httpApiTotal: decisions.httpApiTotal + total(lines),
      notes,
      priceIds: [...new Set([...decisions.priceIds, ...add.priceIds])],
    };
  });

  const ledgerWrite = io.writes.find((w) => w.what === 'Put of the ledger item');
  const events = estimate(
    'per 1M events',
    eventUsage(
      {
        events: M,
        eventsFn: functions.events,
        processorFn: functions.processor,
        authorizerFn: functions.authorizer,
        batchSize,
        samplingRate: tracesPerRequest(reference.monthlyApiRequests),
        accessLogClass: facts.api.accessLogClass,
        stateItemBytes: io.stateBytes,
        ledgerItemBytes: ledgerWrite?.bytes ?? 1024,
        emfLinesPerRequest: emfLinesPerDecision(
          eventsFacts?.meterFlushSeconds ?? 0,
          monthlyEventRequests / (a.daysPerMonth * 86_400),
          a.eventsApiMs,
          config.tenants.length,
          a,
        ),
      },
      a,
    ),
    [
      `${a.eventsPerRequest} events per POST /v1/events; events API ${functions.events.memoryMb} MB, ${a.eventsApiMs} ms (${functions.events.source}); API tiers at ${(reference.monthlyApiRequests / 1e6).toFixed(0)}M requests a month (D = ${reference.perCustomerPerDay})`,
      `one SQS message per event, sent/received/deleted ${a.sqsMessagesPerRequest} at a time`,
      `EMF: the processor one line per batch; the events API ${eventsFacts?.meterFlushSeconds ? `one per container and tenant every ${eventsFacts.meterFlushSeconds} s (CVM_METER_FLUSH_SECONDS)` : 'one per request'}`,
      `processor: batch of ${batchSize}, ${a.processorMsPerBatch} ms + ${a.processorMsPerEvent} ms/event at ${functions.processor.memoryMb} MB (${functions.processor.source})`,
      `one conditional Put of the ${io.stateBytes} B state item per event (the layout's: a month of the demo mix at ${a.eventsPerCustomerPerDay} a day, its event keys inside) = ${Math.max(1, Math.ceil(io.stateBytes / 1024))} WRU (measured 3.0 typical, 0.6 at 5 events per write, 6.0 heavy: docs/capacity.md)`,
      `${a.triggerRate * 100}% of events fire a trigger: the state and the ${ledgerWrite?.bytes ?? '(not measured: 1 KB assumed)'} B contact ledger item in one transaction (units doubled) + an outbound SQS message`,
    ],
    reference.monthlyApiRequests,
  );

  const nightly = variants.map(({ label, variant }) => {
    const usage = nightlyScoringUsage(
      {
        customers,
        scoringFn: functions.scoring,
        variant,
        scanBytesPerCustomer: io.scanBytesPerCustomer,
        profileBytes: io.profileBytes,
      },
      a,
    );
    const e = estimate(
      `nightly scoring of ${customers.toLocaleString('en')} customers, ${label}`,
      usage,
      [
        `Distributed Map (Standard) over ranges of ${a.customersPerWorkItem} customers, ${a.transitionsPerWorkItem} transitions each; ${a.scoringMsPerCustomer} ms/customer at ${functions.scoring.memoryMb} MB (${functions.scoring.source})`,
        `parallel Scan of the tenant table reads ${fmtBytes(io.scanBytesPerCustomer)} per customer at D = ${reference.perCustomerPerDay} (the layout: profile, state and what is under the customer; the decision log is a table of its own); ${a.changedScoreShare * 100}% of scores change and are written (UpdateItem billed on the ${io.profileBytes} B profile item)`,
        ...(variant.mode === 'sagemaker-serverless'
          ? [`${a.sagemakerCustomersPerInvoke} customers per InvokeEndpoint, ${a.sagemakerMsPerInvoke} ms each`]
          : []),
      ],
      undefined,
    );
    if (variant.mode === 'sagemaker-real-time') {
      const perDay = realTimeEndpointPerDay(prices, variant.instanceType, variant.instanceCount) ?? 0;
      e.notes.push(
        `endpoint instances cost $${perDay.toFixed(2)}/day whether or not the nightly run uses them (counted in the decision line, not here)`,
      );
    }
    return e;
  });

  const plain: PricingContext = { apiType, logRetentionDays: retention, logCompression: a.logCompression };
  const nightlyAt = decisionLines.map((l) => ({
    perCustomerPerDay: l.perCustomerPerDay,
    scanBytesPerCustomer: l.io.scanBytesPerCustomer,
    reports: total(
      priceUsage(
        nightlyReportUsage(
          {
            customers,
            scanBytesPerCustomer: l.io.scanBytesPerCustomer,
            decisionsPerDay: customers * l.perCustomerPerDay,
            reportEntryBytes: l.io.reportEntryBytes,
          },
          a,
        ),
        prices,
        plain,
      ),
    ),
    scoring: total(
      priceUsage(
        nightlyScoringUsage(
          {
            customers,
            scoringFn: functions.scoring,
            variant: { mode: 'embedded' },
            scanBytesPerCustomer: l.io.scanBytesPerCustomer,
            profileBytes: l.io.profileBytes,
          },
          a,
        ),
        prices,
        plain,
      ),
    ),
  }));
  // not per tenant: every tenant's nightly run writes into the same per-model series
  const driftSeries = driftSeriesOf(Object.keys(config.scoring.models).length, config.models.psiTopFeatures);
  const baseStorage = estimate(
    `a month of the customer base's storage: ${customers.toLocaleString('en')} profiles and states`,
    baseStorageUsage(customers, io.baseStored, pitr.tenant),
    [
      `${fmtBytes(io.baseStored.table + io.baseStored.indexes)} per customer (profile ${io.profileBytes} B, state ${io.stateBytes} B, a household member's gsi1 entry, 100 B each); point-in-time recovery ${pitr.tenant ? 'on' : 'off'} (on the table part, ${fmtBytes(io.baseStored.table)})`,
    ],
    undefined,
  );

  return {
    facts,
    prices,
    functions,
    decisionLines,
    reference,
    decisions,
    scoringModes,
    events,
    nightly,
    nightlyAt,
    baseStorage,
    meterSeriesPerMonth:
      meterSeriesPerMonth(prices, METER_NAMES, config.tenants.length) +
      meterSeriesPerMonth(prices, 1, config.channels.length) +
      meterSeriesPerMonth(prices, driftSeries, 1),
    driftSeries,
    decisionSettings: {
      meterFlushSeconds,
      decisionFunctionTracing: !!decisionFacts?.tracing,
      stageTracing: facts.api.tracing,
      logPitr: pitr.log,
      ...(decisionFacts?.decisionLogDays ? { logDays: decisionFacts.decisionLogDays } : {}),
    },
  };
}
