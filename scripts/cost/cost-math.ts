/**
 * The cost model's arithmetic, pure: usage quantities in, dollars out. Scenario builders turn
 * one decision / event / nightly scoring run into usage (API requests, Lambda invocations and
 * milliseconds at a memory size, read and write units, SQS requests, log bytes, traces, state
 * transitions, inference seconds); `priceUsage` prices it with the price table.
 */

export type PriceId =
  | 'apigw.rest.request'
  | 'apigw.http.request'
  | 'lambda.request'
  | 'lambda.arm64.gbSecond'
  | 'lambda.x86_64.gbSecond'
  | 'dynamodb.onDemand.read'
  | 'dynamodb.onDemand.write'
  | 'dynamodb.storage'
  | 'dynamodb.pitr'
  | 'sqs.standard.request'
  | 'logs.ingest.standard'
  | 'logs.ingest.infrequentAccess'
  | 'logs.storage'
  | 'metrics.custom.month'
  | 'xray.trace.recorded'
  | 'stepfunctions.standard.transition'
  | 'sagemaker.serverless.gbSecond'
  | 'sagemaker.serverless.dataGb'
  | 'sagemaker.realtime.ml.m5.large.hour'
  | 'firehose.directPut.gb'
  | 's3.standard.storage'
  | 's3.put';

export interface Price {
  usd: number;
  per: number;
  unit: string;
  date: string;
  /** The region whose price this is (the reference region's when it is a fallback). */
  region: string;
  source: string;
  /** Monthly volume tiers: `usd` per `per` units up to `upTo` units a month (cumulative; null = no bound). */
  tiers?: { upTo: number | null; usd: number }[];
  /** `list`: the region's own list price; `third-party`: someone else's transcription of it; `fallback`: the reference region's price, unconfirmed here. */
  status: 'list' | 'third-party' | 'fallback';
}
export interface PriceTable {
  currency: string;
  /** The region the table prices. */
  region: string;
  /** The region whose prices stand in for those the region's table lacks. */
  reference: string;
  note: string;
  prices: Record<PriceId, Price>;
}

/** Dollars for one unit of a price (e.g. one request, one GB-second), at its first tier. */
export function unitPrice(prices: PriceTable, id: PriceId): number {
  const p = prices.prices[id];
  if (!p) throw new Error(`the price table has no '${id}'`);
  return p.usd / p.per;
}

/**
 * Dollars per unit averaged over a month of `monthly` units, each tier at its own price (API
 * Gateway bills the account's requests in the region this way): every request of the month,
 * decisions and events alike, pays the same average.
 */
export function tieredUnitPrice(prices: PriceTable, id: PriceId, monthly: number | undefined): number {
  const p = prices.prices[id];
  if (!p) throw new Error(`the price table has no '${id}'`);
  if (!p.tiers || !monthly || monthly <= 0) return p.usd / p.per;
  let cost = 0;
  let from = 0;
  for (const t of p.tiers) {
    const to = t.upTo ?? Number.POSITIVE_INFINITY;
    const n = Math.max(0, Math.min(monthly, to) - from);
    cost += n * (t.usd / p.per);
    from = to;
    if (monthly <= to) break;
  }
  return cost / monthly;
}

export const GB = 1024 ** 3;

/** A Lambda function as the template describes it (or as assumed, when not built yet). */
export interface FnProfile {
  name: string;
  memoryMb: number;
  architecture: 'arm64' | 'x86_64';
  /** Lambda writes START/END/REPORT lines unless the system log level is WARN or higher. */
  systemLogLevel: string;
  /** Where the figures come from: `template <logicalId>` or `assumed: ...`. */
  source: string;
}

export interface LambdaUse {
  fn: FnProfile;
  invocations: number;
  avgMs: number;
  role: 'authorizer' | 'function';
}

