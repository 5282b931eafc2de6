/**
 * Campaigns: customers per second through audience selection (parallel-scan segments, JSON Logic
 * rule, sticky assignment, member writes) and through decisioning + hand-off (decide per treatment
 * customer, conditional member transition, outbound file), with the real adapters against
 * DynamoDB Local on this machine; and the AWS cost of a 1M-customer campaign from the price table.
 *
 *   npx tsx scripts/bench/campaigns.ts [customers]     (default 10,000)
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { cpus, tmpdir } from 'node:os';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DynamoActionCatalog } from '#adapters/dynamo/action-catalog.ts';
import { documentClient } from '#adapters/dynamo/client.ts';
import { DECISION_TABLE, decisionTableBeside, TENANT_TABLE } from '#adapters/dynamo/table-design.ts';
import { campaignSteps, type ContactResult, type SelectResult } from '#app/campaign-steps.ts';
import { createCampaign } from '#app/campaigns.ts';
import type { Action } from '#domain/action.ts';
import type { CustomerRecord } from '#domain/customer.ts';
import { decisioningSettingsOf } from '#config/decisioning-settings.ts';
import { loadMarket } from '#config/markets/index.ts';
import { campaignsEnv, campaignPortsFor, campaignStepPortsFor } from '#composition/campaigns.ts';
import { loadPrices } from '../cost/prices.ts';
import { unitPrice } from '../cost/cost-math.ts';
import { startDynamoLocal } from '../../lambdas/test-support/dynamo-local.ts';
import { ensureTable } from '../../lambdas/test-support/ensure-table.ts';
import type { BenchFigure } from './figure.ts';

const NOW = '2025-03-12T08:00:00.000Z';
const offer: Action = {
  actionId: 'bench-offer',
  name: 'Bench bundle',
  kind: 'offer',
  treatments: { sms: { templateKey: 'bench', text: { en: 'Bundle' } } },
  eligibility: true,
  propensity: { starting: 0.1 },
  value: 30,
  lever: 1,
  limits: { perCustomer: [{ max: 2, days: 30 }] },
};

/** The cost of one campaign of `members` customers (10% control, everyone else contacted), from list prices. */
export function campaignCost(members: number, lambdaMsPerMember: number, lambdaGb = 1.769, segments = 16, shards = 64) {
  const prices = loadPrices();
  const treatment = members * 0.9;
  const control = members - treatment;
  const writes = members + treatment * 2; // member put; transition (with its hand-off, < 1 KB) and decision log per contact
  const reads =
    members * 1 /* scan, ~2 KB profile+state eventually consistent */ +
    treatment * 1 /* customer Query at decide */ +
    members * 1 /* measure */;
  const sqs = Math.ceil(treatment / 10);
  const gbSeconds = ((members * lambdaMsPerMember) / 1000) * lambdaGb;
  const invocations = segments + 2 * shards + 12;
  const transitions = 30 + (segments + 2 * shards) * 3; // each Distributed Map child: start, task, end
  const lines = {
    dynamodbWrites: writes * unitPrice(prices, 'dynamodb.onDemand.write'),
    dynamodbReads: reads * unitPrice(prices, 'dynamodb.onDemand.read'),
    sqs: sqs * unitPrice(prices, 'sqs.standard.request'),
    lambda: gbSeconds * unitPrice(prices, 'lambda.arm64.gbSecond') + invocations * unitPrice(prices, 'lambda.request'),
    stepFunctions: transitions * unitPrice(prices, 'stepfunctions.standard.transition'),
  };
  return { usd: Object.values(lines).reduce((a, b) => a + b, 0), lines, treatment, control };
}

