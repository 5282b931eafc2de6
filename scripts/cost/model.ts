import type { MarketConfig } from '#config/market-config.ts';
import {
  cpuStretch,
  decisionMs,
  decisionUsage,
  decisionWriteUnits,
  eventUsage,
  inferenceUsage,
  meterSeriesPerMonth,
  nightlyScoringUsage,
  priceUsage,
  realTimeEndpointPerDay,
  total,
  withoutRequestFee,
  type Assumptions,
  type CostLine,
  type FnProfile,
  type PriceTable,
  type PricingContext,
  type ScoringVariant,
} from './cost-math.ts';
import { templateFacts, type CfnTemplate, type TemplateFacts } from './template-facts.ts';

export interface Estimate {
  title: string;
  total: number;
  lines: CostLine[];
  /** The same usage priced with an HTTP API instead of REST. */
  httpApiTotal: number;
  notes: string[];
}

export interface CostModel {
  facts: TemplateFacts;
  functions: Record<'decision' | 'authorizer' | 'events' | 'processor' | 'scoring', FnProfile>;
  decisions: Estimate;
  scoringModes: Estimate[];
  events: Estimate;
  nightly: Estimate[];
  meterSeriesPerMonth: number;
}

/** Meters per tenant (ApiRequest, Event, Decision, Score, CampaignContact, WorkflowExecution, Read/WriteCapacityUnits). */
export const METER_NAMES = 8;

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