/** Usage of one scenario (N decisions, N events, one nightly run). */
export interface Usage {
  apiRequests: number;
  lambda: LambdaUse[];
  readUnits: number;
  writeUnits: number;
  sqsRequests: number;
  logBytes: number;
  /** Log lines that go to an Infrequent Access log group (half the ingestion price; no metric filters or EMF). */
  iaLogBytes: number;
  emfBytes: number;
  traces: number;
  sfnTransitions: number;
  sagemaker?: { gbSeconds: number; dataGb: number };
  /** DynamoDB storage (Standard table class) and point-in-time recovery on it, in GB-months. */
  dynamoGbMonths: number;
  pitrGbMonths: number;
  /** Firehose Direct PUT: GB as billed (each record rounded up to 5 KB). */
  firehoseGb: number;
  s3GbMonths: number;
  s3Puts: number;
}

export const emptyUsage = (): Usage => ({
  apiRequests: 0,
  lambda: [],
  readUnits: 0,
  writeUnits: 0,
  sqsRequests: 0,
  logBytes: 0,
  iaLogBytes: 0,
  emfBytes: 0,
  traces: 0,
  sfnTransitions: 0,
  dynamoGbMonths: 0,
  pitrGbMonths: 0,
  firehoseGb: 0,
  s3GbMonths: 0,
  s3Puts: 0,
});

export interface CostLine {
  component: string;
  usd: number;
  detail: string;
}
export interface PricingContext {
  apiType: 'REST' | 'HTTP';
  logRetentionDays: number | undefined;
  logCompression: number;
  /** The market's API requests a month: the volume the API's tiers are applied to (first tier when unknown). */
  apiMonthlyRequests?: number;
}

/** Which tiers a month's volume reaches, e.g. `333M at $3.50 + 667M at $2.80 + 404M at $2.38`. */
function tiersText(p: Price, monthly: number): string {
  const parts: string[] = [];
  let from = 0;
  for (const t of p.tiers ?? []) {
    const to = t.upTo ?? Number.POSITIVE_INFINITY;
    const n = Math.min(monthly, to) - from;
    if (n > 0) parts.push(`${fmtN(n)} at $${t.usd.toFixed(2)}`);
    from = to;
    if (monthly <= to) break;
  }
  return parts.join(' + ');
}

export const fmtN = (n: number) =>
  n >= 1e6 ? `${+(n / 1e6).toFixed(3)}M` : n >= 1e3 ? `${+(n / 1e3).toFixed(1)}k` : `${+n.toFixed(2)}`;

