import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignGroup } from '#domain/campaign/assignment.ts';
import { expectAnswer } from '../scripts/lib/api/api-client.ts';
import { startLocal, type StartedRuntime } from '../scripts/local/npm-start.ts';
import { type TenantApi, tenantApi } from './support/tenant-api.ts';

let rt: StartedRuntime;
let consumer: TenantApi;
let enterprise: TenantApi;

beforeAll(async () => {
  // 10:00 in Johannesburg (outside quiet hours); a 7-day response window passes in well under a second
  rt = await startLocal({ CVM_NOW: '2025-03-12T08:00:00Z', CVM_TIME_SCALE: '10000000' });
  consumer = tenantApi(rt, 'consumer');
  enterprise = tenantApi(rt, 'enterprise');
  // before any campaign runs: the campaign steps cache the catalog for a while, as decisions do
  expectAnswer(
    await consumer.admin.put('/v1/actions/{actionId}', {
      path: { actionId: 'variant-e2e' },
      body: {
        name: 'Variant e2e',
        kind: 'offer',
        treatments: {
          sms: {
            templateKey: 'variant-e2e',
            text: { en: 'Variant A: 10 GB for R99' },
            variants: [
              { variantId: 'A', weight: 1 },
              { variantId: 'B', weight: 1, text: { en: 'Variant B: 10 GB more for R99' } },
            ],
          },
        },
        eligibility: true,
        propensity: { starting: 0.2 },
        value: 10,
      },
    }),
    201,
  );
});

afterAll(async () => {
  if (rt && rt.child.exitCode === null) await rt.interrupt();
});

