import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { experimentGroup } from '#domain/decisioning/experiments.ts';
import { loadMarket } from '#config/markets/index.ts';
import { expectAnswer } from '../scripts/lib/api/api-client.ts';
import { startLocal, type StartedRuntime } from '../scripts/local/npm-start.ts';
import { type TenantApi, tenantApi } from './support/tenant-api.ts';

let rt: StartedRuntime;
let consumer: TenantApi;
let enterprise: TenantApi;
const experiments = loadMarket('demo').decisioning.experiments;

beforeAll(async () => {
  // 10:00 in Johannesburg: outside quiet hours
  rt = await startLocal({ CVM_NOW: '2025-03-12T08:00:00Z' });
  consumer = tenantApi(rt, 'consumer');
  enterprise = tenantApi(rt, 'enterprise');
});

afterAll(async () => {
  if (rt && rt.child.exitCode === null) await rt.interrupt();
});

const idIn = (group: string, prefix: string) => {
  for (let i = 0; ; i++)
    if (experimentGroup('consumer', `${prefix}${i}`, experiments) === group) return `${prefix}${i}`;
};
const profile = {
  segment: 'youth',
  tenureMonths: 30,
  monthlyCharge: 85,
  contract: 'month-to-month' as const,
  products: ['phone', 'internet-fiber'],
  language: 'en',
  consent: { app: true, sms: true, ussd: true, 'call-centre': true },
};
const putProfile = (customerId: string) =>
  consumer.admin.put('/v1/customers/{customerId}', { path: { customerId }, body: profile });
const decide = (api: TenantApi, customerId: string, channel: 'app' | 'call-centre', limit?: number) =>
  api.channel.post('/v1/decisions', { body: { customerId, channel, ...(limit ? { limit } : {}) } });