/** Prices a usage: one line per component, zero lines left out. */
export function priceUsage(usage: Usage, prices: PriceTable, ctx: PricingContext): CostLine[] {
  const lines: CostLine[] = [];
  const add = (component: string, usd: number, detail: string) => {
    if (usd > 0) lines.push({ component, usd, detail });
  };
  const apiId = ctx.apiType === 'REST' ? 'apigw.rest.request' : 'apigw.http.request';
  const apiPrice = tieredUnitPrice(prices, apiId, ctx.apiMonthlyRequests);
  add(
    `API Gateway (${ctx.apiType})`,
    usage.apiRequests * apiPrice,
    `${fmtN(usage.apiRequests)} requests x $${(apiPrice * 1e6).toFixed(3)}/M${ctx.apiMonthlyRequests ? ` (tiers at ${fmtN(ctx.apiMonthlyRequests)} requests a month: ${tiersText(prices.prices[apiId], ctx.apiMonthlyRequests)})` : ' (first tier)'}`,
  );

  for (const role of ['authorizer', 'function'] as const) {
    const uses = usage.lambda.filter((l) => l.role === role);
    if (!uses.length) continue;
    const requests = uses.reduce((s, l) => s + l.invocations, 0);
    const reqUsd = requests * unitPrice(prices, 'lambda.request');
    let durUsd = 0;
    const parts: string[] = [];
    for (const l of uses) {
      const gbs = l.invocations * (Math.ceil(l.avgMs) / 1000) * (l.fn.memoryMb / 1024);
      durUsd +=
        gbs * unitPrice(prices, l.fn.architecture === 'arm64' ? 'lambda.arm64.gbSecond' : 'lambda.x86_64.gbSecond');
      parts.push(
        `${l.fn.name} ${fmtN(l.invocations)} x ${l.avgMs} ms at ${l.fn.memoryMb} MB ${l.fn.architecture} = ${fmtN(gbs)} GB-s`,
      );
    }
    if (role === 'authorizer') {
      add('Authorizer (Lambda)', reqUsd + durUsd, parts.join('; '));
    } else {
      add('Lambda requests', reqUsd, `${fmtN(requests)} invocations x $0.20/M`);
      add('Lambda duration', durUsd, parts.join('; '));
    }
  }
  add(
    'DynamoDB reads',
    usage.readUnits * unitPrice(prices, 'dynamodb.onDemand.read'),
    `${fmtN(usage.readUnits)} RRU on demand`,
  );
  add(
    'DynamoDB writes',
    usage.writeUnits * unitPrice(prices, 'dynamodb.onDemand.write'),
    `${fmtN(usage.writeUnits)} WRU on demand`,
  );
  add(
    'DynamoDB storage',
    usage.dynamoGbMonths * unitPrice(prices, 'dynamodb.storage'),
    `${usage.dynamoGbMonths.toFixed(3)} GB-months (items + index entries + 100 B each)`,
  );
  add(
    'DynamoDB point-in-time recovery',
    usage.pitrGbMonths * unitPrice(prices, 'dynamodb.pitr'),
    `${usage.pitrGbMonths.toFixed(3)} GB-months of the tables with PITR on`,
  );
  add(
    'Firehose (decision log)',
    usage.firehoseGb * unitPrice(prices, 'firehose.directPut.gb'),
    `${usage.firehoseGb.toFixed(3)} GB billed (5 KB per record)`,
  );
  add(
    'S3 (decision log)',
    usage.s3GbMonths * unitPrice(prices, 's3.standard.storage') + usage.s3Puts * unitPrice(prices, 's3.put'),
    `${usage.s3GbMonths.toFixed(3)} GB-months + ${fmtN(usage.s3Puts)} PUTs`,
  );
  add('SQS', usage.sqsRequests * unitPrice(prices, 'sqs.standard.request'), `${fmtN(usage.sqsRequests)} requests`);
  const storageMonths = ctx.logRetentionDays === undefined ? 12 : ctx.logRetentionDays / 30;
  const logsGb = usage.logBytes / GB;
  add(
    'Logs',
    logsGb *
      (unitPrice(prices, 'logs.ingest.standard') +
        ctx.logCompression * storageMonths * unitPrice(prices, 'logs.storage')),
    `${logsGb.toFixed(3)} GB ingested, kept ${ctx.logRetentionDays ?? 'forever (12 months counted)'} days`,
  );
  const iaGb = usage.iaLogBytes / GB;
  add(
    'Logs (Infrequent Access)',
    iaGb *
      (unitPrice(prices, 'logs.ingest.infrequentAccess') +
        ctx.logCompression * storageMonths * unitPrice(prices, 'logs.storage')),
    `${iaGb.toFixed(3)} GB ingested, kept ${ctx.logRetentionDays ?? 'forever (12 months counted)'} days`,
  );
  const emfGb = usage.emfBytes / GB;
  add(
    'Metrics (EMF)',
    emfGb *
      (unitPrice(prices, 'logs.ingest.standard') +
        ctx.logCompression * storageMonths * unitPrice(prices, 'logs.storage')),
    `${emfGb.toFixed(3)} GB of EMF lines (metric series fee is monthly, see below)`,
  );
  add(
    'Traces (X-Ray)',
    usage.traces * unitPrice(prices, 'xray.trace.recorded'),
    `${fmtN(usage.traces)} traces recorded`,
  );
  add(
    'Step Functions',
    usage.sfnTransitions * unitPrice(prices, 'stepfunctions.standard.transition'),
    `${fmtN(usage.sfnTransitions)} Standard transitions`,
  );
  if (usage.sagemaker) {
    add(
      'SageMaker inference',
      usage.sagemaker.gbSeconds * unitPrice(prices, 'sagemaker.serverless.gbSecond') +
        usage.sagemaker.dataGb * unitPrice(prices, 'sagemaker.serverless.dataGb'),
      `${fmtN(usage.sagemaker.gbSeconds)} GB-s serverless + ${usage.sagemaker.dataGb.toFixed(2)} GB processed`,
    );
  }
  return lines;
}

