import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { decisionTableName, tenantTableName } from '#adapters/dynamo/table-design.ts';
import { deploymentOf, MIN_DECISION_LOG_DAYS, MarketConfigError, parseMarketConfig } from '#config/market-config.ts';
import { loadMarket, MARKETS } from '#config/markets/index.ts';
import { METER_FLUSH_VARIABLE } from '../lib/constructs/api.ts';
import { leanMarket } from '../scripts/cost/levers.ts';
import { templateFacts, type CfnTemplate } from '../scripts/cost/template-facts.ts';
import { synthMarket, type Synthesized } from './synth.ts';
import { templateQueries } from './template-queries.ts';

/** The market config's cost levers (docs/capacity.md), as shipped and all pulled (the cost model's "lean"). */
const shipped = synthMarket(loadMarket('demo'));
const lean = synthMarket(leanMarket(shipped.config));

function leversOf(s: Synthesized) {
  const q = templateQueries(s);
  const json = s.template.toJSON() as CfnTemplate;
  const facts = templateFacts(json);
  const decisionsId = q.idOf(s.stack.decisioning.apiFunction);
  const fnIdOf = (fn: IFunction) => q.idOf(fn as unknown as { node: { defaultChild?: unknown } });
  const apiIds = new Set(Object.values(s.stack.api.functions).map(fnIdOf));
  const varsOf = (id: string) =>
    (q.resources[id]!.Properties!['Environment']?.['Variables'] ?? {}) as Record<string, unknown>;
  const pitrOf = (name: string) =>
    q.ofType('AWS::DynamoDB::Table').find(([, t]) => t.Properties!['TableName'] === name)![1].Properties![
      'PointInTimeRecoverySpecification'
    ]['PointInTimeRecoveryEnabled'];
  const deployment = deploymentOf(s.config);
  return {
    q,
    facts,
    decisionsId,
    apiIds,
    varsOf,
    logPitr: s.config.tenants.map((t) => pitrOf(decisionTableName(deployment, t.id))),
    tenantPitr: s.config.tenants.map((t) => pitrOf(tenantTableName(deployment, t.id))),
  };
}

describe('the cost levers of the market config', () => {
  const ours = leversOf(shipped);
  const pulled = leversOf(lean);

  it("sets the API functions' metrics interval from observability.meterFlushSeconds, and no other function's", () => {
    expect(shipped.config.observability.meterFlushSeconds).toBe(10);
    expect(ours.apiIds.size).toBeGreaterThanOrEqual(8);
    for (const id of ours.apiIds) expect(ours.varsOf(id)[METER_FLUSH_VARIABLE], id).toBe('10');
    for (const [id] of ours.q.ofType('AWS::Lambda::Function'))
      if (!ours.apiIds.has(id)) expect(ours.varsOf(id)[METER_FLUSH_VARIABLE], id).toBeUndefined();
    expect(ours.facts.functions[ours.decisionsId]!.meterFlushSeconds).toBe(10);
  });

  it('keeps point-in-time recovery on the decision logs unless retention.decisionLogPitr turns it off', () => {
    expect(ours.logPitr.every((on) => on === true)).toBe(true);
    expect(pulled.logPitr.every((on) => on === false)).toBe(true);
    // the tenant tables keep theirs either way
    expect([...ours.tenantPitr, ...pulled.tenantPitr].every((on) => on === true)).toBe(true);
  });

  it('traces the decisions function unless observability.decisionTracing is off; the stage traces either way', () => {
    expect(ours.q.resources[ours.decisionsId]!.Properties!['TracingConfig']).toEqual({ Mode: 'Active' });
    expect(pulled.q.resources[pulled.decisionsId]!.Properties!['TracingConfig']).toEqual({ Mode: 'PassThrough' });
    expect(ours.facts.functions[ours.decisionsId]!.tracing).toBe(true);
    expect(pulled.facts.functions[pulled.decisionsId]!.tracing).toBe(false);
    expect([ours.facts.api.tracing, pulled.facts.api.tracing]).toEqual([true, true]);
  });

  it("tells the decisions function the log's TTL, where the cost model reads it", () => {
    expect(ours.facts.functions[ours.decisionsId]!.decisionLogDays).toBe(180);
    expect(pulled.facts.functions[pulled.decisionsId]!.decisionLogDays).toBe(MIN_DECISION_LOG_DAYS);
  });

  it('adds no resource: the market stack has none to spare at 12 tenants', () => {
    expect(Object.keys(pulled.q.resources).sort()).toEqual(Object.keys(ours.q.resources).sort());
  });

  it("refuses a decision log shorter than the month-to-date reports' reach, naming the field", () => {
    const raw = MARKETS['demo']!;
    const short = { ...raw, retention: { ...raw.retention, decisionLogDays: MIN_DECISION_LOG_DAYS - 1 } };
    expect(() => parseMarketConfig('demo', short)).toThrow(MarketConfigError);
    expect(() => parseMarketConfig('demo', short)).toThrow(/retention\.decisionLogDays: at least 32/);
    expect(() => parseMarketConfig('demo', { ...raw, observability: { meterFlushSeconds: -1 } })).toThrow(
      /observability\.meterFlushSeconds/,
    );
  });
});
