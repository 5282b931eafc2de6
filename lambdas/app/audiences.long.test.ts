import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { localUploadSecret, receiveUpload } from '#adapters/local/local-uploads.ts';
import { campaignSteps, type CampaignStepPorts, type SelectResult } from '#app/campaign-steps.ts';
import { createCampaign, type CampaignPorts } from '#app/campaigns.ts';
import type { CustomerRecord } from '#domain/customer.ts';
import { decisioningSettingsOf } from '#config/decisioning-settings.ts';
import { loadMarket } from '#config/markets/index.ts';
import { audiencePortsFor } from '#composition/audiences.ts';
import { campaignsEnv, campaignPortsFor, campaignStepPortsFor } from '#composition/campaigns.ts';
import { testTables } from '../test-support/dynamo.ts';
import { createAudience, getAudience, type AudiencePorts } from './audiences.ts';

/**
 * A 100,000-id uploaded audience on DynamoDB Local: uploaded as a stream, read in bounded GETs,
 * then selected by 16 segments at once (what the Distributed Map runs in AWS), never whole in memory.
 */
const NOW = '2025-03-12T08:00:00.000Z';
const TENANT = 'acme';
const SIZE = 100_000;
const SEGMENTS = 16;
const ERASED = 25;

let stepPorts: CampaignStepPorts;
let apiPorts: CampaignPorts;
let audiencePorts: AudiencePorts;
let dir: string;

beforeAll(async () => {
  const t = await testTables([TENANT]);
  dir = mkdtempSync(join(tmpdir(), 'cvm-audiences-long-'));
  writeFileSync(join(dir, 'runtime.json'), JSON.stringify({ baseUrl: 'http://127.0.0.1:3999' }));
  const cenv = campaignsEnv({
    ...t.env,
    DECISIONING: JSON.stringify(decisioningSettingsOf(loadMarket('demo'))),
    CVM_NOW: NOW,
    CVM_TIME_SCALE: '10000000',
    CVM_LOCAL_DIR: dir,
    CAMPAIGN_SEGMENTS: String(SEGMENTS),
    CAMPAIGN_SHARDS: '8',
  });
  stepPorts = await campaignStepPortsFor(cenv);
  apiPorts = { ...(await campaignPortsFor(cenv)), starter: { start: async () => ({ executionId: 'test' }) } };
  process.env['CVM_LOCAL_DIR'] = dir;
  audiencePorts = audiencePortsFor({
    audiences: apiPorts.audiences!,
    clock: apiPorts.clock,
    randomId: apiPorts.randomId,
  });
  const customers = Array.from(
    { length: SIZE },
    (_, i) =>
      ({
        customerId: `big-${i}`,
        segment: 'youth',
        contract: 'prepaid',
        language: 'en',
        consent: { sms: true },
        version: 1,
        createdAt: NOW,
        updatedAt: NOW,
      }) as CustomerRecord,
  );
  await apiPorts.catalog.put(TENANT, {
    actionId: 'big-offer',
    name: 'Big offer',
    kind: 'offer',
    treatments: { sms: { templateKey: 'big', text: { en: 'Offer' } } },
    eligibility: true,
    propensity: { starting: 0.2 },
    value: 10,
    lever: 1,
    limits: { perCustomer: [] },
  });
  for (let i = 0; i < SIZE; i += 5000) await stepPorts.customers.saveMany(TENANT, customers.slice(i, i + 5000));
  for (let i = 0; i < ERASED; i++) await stepPorts.customers.erase(TENANT, `big-${i * 1000}`, new Date(NOW));
}, 600_000);

describe('a 100,000-id uploaded audience', () => {
  it('is read in bounded steps and selected by parallel segments with the same groups as any audience', async () => {
    const { audienceId, uploadUrl } = await createAudience(audiencePorts)(TENANT);
    const token = new URL(uploadUrl).pathname.split('/').at(-1)!;
    // streamed in 64 KiB chunks, as an HTTP body arrives
    async function* body() {
      let chunk = 'customerId\n';
      for (let i = 0; i < SIZE; i++) {
        chunk += `big-${i}\n`;
        if (chunk.length > 65_536) {
          yield Buffer.from(chunk);
          chunk = '';
        }
      }
      yield Buffer.from(`${chunk}not an id\n`);
    }
    expect((await receiveUpload(dir, localUploadSecret(dir), token, body(), new Date(NOW))).status).toBe(200);

    const started = performance.now();
    let view = await getAudience(audiencePorts)(TENANT, audienceId);
    let calls = 1;
    while (view.status === 'processing') {
      view = await getAudience(audiencePorts)(TENANT, audienceId);
      calls++;
    }
    const readSeconds = (performance.now() - started) / 1000;
    expect(view).toMatchObject({ status: 'ready', size: SIZE, rejected: 1, rejectedLines: [SIZE + 2] });

    const { campaignId } = await createCampaign(apiPorts)(TENANT, {
      name: 'Large list',
      goal: 'take-up',
      audience: { audienceId },
      actionIds: ['big-offer'],
      channel: 'sms',
      controlGroupPercent: 10,
      pilot: { percent: 20, minUplift: 1 },
      responseWindow: 'P7D',
    });
    const steps = campaignSteps(stepPorts);
    await steps({ step: 'prepare', tenant: TENANT, campaignId });
    const heapBefore = process.memoryUsage().heapUsed;
    let heapPeak = heapBefore;
    const sampler = setInterval(() => (heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed)), 50);
    const selectStarted = performance.now();
    const results = (await Promise.all(
      Array.from({ length: SEGMENTS }, (_, segment) =>
        steps({ step: 'select', tenant: TENANT, campaignId, segment, totalSegments: SEGMENTS }),
      ),
    )) as SelectResult[];
    clearInterval(sampler);
    const selectSeconds = (performance.now() - selectStarted) / 1000;
    const counts = (await steps({ step: 'selected', tenant: TENANT, campaignId, results })) as Record<string, number>;

    expect(counts['audience']).toBe(SIZE - ERASED);
    expect(results.every((r) => r.audience > 0)).toBe(true);
    expect(Math.abs(counts['control']! / counts['audience']! - 0.1)).toBeLessThan(0.01);
    expect(Math.abs(counts['pilot']! / counts['audience']! - 0.2)).toBeLessThan(0.01);
    // the segments hold members a chunk at a time: far less than the list's profiles at once
    const heapGrowthMb = (heapPeak - heapBefore) / 2 ** 20;
    console.log(
      `100k upload: read in ${readSeconds.toFixed(1)} s over ${calls} GETs; selected in ${selectSeconds.toFixed(1)} s; heap +${heapGrowthMb.toFixed(0)} MB`,
    );
    expect(heapGrowthMb).toBeLessThan(200);
  }, 900_000);
});