export const total = (lines: CostLine[]): number => lines.reduce((s, l) => s + l.usd, 0);

/** Everything the model assumes about one request; printed with the figures. */
/** Everything the model assumes about one request; printed with the figures. Item sizes are not here: they come from the layout (decision-layout.ts). */
export interface Assumptions {
  /** Share of requests whose API key the authorizer cache (TTL from the template) already holds. */
  authorizerCacheHitRate: number;
  authorizerMs: number;
  /**
   * CPU time of the decisions handler per decision at one full vCPU (1,769 MB), excluding model
   * inference: `npm run bench` measures it ("Decisions handler CPU per decision"). Below 1,769 MB
   * Lambda gives a proportional share of a vCPU, so the time stretches by 1769 / memory.
   */
  decisionCpuMs: number;
  /** DynamoDB calls a decision waits for one after the other: the customer's Query, then the writes (in parallel). */
  decisionRoundTrips: number;
  /** One in-region DynamoDB call as the Lambda waits for it (SDK included; single-digit ms). */
  dynamoRoundTripMs: number;
  /** One Firehose PutRecord as the Lambda waits for it (not measured here: an assumption). */
  firehosePutMs: number;
  /** Share of customers in a household with a household cap (the layout simulates them). */
  householdShare: number;
  embeddedInferenceMs: number;
  sagemakerInferenceMs: number;
  inferencePayloadKb: number;
  /**
   * Bytes per log line: API access log, Lambda platform lines (START+REPORT), one app line, one
   * EMF line (all meters of an invocation and tenant in one line: 567 B measured for a decision).
   */
  accessLogBytes: number;
  platformLogBytes: number;
  appLogBytes: number;
  emfBytes: number;
  /** Events per POST /v1/events (1-500). */
  eventsPerRequest: number;
  /** Events a customer sends a day (the typical sender of docs/capacity.md): the API volume beside decisions. */
  eventsPerCustomerPerDay: number;
  eventsApiMs: number;
  /** One event per SQS message, sent and received 10 at a time. */
  sqsMessagesPerRequest: number;
  processorMsPerBatch: number;
  processorMsPerEvent: number;
  /** Share of events that fire a trigger (a contact write + outbound message). */
  triggerRate: number;
  /** Nightly scoring */
  customersPerWorkItem: number;
  transitionsPerWorkItem: number;
  scoringMsPerCustomer: number;
  changedScoreShare: number;
  sagemakerCustomersPerInvoke: number;
  sagemakerMsPerInvoke: number;
  /** For a real-time endpoint's fixed cost per decision. */
  decisionsPerDay: number;
  /** Compressed size / ingested size of logs in storage. */
  logCompression: number;
  /** Compressed size / record size of decision records Firehose writes to S3 (GZIP). */
  s3Compression: number;
  /** Firehose buffer: an S3 object per tenant stream at least this often. */
  firehoseBufferSeconds: number;
  /** Warm containers per busy one (Lambda keeps idle containers for a while): how many flush lines there are. */
  warmContainersPerBusy: number;
  /** Days in a month (storage is billed per GB-month). */
  daysPerMonth: number;
}