describe('decisions over HTTP on the local runtime', () => {
  it('serves the seeded demo catalog to the admin key', async () => {
    const list = expectAnswer(await consumer.admin.get('/v1/actions'), 200);
    expect(list.json.items.map((a) => a.actionId)).toEqual(
      expect.arrayContaining(['care-health-check-call', 'bigger-bundle-offer', 'network-fix-info']),
    );
  });

  it('does not bring a declined offer back within the suppression window', async () => {
    const id = idIn('champion', '2782100');
    expect((await putProfile(id)).status).toBe(201);
    const first = expectAnswer(await decide(consumer, id, 'app', 1), 200);
    const offered = first.json.actions[0]!.actionId;
    const declined = await consumer.channel.post('/v1/decisions/{decisionId}/responses', {
      path: { decisionId: first.json.decisionId },
      body: { actionId: offered, response: 'declined' },
    });
    expect(declined.json).toMatchObject({ duplicate: false, response: 'declined' });
    const again = expectAnswer(await decide(consumer, id, 'app', 10), 200);
    expect(again.json.actions.map((a) => a.actionId)).not.toContain(offered);
    expect(again.json.excluded.length).toBeGreaterThan(0);
  });

  it('holds control customers out of marketing', async () => {
    const id = idIn('control', '2782200');
    await putProfile(id);
    const d = expectAnswer(await decide(consumer, id, 'app'), 200);
    expect(d.json).toMatchObject({ experiment: { group: 'control' } });
    expect(d.json.actions.filter((a: { kind: string }) => a.kind === 'offer' || a.kind === 'retention')).toEqual([]);
    expect(d.json.excluded.some((e) => e.reasons.some((r) => r.code === 'control-group'))).toBe(true);
  });

  it("answers 404 to the other tenant's key", async () => {
    const id = idIn('champion', '2782300');
    await putProfile(id);
    const d = expectAnswer(await decide(consumer, id, 'app'), 200);
    expect((await decide(enterprise, id, 'app')).status).toBe(404);
    const foreign = await enterprise.channel.post('/v1/decisions/{decisionId}/responses', {
      path: { decisionId: d.json.decisionId },
      body: { actionId: d.json.actions[0]!.actionId, response: 'accepted' },
    });
    expect(foreign.status).toBe(404);
    expect(
      (await enterprise.admin.get('/v1/actions/{actionId}', { path: { actionId: 'device-upgrade' } })).status,
    ).toBe(200);
  });

  it("lets an action's eligibility read the lifecycle signals of the customer's contract end date", async () => {
    const offer = (actionId: string, eligibility: Record<string, unknown>) =>
      consumer.admin.put('/v1/actions/{actionId}', {
        path: { actionId },
        body: {
          name: actionId,
          kind: 'offer',
          treatments: { app: { templateKey: `offer.${actionId}`, text: { en: 'Renew now and keep your price' } } },
          eligibility,
          propensity: { starting: 0.9 },
          value: 900,
        },
      });
    for (const put of [
      await offer('e2e-renewal-stage', { '==': [{ var: 'signals.lifecycleStage' }, 'renewal'] }),
      // null (no end date) compares as 0 in json-logic, so the rule says it has one
      await offer('e2e-renewal-30-days', {
        and: [
          { '!=': [{ var: 'signals.daysToContractEnd' }, null] },
          { '<=': [{ var: 'signals.daysToContractEnd' }, 30] },
        ],
      }),
    ])
      expect([200, 201]).toContain(put.status);
    // the platform clock is 2025-03-12 in Johannesburg: 20, 60 and 200 days to these end dates
    const renewing = idIn('champion', '2782500');
    const settled = idIn('champion', '2782600');
    const open = idIn('champion', '2782700');
    const early = idIn('champion', '2782800');
    for (const [customerId, contractEndDate] of [
      [renewing, '2025-04-01'],
      [early, '2025-05-11'],
      [settled, '2025-09-28'],
      [open, undefined],
    ] as const)
      expect(
        (
          await consumer.admin.put('/v1/customers/{customerId}', {
            path: { customerId },
            body: { ...profile, ...(contractEndDate ? { contractEndDate } : {}) },
          })
        ).status,
      ).toBe(201);
    const ours = ['e2e-renewal-stage', 'e2e-renewal-30-days'];
    const decided = async (customerId: string) => {
      const d = expectAnswer(await decide(consumer, customerId, 'app', 10), 200).json;
      const logged = await consumer.channel.get('/v1/decisions/{decisionId}', { path: { decisionId: d.decisionId } });
      return { d, logged: expectAnswer(logged, 200).json };
    };
    const yes = await decided(renewing);
    expect(yes.d.actions.map((a) => a.actionId)).toEqual(expect.arrayContaining(ours));
    expect(yes.logged.actions.map((a) => a.actionId)).toEqual(expect.arrayContaining(ours));
    // 60 days ahead is `renewal` but not within 30 days
    const stage = await decided(early);
    expect(stage.d.actions.map((a) => a.actionId)).toContain(ours[0]);
    expect(stage.logged.excluded.find((e) => e.actionId === ours[1])?.code).toBe('not-eligible');
    // 200 days ahead is neither `renewal` nor within 30 days; without an end date the days are null
    for (const customerId of [settled, open]) {
      const no = await decided(customerId);
      for (const actionId of ours) {
        expect(no.d.actions.map((a) => a.actionId)).not.toContain(actionId);
        expect(no.logged.excluded.find((e) => e.actionId === actionId)?.code, `${customerId} ${actionId}`).toBe(
          'not-eligible',
        );
      }
    }
    const stored = expectAnswer(
      await consumer.admin.get('/v1/customers/{customerId}', { path: { customerId: renewing } }),
      200,
    );
    expect(stored.json.contractEndDate).toBe('2025-04-01');
  });

  it('shows the call centre the health check before any offer after three dropped calls', async () => {
    const id = idIn('champion', '2782400');
    await putProfile(id);
    const events = [0, 1, 2].map((i) => ({
      eventId: `drop-${id}-${i}`,
      customerId: id,
      type: 'network.call_dropped' as const,
      occurredAt: new Date(Date.parse('2025-03-12T07:50:00Z') + i * 60_000).toISOString(),
      data: {},
    }));
    expect((await consumer.channel.post('/v1/events', { body: { events } })).status).toBe(202);
    let actions: { actionId: string; kind: string }[] = [];
    for (let i = 0; i < 60; i++) {
      actions = expectAnswer(await decide(consumer, id, 'call-centre'), 200).json.actions;
      if (actions[0]?.actionId === 'care-health-check-call') break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(actions[0]!.actionId).toBe('care-health-check-call');
    expect(actions.every((a) => a.kind !== 'offer')).toBe(true);
  });
});
