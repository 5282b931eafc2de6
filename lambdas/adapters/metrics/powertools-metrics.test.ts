import { describe, expect, it } from 'vitest';
import { emfBlobs, emittedMetrics } from '../../test-support/emf.ts';
import {
  driftMetricsFromEnv,
  platformMetrics,
  powertoolsRuleBudgetRecorder,
  powertoolsTriggerRecorder,
  ruleBudgetRecorderFromEnv,
  triggerRecorderFromEnv,
} from './powertools-metrics.ts';

describe('trigger firings as a metric', () => {
  it('writes one TriggerFired value per tenant with the service, market and tenant dimensions', async () => {
    const record = powertoolsTriggerRecorder(platformMetrics('demo'));
    const blobs = await emfBlobs(() => {
      record('consumer', 4);
      record('enterprise', 1);
    });
    expect(blobs.map((b) => [b['tenant'], b['TriggerFired']])).toEqual([
      ['consumer', 4],
      ['enterprise', 1],
    ]);
    expect(await emittedMetrics(() => record('consumer', 1))).toEqual([
      {
        namespace: 'telco-cvm',
        name: 'TriggerFired',
        dimensions: { service: 'telco-cvm', market: 'demo', tenant: 'consumer' },
      },
    ]);
  });

  it('writes nothing for a batch where nothing fired', async () => {
    const record = powertoolsTriggerRecorder(platformMetrics('demo'));
    expect(await emfBlobs(() => record('consumer', 0))).toEqual([]);
  });

  it('writes nothing in the local runtime, which has no CloudWatch to read it', async () => {
    expect(await emfBlobs(() => triggerRecorderFromEnv({ MARKET: 'demo', CVM_METER: 'local' })('consumer', 2))).toEqual(
      [],
    );
    expect(await emfBlobs(() => triggerRecorderFromEnv({ MARKET: 'demo' })('consumer', 2))).toHaveLength(1);
  });
});

describe('rules over budget as a metric', () => {
  it('writes one RuleOverBudget value per tenant, and nothing when no rule ran out of steps', async () => {
    const record = powertoolsRuleBudgetRecorder(platformMetrics('demo'));
    expect(await emittedMetrics(() => record('consumer', 2))).toEqual([
      {
        namespace: 'telco-cvm',
        name: 'RuleOverBudget',
        dimensions: { service: 'telco-cvm', market: 'demo', tenant: 'consumer' },
      },
    ]);
    expect(await emfBlobs(() => record('consumer', 0))).toEqual([]);
    expect(
      await emfBlobs(() => ruleBudgetRecorderFromEnv({ MARKET: 'demo', CVM_METER: 'local' })('consumer', 1)),
    ).toEqual([]);
  });
});

describe('drift as metrics', () => {
  it('writes ScorePsi and FeaturePsi with the model (and feature) as dimensions, nothing in the local runtime', async () => {
    const drift = driftMetricsFromEnv({ MARKET: 'demo' }, 'consumer');
    expect(
      await emittedMetrics(() => {
        drift.scorePsi('churn', 0.12);
        drift.featurePsi('churn', 'tenure_months', 0.03);
      }),
    ).toEqual([
      {
        namespace: 'telco-cvm',
        name: 'ScorePsi',
        dimensions: { service: 'telco-cvm', market: 'demo', model: 'churn' },
      },
      {
        namespace: 'telco-cvm',
        name: 'FeaturePsi',
        dimensions: { service: 'telco-cvm', market: 'demo', model: 'churn', feature: 'tenure_months' },
      },
    ]);
    const local = driftMetricsFromEnv({ MARKET: 'demo', CVM_METER: 'local' }, 'consumer');
    expect(await emfBlobs(() => local.scorePsi('churn', 0.4))).toEqual([]);
  });
});