export async function runCampaignsBench(
  n = Number(process.env['CAMPAIGN_BENCH_CUSTOMERS'] ?? 10_000),
): Promise<BenchFigure[]> {
  const dynamo = await startDynamoLocal();
  try {
    const raw = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await ensureTable(raw, 'bench-cmp-acme', TENANT_TABLE);
    // the contact step logs every decision in the tenant's decision table, named beside its own
    await ensureTable(raw, decisionTableBeside('bench-cmp-acme'), DECISION_TABLE);
    raw.destroy();
    const env = campaignsEnv({
      MARKET: 'bench',
      TENANT_TABLES: JSON.stringify({ acme: 'bench-cmp-acme' }),
      KEYS_TABLE: 'bench-keys',
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      AWS_REGION: 'local',
      DECISIONING: JSON.stringify(decisioningSettingsOf(loadMarket('demo'))),
      CVM_NOW: NOW,
      CVM_TIME_SCALE: '1000000',
      CVM_LOCAL_DIR: mkdtempSync(join(tmpdir(), 'cvm-bench-cmp-')),
      CAMPAIGN_SEGMENTS: '4',
      CAMPAIGN_SHARDS: '8',
      CAMPAIGN_CONCURRENCY: '32',
    });
    const stepPorts = await campaignStepPortsFor(env);
    const apiPorts = { ...(await campaignPortsFor(env)), starter: { start: async () => ({ executionId: 'bench' }) } };
    await new DynamoActionCatalog(documentClient({ endpoint: dynamo.endpoint }), () => 'bench-cmp-acme').put(
      'acme',
      offer,
    );
    const records = Array.from(
      { length: n },
      (_, i) =>
        ({
          customerId: `b${i}`,
          segment: i % 3 ? 'youth' : 'family',
          tariff: 't',
          tenureMonths: i % 60,
          monthlyCharge: 40 + (i % 80),
          contract: 'prepaid',
          products: ['phone'],
          language: 'en',
          consent: { sms: true },
          attributes: {},
          version: 1,
          createdAt: NOW,
          updatedAt: NOW,
          scores: { churn: { value: (i % 100) / 100, model: 'churn', version: 'bench', at: NOW } },
        }) as unknown as CustomerRecord,
    );
    for (let i = 0; i < n; i += 5000) await stepPorts.customers.saveMany('acme', records.slice(i, i + 5000));

    const { campaignId } = await createCampaign(apiPorts)('acme', {
      name: 'bench',
      goal: 'take-up',
      audience: { rule: { '>=': [{ var: 'profile.tenureMonths' }, 0] } },
      actionIds: ['bench-offer'],
      channel: 'sms',
      controlGroupPercent: 10,
      pilot: { percent: 100, minUplift: 1 },
      responseWindow: 'P7D',
    });
    const step = campaignSteps(stepPorts);
    const base = { tenant: 'acme', campaignId };
    await step({ step: 'prepare', ...base });
    let t0 = performance.now();
    const selected = (await Promise.all(
      Array.from({ length: env.segments }, (_, segment) =>
        step({ step: 'select', ...base, segment, totalSegments: env.segments }),
      ),
    )) as SelectResult[];
    const selectS = (performance.now() - t0) / 1000;
    const audience = selected.reduce((a, r) => a + r.audience, 0);
    await step({ step: 'selected', ...base, results: selected });
    await step({ step: 'gate', ...base, phase: 'pilot' });
    t0 = performance.now();
    const contacted = (await Promise.all(
      Array.from({ length: env.shards }, (_, shard) =>
        step({ step: 'contact', ...base, phase: 'pilot', shard, totalShards: env.shards }),
      ),
    )) as ContactResult[];
    const contactS = (performance.now() - t0) / 1000;
    const decided = contacted.reduce((a, r) => a + r.contacted + r.suppressed + r.failed, 0);
    const sent = contacted.reduce((a, r) => a + r.contacted, 0);
    // a setup that fails every decision would still print a throughput: refuse the figure instead
    if (sent === 0) {
      const failed = contacted.reduce((a, r) => a + r.failed, 0);
      throw new Error(`no member was contacted (${failed} of ${decided} failed): the bench's setup is broken`);
    }
    const perCustomerMs = ((selectS + contactS) * 1000) / audience;
    const cost = campaignCost(1_000_000, perCustomerMs);
    const machine = `${cpus().length} cores shared with other work; DynamoDB Local`;
    return [
      {
        name: `audience selection (${n.toLocaleString('en-US')} customers, ${env.segments} segments)`,
        value: Math.round(audience / selectS),
        unit: 'customers/s',
        note: machine,
      },
      {
        name: 'decisioning + hand-off of the treatment group',
        value: Math.round(decided / contactS),
        unit: 'customers/s',
        note: `${sent.toLocaleString('en-US')} contacted of ${decided.toLocaleString('en-US')} decided; ${env.shards} shards x ${env.concurrency} at once`,
      },
      {
        name: 'end to end: selection + decisioning',
        value: Math.round(audience / (selectS + contactS)),
        unit: 'customers/s',
        note: `${(selectS + contactS).toFixed(1)} s for ${audience.toLocaleString('en-US')}`,
      },
      {
        name: '100,000-customer base, extrapolated',
        value: Math.round((100_000 / audience) * (selectS + contactS)),
        unit: 's',
        note: `linear from the ${n.toLocaleString('en-US')} run (100k not run here: two shared cores and DynamoDB Local); in AWS segments and shards run as parallel Lambdas`,
      },
      {
        name: 'AWS cost of a 1M-customer campaign (10% control)',
        value: Math.round(cost.usd * 100) / 100,
        unit: 'USD',
        note: `DynamoDB writes $${cost.lines.dynamodbWrites.toFixed(2)}, reads $${cost.lines.dynamodbReads.toFixed(2)}, Lambda $${cost.lines.lambda.toFixed(2)} (at ${perCustomerMs.toFixed(2)} ms/customer as measured here), SQS $${cost.lines.sqs.toFixed(2)}, Step Functions $${cost.lines.stepFunctions.toFixed(3)}; us-east-1 list prices (scripts/cost/prices.json); sending SMS not included`,
      },
    ];
  } finally {
    await dynamo.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const n = process.argv[2] ? Number(process.argv[2]) : undefined;
  for (const f of await runCampaignsBench(n))
    console.log(`${f.name}: ${f.value} ${f.unit}${f.note ? `  (${f.note})` : ''}`);
  process.exit(0);
}
