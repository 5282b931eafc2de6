import type { MeterName } from '#domain/metering.ts';
import {
  DEFAULT_ASSUMPTIONS,
  decisionMs,
  decisionWriteUnits,
  readUnits,
  unitPrice,
  writeUnits,
  type Assumptions,
  type PriceTable,
} from './cost-math.ts';

/** Estimated list-price cost of one metered unit: `shared` is paid by shared resources, `own` by the tenant's tagged ones. */
export type UnitCosts = Record<MeterName, { shared: number; own: number; basis: string }>;

const HOUSE_MB = 1024;

/**
 * One unit of each meter at list prices, with the cost model's assumptions and the house function
 * defaults. Used as the weights that split shared cost (activity-based costing), and by
 * `--estimate` as the cost itself.
 */
export function unitCosts(prices: PriceTable, a: Assumptions = DEFAULT_ASSUMPTIONS): UnitCosts {
  const p = (id: Parameters<typeof unitPrice>[1]) => unitPrice(prices, id);
  const lambda = (ms: number, mb = HOUSE_MB) => (ms / 1000) * (mb / 1024) * p('lambda.arm64.gbSecond');
  const logs = (bytes: number) => (bytes / 1024 ** 3) * p('logs.ingest.standard');
  const miss = 1 - a.authorizerCacheHitRate;
  const requestMs = decisionMs(
    { name: 'house', memoryMb: HOUSE_MB, architecture: 'arm64', systemLogLevel: 'WARN', source: 'house defaults' },
    a,
  );
  return {
    ApiRequest: {
      shared:
        p('apigw.rest.request') +
        p('lambda.request') +
        lambda(requestMs) +
        miss * (p('lambda.request') + lambda(a.authorizerMs, 512)) +
        logs(a.accessLogBytes + a.emfBytes) +
        0.05 * p('xray.trace.recorded'),
      own: miss * readUnits(1) * p('dynamodb.onDemand.read'),
      basis: `REST request + Lambda invocation of ${requestMs} ms at ${HOUSE_MB} MB + authorizer on ${miss * 100}% + logs + 5% traces; key lookups`,
    },
    Decision: {
      shared: lambda(a.embeddedInferenceMs),
      own:
        readUnits(a.decisionQueryKb) * p('dynamodb.onDemand.read') +
        decisionWriteUnits(a) * p('dynamodb.onDemand.write'),
      basis: `embedded inference ${a.embeddedInferenceMs} ms; own table: 1 Query + ${decisionWriteUnits(a).toFixed(2)} WRU (the request itself is an ApiRequest)`,
    },
    Event: {
      shared:
        p('lambda.request') / 10 +
        lambda(a.processorMsPerBatch / 10 + a.processorMsPerEvent, 512) +
        logs((a.platformLogBytes + a.appLogBytes + a.emfBytes) / 10),
      own:
        writeUnits(a.stateItemKb) * p('dynamodb.onDemand.write') +
        (3 / a.sqsMessagesPerRequest) * p('sqs.standard.request'),
      basis: `processor share of a batch of 10; own table: 1 state write of ${a.stateItemKb} KB; own queue: send/receive/delete 10 at a time`,
    },
    Score: {
      shared:
        lambda(a.scoringMsPerCustomer) +
        (a.transitionsPerWorkItem / a.customersPerWorkItem) * p('stepfunctions.standard.transition'),
      own:
        (a.tableKbPerCustomer / 4) * 0.5 * p('dynamodb.onDemand.read') +
        a.changedScoreShare * writeUnits(a.profileItemKb) * p('dynamodb.onDemand.write'),
      basis: `${a.scoringMsPerCustomer} ms + Map transitions per customer; own table: scan of ${a.tableKbPerCustomer} KB, ${a.changedScoreShare * 100}% rewritten`,
    },
    CampaignContact: {
      shared: p('sqs.standard.request') + p('lambda.request') + lambda(10, 512),
      own: writeUnits(a.decisionWriteKb) * p('dynamodb.onDemand.write'),
      basis: 'outbound SQS message (shared per channel) + 10 ms of a step; own table: contact record',
    },
    WorkflowExecution: {
      shared: 20 * p('stepfunctions.standard.transition'),
      own: 0,
      basis: '20 Standard transitions per execution',
    },
  };
}