export function costModel(
  template: CfnTemplate,
  config: MarketConfig,
  prices: PriceTable,
  assumed: Assumptions,
  customers: number,
): CostModel {
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
    events: profileOf(facts, 'events-api', routes['/v1/events'], 'no function serves /v1/events in the template yet'),
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
  const ctx: PricingContext = { apiType, logRetentionDays: retention, logCompression: a.logCompression };
  const httpCtx: PricingContext = { ...ctx, apiType: 'HTTP' };
  const rate = facts.tracing.samplingRate;
  const estimate = (
    title: string,
    usage: Parameters<typeof priceUsage>[0],
    notes: string[],
    strip = false,
  ): Estimate => {
    const lines = strip ? withoutRequestFee(priceUsage(usage, prices, ctx)) : priceUsage(usage, prices, ctx);
    const httpLines = strip
      ? withoutRequestFee(priceUsage(usage, prices, httpCtx))
      : priceUsage(usage, prices, httpCtx);
    return { title, total: total(lines), lines, httpApiTotal: total(httpLines), notes };
  };

  const M = 1_000_000;
  const tableModes = [...new Set(facts.tables.map((t) => t.billingMode))].join(', ') || 'none';
  const decisions = estimate(
    'per 1M decisions (everything but SageMaker inference)',
    decisionUsage(
      {
        decisions: M,
        decisionFn: functions.decision,
        authorizerFn: functions.authorizer,
        samplingRate: rate,
        accessLogClass: facts.api.accessLogClass,
      },
      a,
    ),
    [
      `API: ${facts.api.type}; authorizer cache TTL ${facts.api.authorizerCacheTtlSeconds}s -> assumed hit rate ${a.authorizerCacheHitRate * 100}%`,
      `decision Lambda: ${functions.decision.memoryMb} MB ${functions.decision.architecture}, ${decisionMs(functions.decision, a)} ms = ${a.decisionRoundTrips} DynamoDB waits x ${a.dynamoRoundTripMs} ms + ${a.decisionCpuMs} ms CPU at a full vCPU (npm run bench) x ${(Math.max(1, 1769 / functions.decision.memoryMb)).toFixed(2)} for its share of one (${functions.decision.source})`,
      `authorizer: ${functions.authorizer.memoryMb} MB ${functions.authorizer.architecture}, ${a.authorizerMs} ms per cache miss (${functions.authorizer.source})`,
      `DynamoDB (${tableModes}): 1 eventually consistent Query of ~${a.decisionQueryKb} KB (profile + state + the policy window's contacts); the decision log item (${a.decisionWriteKb} KB, TTL); ${a.householdShare * 100}% household members: + a gsi1 Query and index write; ${a.cappedShare * 100}% answers with a daily-capped action: a counter write per lease of ${a.volumeLeaseBlock} = ${decisionWriteUnits(a).toFixed(2)} WRU per decision; catalog and learned rates cached in the container`,
      `logs per decision: access ${a.accessLogBytes} B (${facts.api.accessLogLineBytes ? 'the stage format with typical values' : 'assumed'}, ${facts.api.accessLogClass} class) + platform ${/^(WARN|ERROR|FATAL)$/.test(functions.decision.systemLogLevel) ? 0 : a.platformLogBytes} B (system log level ${functions.decision.systemLogLevel}) + no app line on success; 1 EMF line of ${a.emfBytes} B (ApiRequest, Decision, read and write units); retention ${retention} days`,
      `traces: ${(rate * 100).toFixed(1)}% sampled (${facts.tracing.source}${facts.tracing.reservoirPerSecond ? ` + ${facts.tracing.reservoirPerSecond}/s reservoir, not counted` : ''})`,
    ],
  );

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
  const configured = facts.scoring.mode === 'embedded' ? 'embedded' : `sagemaker ${facts.scoring.kind}`;
  const scoringModes = variants.map(({ label, variant }) => {
    const add = estimate(label, inferenceUsage(variant, M, functions.decision, a), [], true);
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
    if (label.startsWith(configured))
      notes.push(`the market's configured mode (scoring.mode from the template: ${configured})`);
    return {
      title: label,
      total: decisions.total + total(lines),
      lines,
      httpApiTotal: decisions.httpApiTotal + total(lines),
      notes,
    };
  });

  const events = estimate(
    'per 1M events',
    eventUsage(
      {
        events: M,
        eventsFn: functions.events,
        processorFn: functions.processor,
        authorizerFn: functions.authorizer,
        batchSize,
        samplingRate: rate,
        accessLogClass: facts.api.accessLogClass,
      },
      a,
    ),
    [
      `${a.eventsPerRequest} events per POST /v1/events; events API ${functions.events.memoryMb} MB, ${a.eventsApiMs} ms (${functions.events.source})`,
      `one SQS message per event, sent/received/deleted ${a.sqsMessagesPerRequest} at a time`,
      `processor: batch of ${batchSize}, ${a.processorMsPerBatch} ms + ${a.processorMsPerEvent} ms/event at ${functions.processor.memoryMb} MB (${functions.processor.source})`,
      `one conditional UpdateItem of the ~${a.stateItemKb} KB state item per event (recent event ids inside it: exactly-once without a second item) = ${Math.max(1, Math.ceil(a.stateItemKb))} WRU; a TransactWriteItems design would be ~4 WRU`,
      `${a.triggerRate * 100}% of events fire a trigger (1 decision-log write + 1 outbound SQS message)`,
    ],
  );

  const nightly = variants.map(({ label, variant }) => {
    const usage = nightlyScoringUsage({ customers, scoringFn: functions.scoring, variant }, a);
    const e = estimate(`nightly scoring of ${customers.toLocaleString('en')} customers, ${label}`, usage, [
      `Distributed Map (Standard) over ranges of ${a.customersPerWorkItem} customers, ${a.transitionsPerWorkItem} transitions each; ${a.scoringMsPerCustomer} ms/customer at ${functions.scoring.memoryMb} MB (${functions.scoring.source})`,
      `parallel Scan reads ~${a.tableKbPerCustomer} KB per customer (the whole partition: profile, state, decision log); ${a.changedScoreShare * 100}% of scores change and are written (UpdateItem billed on the ${a.profileItemKb} KB profile item)`,
      ...(variant.mode === 'sagemaker-serverless'
        ? [`${a.sagemakerCustomersPerInvoke} customers per InvokeEndpoint, ${a.sagemakerMsPerInvoke} ms each`]
        : []),
    ]);
    if (variant.mode === 'sagemaker-real-time') {
      const perDay = realTimeEndpointPerDay(prices, variant.instanceType, variant.instanceCount) ?? 0;
      e.notes.push(
        `endpoint instances cost $${perDay.toFixed(2)}/day whether or not the nightly run uses them (counted in the decision line, not here)`,
      );
    }
    return e;
  });

  return {
    facts,
    functions,
    decisions,
    scoringModes,
    events,
    nightly,
    meterSeriesPerMonth:
      meterSeriesPerMonth(prices, METER_NAMES, config.tenants.length) +
      meterSeriesPerMonth(prices, 1, config.channels.length),
  };
}