export const DEFAULT_ASSUMPTIONS: Assumptions = {
  authorizerCacheHitRate: 0.95,
  authorizerMs: 30,
  decisionCpuMs: 4.91,
  decisionRoundTrips: 2,
  dynamoRoundTripMs: 6,
  firehosePutMs: 15,
  householdShare: 0.2,
  embeddedInferenceMs: 3,
  sagemakerInferenceMs: 40,
  inferencePayloadKb: 2,
  accessLogBytes: 450,
  platformLogBytes: 650,
  appLogBytes: 350,
  emfBytes: 567,
  eventsPerRequest: 100,
  eventsPerCustomerPerDay: 20,
  eventsApiMs: 80,
  sqsMessagesPerRequest: 10,
  processorMsPerBatch: 20,
  processorMsPerEvent: 4,
  triggerRate: 0.01,
  customersPerWorkItem: 1000,
  transitionsPerWorkItem: 3,
  scoringMsPerCustomer: 3,
  changedScoreShare: 0.2,
  sagemakerCustomersPerInvoke: 100,
  sagemakerMsPerInvoke: 150,
  decisionsPerDay: 2_000_000,
  logCompression: 0.15,
  s3Compression: 0.25,
  firehoseBufferSeconds: 300,
  warmContainersPerBusy: 3,
  daysPerMonth: 30,
};

/** Units of one DynamoDB read/write of an item of `kb` (reads: 4 KB units, writes: 1 KB units). */
export const readUnits = (kb: number, consistent = false) => Math.ceil(kb / 4) * (consistent ? 1 : 0.5);
export const writeUnits = (kb: number) => Math.max(1, Math.ceil(kb));

const platformBytes = (fn: FnProfile, a: Assumptions) =>
  /^(WARN|ERROR|FATAL)$/.test(fn.systemLogLevel) ? 0 : a.platformLogBytes;

export type LogClass = 'STANDARD' | 'INFREQUENT_ACCESS';

/** Access log bytes as the usage counts them: in the Standard bucket or the Infrequent Access one. */
const accessLogs = (bytes: number, cls: LogClass | undefined) =>
  cls === 'INFREQUENT_ACCESS' ? { standard: 0, ia: bytes } : { standard: bytes, ia: 0 };

/** Lambda gives one full vCPU at 1,769 MB and a proportional share below it. */
export const FULL_VCPU_MB = 1769;
export const cpuStretch = (fn: FnProfile) => Math.max(1, FULL_VCPU_MB / fn.memoryMb);

/**
 * The decision Lambda's billed time: its waits plus its CPU time at the function's share of a
 * vCPU. The last wait is the writes, in parallel: with the log going to Firehose it is the
 * slower of the DynamoDB write and the PutRecord.
 */
export const decisionMs = (fn: FnProfile, a: Assumptions, logPath: LogPath = 'table') =>
  Math.ceil(
    (a.decisionRoundTrips - 1) * a.dynamoRoundTripMs +
      (logPath === 'firehose' ? Math.max(a.dynamoRoundTripMs, a.firehosePutMs) : a.dynamoRoundTripMs) +
      a.decisionCpuMs * cpuStretch(fn),
  );

/**
 * Where the full decision record goes: the decision log table (and its indexes); Firehose, one
 * PutRecord per decision the Lambda waits for; or Firehose with the container's records
 * gathered and sent every few seconds, several to a 5 KB Firehose record, no wait.
 */
export type LogPath = 'table' | 'firehose' | 'firehose-batched';

/** Read or write units per decision over a list of accesses (units per occurrence x occurrences per decision). */
export const unitsPerDecision = (accesses: readonly { units: number; share: number }[]) =>
  accesses.reduce((s, x) => s + x.units * x.share, 0);

/** What the decision path reads, writes and keeps, sized from the layout (decision-layout.ts DecisionIo). */
export interface DecisionStorageIo {
  perCustomerPerDay: number;
  reads: { units: number; share: number }[];
  writes: { table: string; units: number; share: number }[];
  /** Stored per customer because of its decisions (its contact ledger), and per decision in the log. */
  ledgerStored: { table: number; indexes: number };
  logStored: { table: number; indexes: number };
  logRetentionDays: number;
  recordJsonBytes: number;
}