describe('campaigns over HTTP on the local runtime', () => {
  it('runs a campaign from create to a final status with a report, contacting only treatment customers', async () => {
    await Promise.all(
      Array.from({ length: 80 }, (_, i) =>
        consumer.admin.put('/v1/customers/{customerId}', {
          path: { customerId: `cmp-e2e-${i}` },
          body: {
            segment: 'youth',
            tenureMonths: 6,
            monthlyCharge: 60,
            contract: 'prepaid',
            products: ['phone'],
            language: 'en',
            consent: { sms: true },
          },
        }),
      ),
    );
    const spec = {
      name: 'e2e bundle',
      goal: 'take-up' as const,
      audience: { rule: { '==': [{ var: 'profile.contract' }, 'prepaid'] } },
      actionIds: ['bundle-upgrade-10gb'],
      channel: 'sms' as const,
      controlGroupPercent: 25,
      pilot: { percent: 50, minUplift: 1 },
      responseWindow: 'P7D',
    };
    const preview = expectAnswer(await consumer.admin.post('/v1/campaigns/preview', { body: spec }), 200);
    expect(preview.json.audience).toBeGreaterThanOrEqual(80);

    const created = expectAnswer(await consumer.admin.post('/v1/campaigns', { body: spec }), 202);
    const campaign = { path: { campaignId: created.json.campaignId } };
    const campaignId = created.json.campaignId;
    expect((await enterprise.admin.get('/v1/campaigns/{campaignId}', campaign)).status).toBe(404);

    const read = async () => expectAnswer(await consumer.admin.get('/v1/campaigns/{campaignId}', campaign), 200).json;
    let got = await read();
    const deadline = Date.now() + 25_000;
    while (!['succeeded', 'stopped', 'failed', 'cancelled'].includes(got.status) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      got = await read();
    }
    expect(['succeeded', 'stopped'], JSON.stringify(got)).toContain(got.status);
    const pilot = got.report!.phases.pilot!;
    expect(pilot.control.audience + pilot.treatment.audience).toBe(got.counts!['pilot']);
    expect(pilot.control.contacted).toBe(0);
    const csv = await consumer.admin.get('/v1/campaigns/{campaignId}', { ...campaign, accept: 'text/csv' });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.text.startsWith('phase,group,audience')).toBe(true);

    const file = join(rt.dir, 'outbound', 'sms.jsonl');
    const lines = existsSync(file)
      ? readFileSync(file, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l))
          .filter((m) => m.reason?.id === campaignId)
      : [];
    expect(lines.length).toBe(got.report!.total.treatment.contacted);
    expect(new Set(lines.map((m) => m.customerId)).size).toBe(lines.length);
  }, 60_000);

  it('stops a campaign with a budget of 10 contacts at exactly 10, with the budget as its reason', async () => {
    await Promise.all(
      Array.from({ length: 80 }, (_, i) =>
        consumer.admin.put('/v1/customers/{customerId}', {
          path: { customerId: `cmp-budget-${i}` },
          body: {
            segment: 'budget-e2e',
            tenureMonths: 6,
            contract: 'prepaid',
            language: 'en',
            consent: { sms: true },
          },
        }),
      ),
    );
    const created = expectAnswer(
      await consumer.admin.post('/v1/campaigns', {
        body: {
          name: 'e2e budget',
          goal: 'take-up',
          audience: { rule: { '==': [{ var: 'profile.segment' }, 'budget-e2e'] } },
          actionIds: ['bundle-upgrade-10gb'],
          channel: 'sms',
          controlGroupPercent: 20,
          pilot: { percent: 100, minUplift: 1 },
          responseWindow: 'P7D',
          budget: { maxContacts: 10 },
        },
      }),
      202,
    );
    const campaign = { path: { campaignId: created.json.campaignId } };
    const read = async () => expectAnswer(await consumer.admin.get('/v1/campaigns/{campaignId}', campaign), 200).json;
    let got = await read();
    const deadline = Date.now() + 25_000;
    while (!['succeeded', 'stopped', 'failed', 'cancelled'].includes(got.status) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      got = await read();
    }
    expect(got.status, JSON.stringify(got)).toBe('stopped');
    expect(got.reason).toBe('budget.maxContacts');
    expect(got.budget).toEqual({ maxContacts: 10 });
    expect(got.spent?.contacts).toBe(10);
    expect(got.report!.total.treatment.contacted).toBe(10);
    const file = join(rt.dir, 'outbound', 'sms.jsonl');
    const lines = readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .filter((m) => m.reason?.id === created.json.campaignId);
    expect(lines.length).toBe(10);
  }, 60_000);

  it('sends each member its sticky message variant and reports both variants of a two-variant campaign', async () => {
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        consumer.admin.put('/v1/customers/{customerId}', {
          path: { customerId: `cmp-variant-${i}` },
          body: { segment: 'variant-e2e', contract: 'prepaid', language: 'en', consent: { sms: true } },
        }),
      ),
    );
    const created = expectAnswer(
      await consumer.admin.post('/v1/campaigns', {
        body: {
          name: 'e2e variants',
          goal: 'take-up',
          audience: { rule: { '==': [{ var: 'profile.segment' }, 'variant-e2e'] } },
          actionIds: ['variant-e2e'],
          channel: 'sms',
          controlGroupPercent: 20,
          pilot: { percent: 100, minUplift: 1 },
          responseWindow: 'P7D',
        },
      }),
      202,
    );
    const campaign = { path: { campaignId: created.json.campaignId } };
    const read = async () => expectAnswer(await consumer.admin.get('/v1/campaigns/{campaignId}', campaign), 200).json;
    let got = await read();
    const deadline = Date.now() + 25_000;
    while (!['succeeded', 'stopped', 'failed', 'cancelled'].includes(got.status) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      got = await read();
    }
    expect(['succeeded', 'stopped'], JSON.stringify(got)).toContain(got.status);
    const pilot = got.report!.phases.pilot!;
    const reported = pilot.variants ?? [];
    expect(reported.map((v) => [v.actionId, v.variantId])).toEqual([
      ['variant-e2e', 'A'],
      ['variant-e2e', 'B'],
    ]);
    expect(reported.reduce((n, v) => n + v.contacted, 0)).toBe(pilot.treatment.contacted);
    for (const v of reported) expect(v).toMatchObject({ responseRate: 0, uplift: { upliftPoints: 0 } });
    const csv = await consumer.admin.get('/v1/campaigns/{campaignId}', { ...campaign, accept: 'text/csv' });
    expect(csv.text).toContain('pilot,variant:variant-e2e/B,');

    const sent = readFileSync(join(rt.dir, 'outbound', 'sms.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .filter((m) => m.reason?.id === created.json.campaignId);
    const counts = { A: 0, B: 0 } as Record<string, number>;
    for (const m of sent) {
      expect(m.text).toBe(m.variantId === 'B' ? 'Variant B: 10 GB more for R99' : 'Variant A: 10 GB for R99');
      counts[m.variantId] = (counts[m.variantId] ?? 0) + 1;
    }
    expect(counts).toEqual(Object.fromEntries(reported.map((v) => [v.variantId, v.contacted])));
  }, 60_000);

  it('starts a scheduled campaign on the platform clock, keeps the run, and cancels the runs to come', async () => {
    const spec = {
      name: 'e2e daily',
      goal: 'take-up' as const,
      audience: { customerIds: Array.from({ length: 10 }, (_, i) => `cmp-e2e-${i}`) },
      actionIds: ['bundle-upgrade-10gb'],
      channel: 'sms' as const,
      controlGroupPercent: 20,
      pilot: { percent: 100, minUplift: 1 },
      responseWindow: 'PT1H',
    };
    const read = async (campaignId: string) =>
      expectAnswer(await consumer.admin.get('/v1/campaigns/{campaignId}', { path: { campaignId } }), 200).json;
    const cancel = async (campaignId: string) =>
      expectAnswer(await consumer.admin.post('/v1/campaigns/{campaignId}/cancel', { path: { campaignId } }), 200).json;
    // far ahead: it waits `scheduled`, its createdAt reads the platform clock, and it cancels from there
    const later = expectAnswer(
      await consumer.admin.post('/v1/campaigns', {
        body: { ...spec, schedule: { startAt: '2030-01-01T06:00:00Z', repeat: 'weekly' } },
      }),
      202,
    ).json;
    expect(later.status).toBe('scheduled');
    const waiting = await read(later.campaignId);
    expect(waiting).toMatchObject({ status: 'scheduled', nextRunAt: '2030-01-01T06:00:00.000Z' });
    expect((await cancel(later.campaignId)).status).toBe('cancelled');

    const startAt = new Date(Date.parse(waiting.createdAt) + 2000).toISOString();
    const daily = expectAnswer(
      await consumer.admin.post('/v1/campaigns', { body: { ...spec, schedule: { startAt, repeat: 'daily' } } }),
      202,
    ).json;
    expect(daily.status).toBe('scheduled');
    let got = await read(daily.campaignId);
    const deadline = Date.now() + 20_000;
    while (!['succeeded', 'stopped', 'failed'].includes(got.runs?.[0]?.status ?? '') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      got = await read(daily.campaignId);
    }
    // run 1 started at startAt and ended; the campaign waits for tomorrow's run at the same time
    expect(got.status, JSON.stringify(got)).toBe('scheduled');
    expect(got.runs?.[0]).toMatchObject({ runId: 'run-1', startedAt: expect.any(String) });
    expect(Date.parse(got.runs![0]!.startedAt)).toBeGreaterThanOrEqual(Date.parse(startAt));
    expect(got.nextRunAt).toBe(new Date(Date.parse(startAt) + 86_400_000).toISOString());
    expect(got.runs![0]!.report).toBeDefined();
    expect((await cancel(daily.campaignId)).status).toBe('cancelled');
    expect((await read(daily.campaignId)).nextRunAt).toBeUndefined();
  }, 60_000);
  it('takes an uploaded audience: PUT to the upload URL, ready on GET, previewed as any audience', async () => {
    const ids = Array.from({ length: 30 }, (_, i) => `aud-e2e-${i}`);
    await Promise.all(
      ids.slice(0, 20).map((id) =>
        consumer.admin.put('/v1/customers/{customerId}', {
          path: { customerId: id },
          body: {
            segment: 'youth',
            tenureMonths: 6,
            monthlyCharge: 60,
            contract: 'prepaid',
            products: ['phone'],
            language: 'en',
            consent: { sms: true },
          },
        }),
      ),
    );
    const created = expectAnswer(await consumer.admin.post('/v1/audiences', {}), 201).json;
    // the local runtime's stand-in for a presigned S3 PUT: the URL alone grants the upload
    const put = await fetch(created.uploadUrl, { method: 'PUT', body: `customerId\n${ids.join('\n')}\nnot an id\n` });
    expect(put.status).toBe(200);
    const audience = { path: { audienceId: created.audienceId } };
    let got = expectAnswer(await consumer.admin.get('/v1/audiences/{audienceId}', audience), 200).json;
    while (got.status === 'processing')
      got = expectAnswer(await consumer.admin.get('/v1/audiences/{audienceId}', audience), 200).json;
    expect(got).toMatchObject({ status: 'ready', size: 30, rejected: 1 });
    // kept the market's retention.audienceDays (the demo's default 90) from its creation
    expect(got.retainedUntil).toBe(new Date(Date.parse(got.createdAt) + 90 * 86_400_000).toISOString());
    expect((await enterprise.admin.get('/v1/audiences/{audienceId}', audience)).status).toBe(404);
    const preview = expectAnswer(
      await consumer.admin.post('/v1/campaigns/preview', {
        body: {
          name: 'e2e uploaded',
          goal: 'take-up',
          audience: { audienceId: created.audienceId },
          actionIds: ['bundle-upgrade-10gb'],
          channel: 'sms',
          controlGroupPercent: 25,
          pilot: { percent: 50, minUplift: 1 },
          responseWindow: 'P7D',
        },
      }),
      200,
    ).json;
    // the 10 listed ids without a profile are nobody
    expect(preview.audience).toBe(20);
  });

  it('pilots in one region, measures it against its own control, then rolls out to the rest of the audience', async () => {
    const north = Array.from({ length: 100 }, (_, i) => `cmp-north-${i}`);
    const south = Array.from({ length: 20 }, (_, i) => `cmp-south-${i}`);
    const put = (customerId: string, region: string) =>
      consumer.admin.put('/v1/customers/{customerId}', {
        path: { customerId },
        body: {
          segment: 'region-e2e',
          contract: 'prepaid',
          language: 'en',
          consent: { sms: true },
          attributes: { region },
        },
      });
    for (const r of await Promise.all([...north.map((id) => put(id, 'north')), ...south.map((id) => put(id, 'south'))]))
      expect(r.status).toBe(201);
    const created = expectAnswer(
      await consumer.admin.post('/v1/campaigns', {
        body: {
          name: 'e2e region pilot',
          goal: 'take-up',
          audience: { rule: { '==': [{ var: 'profile.segment' }, 'region-e2e'] } },
          actionIds: ['bundle-upgrade-10gb'],
          channel: 'sms',
          controlGroupPercent: 50,
          pilot: { where: { '==': [{ var: 'profile.attributes.region' }, 'north'] }, minUplift: 5 },
          // waits divide by the runtime's time scale (1e7): each phase waits 1.5 s, time to answer for the pilot
          // (the longest window the demo market's decision log allows: retention.decisionLogDays 180)
          responseWindow: 'P180D',
        },
      }),
      202,
    );
    const campaignId = created.json.campaignId;
    const campaign = { path: { campaignId } };
    type Progress = { startedAt?: string; measuredAt?: string; verdict?: { rollOut: boolean; reason: string } };
    const read = async () => expectAnswer(await consumer.admin.get('/v1/campaigns/{campaignId}', campaign), 200).json;
    const phase = (got: Awaited<ReturnType<typeof read>>, p: string) => got.phases?.[p] as Progress | undefined;
    let got = await read();
    const deadline = Date.now() + 40_000;
    while (!phase(got, 'pilot')?.startedAt && got.status === 'running' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      got = await read();
    }
    const pilotStart = phase(got, 'pilot')?.startedAt;
    expect(pilotStart, JSON.stringify(got)).toBeDefined();
    // the pilot's treatment takes the offer within its response window; its control does not
    const takers = north.filter((id) => campaignGroup('consumer', campaignId, id, 50) === 'treatment');
    // the platform clock itself runs at real speed: a second into the pilot is inside its window
    const occurredAt = new Date(Date.parse(pilotStart!) + 1000).toISOString();
    const sent = expectAnswer(
      await consumer.channel.post('/v1/events', {
        body: {
          events: takers.map((customerId) => ({
            eventId: `take-${campaignId}-${customerId}`,
            customerId,
            type: 'offer.response' as const,
            occurredAt,
            data: { actionId: 'bundle-upgrade-10gb', response: 'accepted' as const },
          })),
        },
      }),
      202,
    );
    expect(sent.json.accepted).toBe(takers.length);
    while (!['succeeded', 'stopped', 'failed', 'cancelled'].includes(got.status) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      got = await read();
    }
    expect(got.status, JSON.stringify(got)).toBe('succeeded');
    expect(got.counts).toMatchObject({
      audience: north.length + south.length,
      pilot: north.length,
      rollout: south.length,
    });
    const pilot = got.report!.phases.pilot!;
    const rollout = got.report!.phases.rollout!;
    expect(pilot.treatment.audience).toBe(takers.length);
    expect(pilot.control.audience + pilot.treatment.audience).toBe(north.length);
    expect(rollout.control.audience + rollout.treatment.audience).toBe(south.length);
    expect(pilot.treatment.responded).toBe(takers.length);
    expect(pilot.control.responded).toBe(0);
    expect(phase(got, 'pilot')?.verdict?.rollOut).toBe(true);
    // the roll-out starts only after the pilot was measured
    expect(Date.parse(phase(got, 'rollout')!.startedAt!)).toBeGreaterThanOrEqual(
      Date.parse(phase(got, 'pilot')!.measuredAt!),
    );
    const contacted = readFileSync(join(rt.dir, 'outbound', 'sms.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .filter((m) => m.reason?.id === campaignId)
      .map((m) => m.customerId as string);
    expect(contacted.filter((id) => north.includes(id)).length).toBe(pilot.treatment.contacted);
    expect(contacted.filter((id) => south.includes(id)).length).toBe(rollout.treatment.contacted);
    expect(contacted.every((id) => campaignGroup('consumer', campaignId, id, 50) === 'treatment')).toBe(true);
  }, 60_000);
});
