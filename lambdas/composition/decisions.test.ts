import { fileURLToPath } from 'node:url';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadPinnedModelsFromDir } from '#adapters/models/file-model-store.ts';
import { METRIC } from '#adapters/metrics/platform-metrics.ts';
import { headKey } from '#adapters/sagemaker/endpoints.ts';
import { decide, type DecisionPorts } from '#app/decisions.ts';
import type { CustomerRecord } from '#domain/customer.ts';
import { experimentGroup } from '#domain/decisioning/experiments.ts';
import { decisioningSettingsOf } from '#config/decisioning-settings.ts';
import { demoCatalog } from '#config/markets/demo-catalog.ts';
import { loadMarket } from '#config/markets/index.ts';
import { testTables, type TestTables } from '../test-support/dynamo.ts';
import { emittedMetrics } from '../test-support/emf.ts';
import { decisionsEnv } from './decisions-env.ts';
import { decisionAdaptersFor } from './decisions.ts';

const market = loadMarket('demo');
const settings = decisioningSettingsOf(market);
// 10:00 in Johannesburg, outside quiet hours
const NOW = '2025-03-12T08:00:00.000Z';
const sm = mockClient(SageMakerRuntimeClient);
const throttled = () =>
  Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 429 } });

let t: TestTables;
let endpoints: string;
beforeAll(async () => {
  t = await testTables(['acme']);
  const models = await loadPinnedModelsFromDir(
    fileURLToPath(new URL('../../models', import.meta.url)),
    market.code,
    market.scoring.models,
  );
  endpoints = JSON.stringify(
    Object.fromEntries(
      models.flatMap((m) =>
        m.heads.map((h) => [headKey(m.model, h.name), { endpointName: `cvm-demo-${m.model}-${h.name}` }]),
      ),
    ),
  );
});
afterEach(() => sm.reset());

/** The decisions function's composition root on an environment as the stack sets it. */
const portsFor = (scoring: Record<string, string>): Promise<DecisionPorts> =>
  decisionAdaptersFor(decisionsEnv({ ...t.env, DECISIONING: JSON.stringify(settings), CVM_NOW: NOW, ...scoring }));

/** Customers of the champion group: the control group sees no actions, so nothing of theirs is scored. */
const champions = (prefix: string, n: number) => {
  const ids: string[] = [];
  for (let i = 0; ids.length < n; i++)
    if (experimentGroup('acme', `${prefix}${i}`, settings.experiments) === 'champion') ids.push(`${prefix}${i}`);
  return ids;
};
async function unscoredCustomer(ports: DecisionPorts, customerId: string): Promise<void> {
  const record: CustomerRecord = {
    customerId,
    version: 1,
    createdAt: NOW,
    updatedAt: NOW,
    segment: 'youth',
    tariff: 'smart-50',
    tenureMonths: 4,
    monthlyCharge: 85,
    contract: 'month-to-month',
    products: ['phone', 'internet-fiber'],
    language: 'en',
    consent: { app: true, sms: true },
  };
  await ports.customers.save('acme', record, 0);
}

describe("the decisions function's scoring", () => {
  it('in sagemaker mode asks the endpoint, and when it throttles answers with the in-process scores and records the fallback', async () => {
    const sagemaker = await portsFor({
      SCORING_MODE: 'sagemaker',
      SAGEMAKER_ENDPOINTS: endpoints,
      LATENCY_BUDGET_MS: '500',
    });
    const embedded = await portsFor({});
    for (const action of demoCatalog) await sagemaker.catalog.put('acme', action);
    const [viaEndpoint, inProcess] = champions('sm-', 2) as [string, string];
    await unscoredCustomer(sagemaker, viaEndpoint);
    await unscoredCustomer(sagemaker, inProcess);
    sm.on(InvokeEndpointCommand).rejects(throttled());

    let answer: Awaited<ReturnType<ReturnType<typeof decide>>> | undefined;
    const metrics = await emittedMetrics(async () => {
      answer = await decide(sagemaker)('acme', { customerId: viaEndpoint, channel: 'app' });
    });
    const expected = await decide(embedded)('acme', { customerId: inProcess, channel: 'app' });

    expect(sm.commandCalls(InvokeEndpointCommand).length).toBeGreaterThan(0);
    expect(answer!.modelVersions).toEqual(
      Object.fromEntries(Object.entries(market.scoring.models).map(([m, p]) => [m, p.version])),
    );
    expect(answer!.actions.length).toBeGreaterThan(0);
    // a customer of the same profile, scored in process: the same actions, propensities and scores
    const view = (d: typeof expected) =>
      d.actions.map((a) => ({ actionId: a.actionId, propensity: a.propensity, score: a.score }));
    expect(view(answer!)).toEqual(view(expected));
    expect(metrics.filter((m) => m.name === METRIC.scoringRequest)).toHaveLength(1);
    expect(metrics.filter((m) => m.name === METRIC.scoringFallback).map((m) => m.dimensions['reason'])).toEqual([
      'throttled',
    ]);
  });

  it('in embedded mode scores in process and never calls an endpoint', async () => {
    const embedded = await portsFor({});
    const [customerId] = champions('emb-', 1) as [string];
    await unscoredCustomer(embedded, customerId);
    const metrics = await emittedMetrics(async () => {
      const answer = await decide(embedded)('acme', { customerId, channel: 'app' });
      expect(Object.keys(answer.modelVersions).length).toBeGreaterThan(0);
    });
    expect(sm.commandCalls(InvokeEndpointCommand)).toHaveLength(0);
    expect(metrics.filter((m) => m.name === METRIC.scoringRequest || m.name === METRIC.scoringFallback)).toEqual([]);
  });
});