export interface DecisionInput {
  decisions: number;
  decisionFn: FnProfile;
  authorizerFn: FnProfile;
  samplingRate: number;
  /** The class of the API's access log group. */
  accessLogClass?: LogClass;
  io: DecisionStorageIo;
  /** Point-in-time recovery on the tenant table and on the decision log table (the template's). */
  pitr: { tenant: boolean; log: boolean };
  /** EMF lines per decision: 1 when every invocation writes its own, fewer when a container writes one per interval. */
  emfLinesPerDecision: number;
  /** Where the full record goes. */
  logPath: LogPath;
  /** Tenants: one Firehose stream each (S3 objects per buffer interval). */
  tenants: number;
  /** The market's decisions a day (spreads the streams' fixed S3 PUTs). */
  marketDecisionsPerDay: number;
}

/**
 * N decisions: API request + authorizer on cache misses + the decision Lambda + the reads and
 * writes of the layout + logs (no app line on success; errors only) + EMF lines + what the
 * decisions keep: the customer's contact ledger spread over its decisions of a month, each log
 * item for the log's retention (or its record in S3), and point-in-time recovery on the tables
 * (not their indexes) where the template turns it on. The profile and state are the customer
 * base's storage, not the decisions' (see baseStorageUsage).
 */
export function decisionUsage(input: DecisionInput, a: Assumptions): Usage {
  const n = input.decisions;
  const io = input.io;
  const misses = n * (1 - a.authorizerCacheHitRate);
  const access = accessLogs(n * a.accessLogBytes, input.accessLogClass);
  const toTable = input.logPath === 'table';
  const writes = toTable ? io.writes : io.writes.filter((w) => w.table !== 'decision log');
  const gbMonths = (bytes: number, days: number) => (bytes / GB) * (days / a.daysPerMonth);
  // a customer's ledger is there all month whatever D is: per decision it weighs 1 / (D x days)
  const perDecision = 1 / (io.perCustomerPerDay * a.daysPerMonth);
  const ledger = {
    table: n * perDecision * gbMonths(io.ledgerStored.table, a.daysPerMonth),
    indexes: n * perDecision * gbMonths(io.ledgerStored.indexes, a.daysPerMonth),
  };
  const log = toTable
    ? {
        table: n * gbMonths(io.logStored.table, io.logRetentionDays),
        indexes: n * gbMonths(io.logStored.indexes, io.logRetentionDays),
      }
    : { table: 0, indexes: 0 };
  const firehoseBytes = input.logPath === 'firehose' ? Math.ceil(io.recordJsonBytes / 5120) * 5120 : io.recordJsonBytes;
  return {
    ...emptyUsage(),
    apiRequests: n,
    lambda: [
      { fn: input.authorizerFn, invocations: misses, avgMs: a.authorizerMs, role: 'authorizer' },
      { fn: input.decisionFn, invocations: n, avgMs: decisionMs(input.decisionFn, a, input.logPath), role: 'function' },
    ],
    // the key lookup on a cache miss is one GetItem of a tiny item
    readUnits: n * unitsPerDecision(io.reads) + misses * readUnits(1),
    writeUnits: n * unitsPerDecision(writes),
    logBytes:
      n * platformBytes(input.decisionFn, a) +
      misses * (platformBytes(input.authorizerFn, a) + a.appLogBytes) +
      access.standard,
    iaLogBytes: access.ia,
    emfBytes: n * input.emfLinesPerDecision * a.emfBytes,
    traces: n * input.samplingRate,
    dynamoGbMonths: ledger.table + ledger.indexes + log.table + log.indexes,
    pitrGbMonths: (input.pitr.tenant ? ledger.table : 0) + (input.pitr.log ? log.table : 0),
    ...(toTable
      ? {}
      : {
          firehoseGb: (n * firehoseBytes) / GB,
          s3GbMonths: n * gbMonths(io.recordJsonBytes * a.s3Compression, io.logRetentionDays),
          s3Puts: (n * input.tenants * (86_400 / a.firehoseBufferSeconds)) / input.marketDecisionsPerDay,
        }),
  };
}

/** A month of the customer base's own storage: profile and state items (and index entries) of every customer, with PITR. */
export function baseStorageUsage(customers: number, stored: { table: number; indexes: number }, pitr: boolean): Usage {
  const table = (customers * stored.table) / GB;
  return {
    ...emptyUsage(),
    dynamoGbMonths: table + (customers * stored.indexes) / GB,
    pitrGbMonths: pitr ? table : 0,
  };
}

