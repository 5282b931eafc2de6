import type { MeterName } from '#domain/usage-readings.ts';
import {
  DEFAULT_ASSUMPTIONS,
  tieredUnitPrice,
  unitPrice,
  unitsPerDecision,
  writeUnits,
  type Assumptions,
} from './cost-math.ts';
import type { CostModel } from './model.ts';

/** Estimated list-price cost of one metered unit: `shared` is paid by shared resources, `own` by the tenant's tagged ones. */
export type UnitCosts = Record<MeterName, { shared: number; own: number; basis: string }>;

const M = 1_000_000;
const API_LINES = new Set(['API Gateway (REST)', 'API Gateway (HTTP)']);
const SHARED_LINES = new Set([
  'Lambda requests',
  'Lambda duration',
  'Authorizer (Lambda)',
  'Logs',
  'Logs (Infrequent Access)',
  'Metrics (EMF)',
  'Traces (X-Ray)',
]);
const STORAGE_LINES = new Set(['DynamoDB storage', 'DynamoDB point-in-time recovery']);

/**
 * One unit of each meter, priced by the cost model itself: the same template facts (functions,
 * API, tables), the same layout sizes and the same price table (the market's region) as
 * `npm run cost-model`, at its reference D; the API request at the tiers' average for
 * `apiMonthlyRequests` when given (a month's metered requests), else at the model's volume. Used
 * as the weights that split shared cost (activity-based costing), and by `--estimate` as the
 * cost itself.
 */
export function unitCostsOf(
  model: CostModel,
  a: Assumptions = DEFAULT_ASSUMPTIONS,
  apiMonthlyRequests?: number,
): UnitCosts {
  const prices = model.prices;
  const p = (id: Parameters<typeof unitPrice>[1]) => unitPrice(prices, id);
  const line = (lines: { component: string; usd: number }[], keep: Set<string>) =>
    lines.filter((l) => keep.has(l.component)).reduce((s, l) => s + l.usd, 0) / M;
  const decision = model.decisions;
  const io = model.reference.io;
  const fn = (role: keyof CostModel['functions']) => model.functions[role];
  const gbS = (ms: number, role: keyof CostModel['functions']) =>
    (ms / 1000) *
    (fn(role).memoryMb / 1024) *
    p(fn(role).architecture === 'arm64' ? 'lambda.arm64.gbSecond' : 'lambda.x86_64.gbSecond');
  const miss = 1 - a.authorizerCacheHitRate;
  const batch = model.facts.queueConsumers[0]?.batchSize ?? 10;
  const embedded = model.scoringModes.find((s) => s.title.startsWith('embedded'));
  const api = apiMonthlyRequests
    ? tieredUnitPrice(
        prices,
        model.facts.api.type === 'HTTP' ? 'apigw.http.request' : 'apigw.rest.request',
        apiMonthlyRequests,
      )
    : line(decision.lines, API_LINES);
  return {
    ApiRequest: {
      shared: api + line(decision.lines, SHARED_LINES),
      own: miss * 0.5 * p('dynamodb.onDemand.read'),
      basis: `an API request priced as a decision's (${model.facts.api.type} at the market's monthly volume, ${fn('decision').memoryMb} MB Lambda, authorizer on ${miss * 100}% cache misses, logs, metrics, traces); own: the key lookup`,
    },
    Decision: {
      shared: embedded ? embedded.total / M - decision.total / M : 0,
      own:
        unitsPerDecision(io.reads) * p('dynamodb.onDemand.read') +
        unitsPerDecision(io.writes) * p('dynamodb.onDemand.write') +
        line(decision.lines, STORAGE_LINES),
      basis: `embedded inference; own tables: ${unitsPerDecision(io.reads).toFixed(2)} RRU + ${unitsPerDecision(io.writes).toFixed(2)} WRU and the storage (with PITR) a decision keeps, at ${io.perCustomerPerDay} decisions per customer per day (the request itself is an ApiRequest)`,
    },
    Event: {
      shared:
        p('lambda.request') / batch +
        gbS(a.processorMsPerBatch / batch + a.processorMsPerEvent, 'processor') +
        ((a.platformLogBytes + a.appLogBytes + a.emfBytes) / batch / 1024 ** 3) * p('logs.ingest.standard'),
      own:
        writeUnits(io.stateBytes / 1024) * p('dynamodb.onDemand.write') +
        (3 / a.sqsMessagesPerRequest) * p('sqs.standard.request'),
      basis: `processor share of a batch of ${batch}; own table: 1 Put of the ${io.stateBytes} B state item; own queue: send/receive/delete ${a.sqsMessagesPerRequest} at a time`,
    },
    Score: {
      shared:
        gbS(a.scoringMsPerCustomer, 'scoring') +
        (a.transitionsPerWorkItem / a.customersPerWorkItem) * p('stepfunctions.standard.transition'),
      own:
        (io.scanBytesPerCustomer / 4096) * 0.5 * p('dynamodb.onDemand.read') +
        a.changedScoreShare * writeUnits(io.profileBytes / 1024) * p('dynamodb.onDemand.write'),
      basis: `${a.scoringMsPerCustomer} ms + Map transitions per customer; own table: a scan of ${io.scanBytesPerCustomer} B, ${a.changedScoreShare * 100}% rewritten`,
    },
    CampaignContact: {
      shared: p('sqs.standard.request') + p('lambda.request') + gbS(10, 'processor'),
      own: 1 * p('dynamodb.onDemand.write'),
      basis: 'outbound SQS message (shared per channel) + 10 ms of a step; own table: the contact record',
    },
    WorkflowExecution: {
      shared: 20 * p('stepfunctions.standard.transition'),
      own: 0,
      basis: '20 Standard transitions per execution',
    },
  };
}