export type ScoringVariant =
  | { mode: 'embedded' }
  | { mode: 'sagemaker-serverless'; memoryMb: number }
  | { mode: 'sagemaker-real-time'; instanceType: string; instanceCount: number };

/** What scoring adds to N decisions: in-process time, or an endpoint call the Lambda waits for. */
export function inferenceUsage(
  variant: ScoringVariant,
  decisions: number,
  decisionFn: FnProfile,
  a: Assumptions,
): Usage {
  const u = emptyUsage();
  if (variant.mode === 'embedded') {
    // CPU work: it stretches like the rest of the handler below a full vCPU
    u.lambda = [
      {
        fn: decisionFn,
        invocations: decisions,
        avgMs: Math.ceil(a.embeddedInferenceMs * cpuStretch(decisionFn)),
        role: 'function',
      },
    ];
    return u;
  }
  // the decision Lambda waits for the endpoint (billed duration)
  u.lambda = [{ fn: decisionFn, invocations: decisions, avgMs: a.sagemakerInferenceMs, role: 'function' }];
  if (variant.mode === 'sagemaker-serverless') {
    u.sagemaker = {
      gbSeconds: decisions * (a.sagemakerInferenceMs / 1000) * (variant.memoryMb / 1024),
      dataGb: (decisions * a.inferencePayloadKb * 1024) / GB,
    };
  }
  return u;
}

/** A Lambda line for `extra` calls only: used to subtract the invocation fee counted once already. */
export function withoutRequestFee(lines: CostLine[]): CostLine[] {
  return lines.filter((l) => l.component !== 'Lambda requests');
}

/** Daily fixed cost of a real-time endpoint (instances x hours x hourly price). */
export function realTimeEndpointPerDay(
  prices: PriceTable,
  instanceType: string,
  instanceCount: number,
): number | undefined {
  const id = `sagemaker.realtime.${instanceType}.hour` as PriceId;
  const p = prices.prices[id];
  return p ? (p.usd / p.per) * 24 * instanceCount : undefined;
}

export interface EventInput {
  events: number;
  eventsFn: FnProfile;
  processorFn: FnProfile;
  authorizerFn: FnProfile;
  batchSize: number;
  samplingRate: number;
  /** The class of the API's access log group. */
  accessLogClass?: LogClass;
  /** The state item as the processor writes it, and the contact ledger item a firing commits to (layout). */
  stateItemBytes: number;
  ledgerItemBytes: number;
  /** EMF lines per POST of the events API: 1, or fewer when its containers write one per interval (default 1). */
  emfLinesPerRequest?: number;
}

/** N events: POSTs of `eventsPerRequest`, one SQS message each, batch processing, one state write each. */
export function eventUsage(input: EventInput, a: Assumptions): Usage {
  const n = input.events;
  const requests = n / a.eventsPerRequest;
  const misses = requests * (1 - a.authorizerCacheHitRate);
  const batches = n / input.batchSize;
  const sqsRequests = (n / a.sqsMessagesPerRequest) * 3; // send batch, receive, delete batch
  const triggered = n * a.triggerRate;
  const access = accessLogs(requests * a.accessLogBytes, input.accessLogClass);
  return {
    ...emptyUsage(),
    apiRequests: requests,
    lambda: [
      { fn: input.authorizerFn, invocations: misses, avgMs: a.authorizerMs, role: 'authorizer' },
      { fn: input.eventsFn, invocations: requests, avgMs: a.eventsApiMs, role: 'function' },
      {
        fn: input.processorFn,
        invocations: batches,
        avgMs: a.processorMsPerBatch + a.processorMsPerEvent * input.batchSize,
        role: 'function',
      },
    ],
    readUnits: misses * readUnits(1),
    // one conditional Put of the state item per event (billed on the item size); an event that
    // fires writes the state and the customer's contact ledger in one transaction (each doubled)
    // and hands an outbound message on
    writeUnits:
      n * writeUnits(input.stateItemBytes / 1024) +
      triggered * (writeUnits(input.stateItemBytes / 1024) + 2 * writeUnits(input.ledgerItemBytes / 1024)),
    sqsRequests: sqsRequests + triggered,
    logBytes:
      access.standard +
      requests * (platformBytes(input.eventsFn, a) + a.appLogBytes) +
      batches * (platformBytes(input.processorFn, a) + a.appLogBytes),
    iaLogBytes: access.ia,
    // Event meter per request (events API, or per container and interval) and per batch (processor)
    emfBytes: (requests * (input.emfLinesPerRequest ?? 1) + batches) * a.emfBytes,
    traces: (requests + batches) * input.samplingRate,
  };
}

export interface NightlyInput {
  customers: number;
  scoringFn: FnProfile;
  variant: ScoringVariant;
  /** What a Scan of the tenant table reads per customer, and the profile item a changed score rewrites (layout). */
  scanBytesPerCustomer: number;
  profileBytes: number;
}

/** One nightly run over N customers: Distributed Map over ranges, a Lambda per range, scan, write changed scores. */
export function nightlyScoringUsage(input: NightlyInput, a: Assumptions): Usage {
  const items = Math.ceil(input.customers / a.customersPerWorkItem);
  const changed = input.customers * a.changedScoreShare;
  const u: Usage = {
    ...emptyUsage(),
    lambda: [
      {
        fn: input.scoringFn,
        invocations: items,
        avgMs: a.scoringMsPerCustomer * a.customersPerWorkItem,
        role: 'function',
      },
    ],
    // a Scan is billed on the bytes of the items it reads, in 4 KB units, eventually consistent
    readUnits: ((input.customers * input.scanBytesPerCustomer) / 4096) * 0.5,
    // UpdateItem is billed on the larger of the item before and after: the whole profile item
    writeUnits: changed * writeUnits(input.profileBytes / 1024),
    sfnTransitions: items * a.transitionsPerWorkItem + 10,
    logBytes: items * (platformBytes(input.scoringFn, a) + a.appLogBytes),
    emfBytes: items * a.emfBytes,
  };
  if (input.variant.mode !== 'embedded') {
    const invokes = input.customers / a.sagemakerCustomersPerInvoke;
    u.lambda = [
      {
        fn: input.scoringFn,
        invocations: items,
        avgMs: a.scoringMsPerCustomer * a.customersPerWorkItem + (invokes / items) * a.sagemakerMsPerInvoke,
        role: 'function',
      },
    ];
    if (input.variant.mode === 'sagemaker-serverless') {
      u.sagemaker = {
        gbSeconds: invokes * (a.sagemakerMsPerInvoke / 1000) * (input.variant.memoryMb / 1024),
        dataGb: (input.customers * a.inferencePayloadKb * 1024) / GB,
      };
    }
  }
  return u;
}

export interface NightlyReportInput {
  customers: number;
  scanBytesPerCustomer: number;
  /** The market's decisions a day, and the bytes of each one's byDay entry (what the report reads of it). */
  decisionsPerDay: number;
  reportEntryBytes: number;
}

/**
 * One nightly report build (lambdas/app/reports.ts): a parallel scan of the tenant table, then
 * the month's decisions so far from the log's byDay index (on average half a month). Its Lambda
 * time is not benchmarked and not counted here.
 */
export function nightlyReportUsage(input: NightlyReportInput, a: Assumptions): Usage {
  const monthToDate = (a.daysPerMonth + 1) / 2;
  return {
    ...emptyUsage(),
    readUnits:
      ((input.customers * input.scanBytesPerCustomer) / 4096) * 0.5 +
      ((input.decisionsPerDay * monthToDate * input.reportEntryBytes) / 4096) * 0.5,
  };
}

/** Monthly fee of the EMF meters: one series per metric name x tenant (dimensions service, market, tenant). */
export function meterSeriesPerMonth(prices: PriceTable, metricNames: number, tenants: number): number {
  return metricNames * tenants * unitPrice(prices, 'metrics.custom.month');
}
