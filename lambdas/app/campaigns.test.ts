import { describe, expect, it } from 'vitest';
import { noLedger } from '#domain/contact-ledger.ts';
import type { Action } from '#domain/action.ts';
import type { CampaignRecord, CampaignSpec, CampaignStatus } from '#domain/campaign/campaign.ts';
import type { CampaignStore } from '#domain/campaign/ports.ts';
import { fixedClock } from '#domain/clock.ts';
import type { CustomerRecord } from '#domain/customer.ts';
import type { ChannelConnection } from '#domain/delivery/connection.ts';
import type { ActionCatalog } from '#domain/ports/catalog.ts';
import type { CustomerRepo } from '#domain/ports/customers.ts';
import type { ProfileScan } from '#domain/ports/scoring.ts';
import { controlCampaign, createCampaign, getCampaign, previewCampaign, type CampaignPorts } from './campaigns.ts';

class MemoryCampaigns implements Partial<CampaignStore> {
  readonly records = new Map<string, CampaignRecord>();
  async create(_t: string, r: CampaignRecord) {
    this.records.set(r.campaignId, r);
  }
  async get(_t: string, id: string) {
    return this.records.get(id);
  }
  async update(_t: string, id: string, patch: Partial<CampaignRecord>, ifStatusIn?: CampaignStatus[]) {
    const r = this.records.get(id);
    if (!r || (ifStatusIn && !ifStatusIn.includes(r.status))) return false;
    this.records.set(id, { ...r, ...patch });
    return true;
  }
}

const action: Action = {
  actionId: 'a1',
  name: 'A',
  kind: 'offer',
  treatments: { sms: { templateKey: 'a', text: { en: 'A' } } },
  eligibility: true,
  propensity: { starting: 0.1 },
  value: 1,
  lever: 1,
  limits: { perCustomer: [] },
};
const customers: CustomerRecord[] = Array.from(
  { length: 100 },
  (_, i) => ({ customerId: `m${i}`, tenureMonths: i, consent: { sms: i % 2 === 0 } }) as unknown as CustomerRecord,
);

function ports() {
  const campaigns = new MemoryCampaigns();
  const started: string[] = [];
  const p: CampaignPorts = {
    campaigns: campaigns as unknown as CampaignStore,
    catalog: { get: async (_t, id) => (id === 'a1' ? action : undefined) } as ActionCatalog,
    starter: {
      start: async ({ campaignId }) => {
        started.push(campaignId);
        return { executionId: `x-${campaignId}` };
      },
    },
    customers: { load: async () => ({ ledger: noLedger(), contacts: [] }) } as unknown as CustomerRepo,
    scan: {
      scanSegment: async function* (_t, s, n) {
        for (const c of customers)
          if (Number(c.customerId.slice(1)) % n === s) yield { customerId: c.customerId, record: c };
      },
    } as ProfileScan,
    clock: fixedClock('2025-03-12T08:00:00Z'),
    randomId: () => 'abcdefgh1234',
    policy: {
      timeZone: 'UTC',
      quietHours: { start: '20:00', end: '06:00' },
      outboundChannels: ['sms'],
      perChannel: {},
      declineSuppressionDays: 30,
      mandatoryExempt: true,
    },
    previewSegments: 3,
  };
  return { p, campaigns, started };
}

const spec: CampaignSpec = {
  name: 'n',
  goal: 'take-up',
  audience: { rule: { '<': [{ var: 'profile.tenureMonths' }, 40] } },
  actionIds: ['a1'],
  channel: 'sms',
  controlGroupPercent: 20,
  pilot: { percent: 10, minUplift: 1 },
  responseWindow: 'P7D',
};

describe('campaign use cases', () => {
  it('previews the audience and suppression by consent without starting anything', async () => {
    const { p, started } = ports();
    const preview = await previewCampaign(p)('acme', spec);
    expect(preview.audience).toBe(40);
    expect(preview.control + preview.treatment).toBe(40);
    expect(preview.suppressedByPolicy['no-consent']).toBeGreaterThan(0);
    expect(preview.suppressedByPolicy['no-consent']).toBeLessThanOrEqual(preview.treatment);
    expect(started).toHaveLength(0);
  });

  it('starts the workflow for a new campaign and remembers the execution', async () => {
    const { p, campaigns, started } = ports();
    const { campaignId, status } = await createCampaign(p)('acme', spec);
    expect(status).toBe('running');
    expect(started).toEqual([campaignId]);
    expect(campaigns.records.get(campaignId)?.executionId).toBe(`x-${campaignId}`);
  });

  it('audits a list audience by its size, so no campaign entry names a customer', async () => {
    const { p } = ports();
    const entries: { what: string; after?: unknown }[] = [];
    p.audit = { record: async (e) => void entries.push(e), list: async () => ({ items: [] }) };
    await createCampaign(p)('acme', { ...spec, audience: { customerIds: ['m1', 'm2', 'm3'] } });
    expect(entries.map((e) => e.what)).toEqual(['campaign.started']);
    expect(entries[0]!.after).toMatchObject({ audience: { customerIdCount: 3 } });
    expect(JSON.stringify(entries)).not.toMatch(/"m[123]"/);
  });

  it('names the unknown action and a channel without treatment', async () => {
    const { p } = ports();
    await expect(createCampaign(p)('acme', { ...spec, actionIds: ['a1', 'zz'] })).rejects.toMatchObject({
      errors: [{ field: 'actionIds.1' }],
    });
    await expect(createCampaign(p)('acme', { ...spec, channel: 'app' })).rejects.toMatchObject({
      errors: [{ field: 'actionIds.0' }],
    });
  });

  it('refuses a response window longer than the decision log keeps decisions, naming both', async () => {
    const { p, started } = ports();
    p.decisionLogDays = 32;
    const refused = createCampaign(p)('acme', { ...spec, responseWindow: 'P45D' });
    await expect(refused).rejects.toMatchObject({
      errors: [
        {
          field: 'responseWindow',
          message: expect.stringMatching(/^45 days is longer .* \(retention.decisionLogDays: 32 days\)/),
        },
      ],
    });
    await expect(previewCampaign(p)('acme', { ...spec, responseWindow: 'P45D' })).rejects.toThrow(/cannot run/);
    expect(started).toHaveLength(0);
    expect((await createCampaign(p)('acme', { ...spec, responseWindow: 'P32D' })).status).toBe('running');
  });

  it('pauses, resumes and cancels, and refuses to touch a finished campaign', async () => {
    const { p, campaigns } = ports();
    const { campaignId } = await createCampaign(p)('acme', spec);
    const move = controlCampaign(p);
    expect((await move('acme', campaignId, 'pause')).status).toBe('paused');
    expect((await move('acme', campaignId, 'pause')).status).toBe('paused');
    expect((await move('acme', campaignId, 'resume')).status).toBe('running');
    expect((await move('acme', campaignId, 'cancel')).status).toBe('cancelled');
    await expect(move('acme', campaignId, 'resume')).rejects.toMatchObject({ code: 'conflict' });
    campaigns.records.set('done', { ...campaigns.records.get(campaignId)!, campaignId: 'done', status: 'succeeded' });
    await expect(move('acme', 'done', 'pause')).rejects.toMatchObject({ code: 'conflict' });
    await expect(getCampaign(p)('acme', 'missing')).rejects.toMatchObject({ code: 'not-found' });
  });
});

describe('the sending cost in a preview', () => {
  const smsSettings = {
    type: 'sms',
    originationIdentity: 'CVMDEMO',
    configurationSetName: 'cvm',
    phoneAttribute: 'msisdn',
  } as const;
  const withSending = (
    settings: ChannelConnection['settings'] | undefined,
    country: string | undefined = 'ZA',
    text = 'A',
    numberOf?: (customerId: string) => string,
  ) => {
    const { p } = ports();
    if (numberOf) {
      const scan = p.scan.scanSegment;
      p.scan = {
        ...p.scan,
        scanSegment: async function* (t, s, n) {
          for await (const c of scan(t, s, n))
            yield { ...c, record: { ...c.record, attributes: { msisdn: numberOf(c.customerId) } } };
        },
      } as ProfileScan;
    }
    p.catalog = {
      get: async (_t, id) =>
        id === 'a1' ? { ...action, treatments: { sms: { templateKey: 'a', text: { en: text } } } } : undefined,
    } as ActionCatalog;
    p.sending = {
      connections: {
        get: async () =>
          settings ? { channel: 'sms', settings, version: 1, createdAt: '', updatedAt: '' } : undefined,
      },
      defaultLanguage: 'en',
      ...(country ? { country } : {}),
    };
    return previewCampaign(p)('acme', spec);
  };

  it("prices each allowed message's SMS segments at the market country's price and adds it to the total", async () => {
    const preview = await withSending(smsSettings, 'ZA', 'x'.repeat(200)); // 200 GSM-7 characters: 2 segments
    const allowed = preview.treatment - (preview.suppressedByPolicy['no-consent'] ?? 0);
    expect(allowed).toBeGreaterThan(0);
    expect(preview.estimatedCost.sending).toMatchObject({
      channel: 'sms',
      connectionType: 'sms',
      messages: allowed,
      units: 2 * allowed,
      unitUsd: 0.1,
      country: 'ZA',
    });
    expect(preview.estimatedCost.sending!.usd).toBeCloseTo(0.2 * allowed, 6);
    expect(preview.estimatedCost.usd).toBeCloseTo(preview.estimatedCost.platformUsd + 0.2 * allowed, 4);
  });

  it('has no AWS sending cost when the operator sends (a webhook, or the default hand-off queue)', async () => {
    for (const settings of [{ type: 'webhook', url: 'https://gw.example.com', timeoutMs: 5000 } as const, undefined]) {
      const preview = await withSending(settings);
      expect(preview.estimatedCost.sending).toMatchObject({ units: 0, usd: 0 });
      expect(preview.estimatedCost.sending!.note).toMatch(/sends through the operator/);
      expect(preview.estimatedCost.usd).toBe(preview.estimatedCost.platformUsd);
    }
  });

  it('says so when the market country has no SMS price, and prices e-mail per message', async () => {
    const unpriced = await withSending(smsSettings, 'IR');
    expect(unpriced.estimatedCost.sending).toMatchObject({
      usd: 0,
      note: expect.stringMatching(
        /not estimated \(destination country unknown, and none for the market's country IR\)/,
      ),
    });
    expect(unpriced.estimatedCost.sending!.unitUsd).toBeUndefined();
    const email = await withSending({
      type: 'email',
      fromAddress: 'o@cvm.example.com',
      configurationSetName: 'cvm',
      addressAttribute: 'email',
    });
    expect(email.estimatedCost.sending).toMatchObject({ unitUsd: 0.0001 });
    expect(email.estimatedCost.sending!.units).toBe(email.estimatedCost.sending!.messages);
  });

  it("prices each member's segments at their number's country, and at the market's, flagged, where it has no price", async () => {
    // every third member has a UK number, every third a Zimbabwean one (no price, so no calling code either), the rest South African
    const numberOf = (id: string) =>
      [`+27821${id.slice(1).padStart(6, '0')}`, `+447700${id.slice(1).padStart(6, '0')}`, '+263771234567'][
        Number(id.slice(1)) % 3
      ]!;
    const preview = await withSending(smsSettings, 'ZA', 'A', numberOf);
    const sending = preview.estimatedCost.sending!;
    const byCountry = Object.fromEntries(sending.byDestination!.map((d) => [d.country ?? 'unknown', d]));
    expect(Object.keys(byCountry).sort()).toEqual(['GB', 'ZA', 'unknown']);
    expect(byCountry['GB']).toMatchObject({ pricedAs: 'GB', unitUsd: 0.05 });
    expect(byCountry['unknown']).toMatchObject({
      pricedAs: 'ZA',
      unitUsd: 0.1,
      fallback: 'destination country unknown: priced as ZA',
    });
    expect(byCountry['ZA']!.fallback).toBeUndefined();
    expect(sending.byDestination!.reduce((n, d) => n + d.units, 0)).toBe(sending.units);
    expect(sending.usd).toBeCloseTo(
      0.1 * (byCountry['ZA']!.units + byCountry['unknown']!.units) + 0.05 * byCountry['GB']!.units,
      4,
    );
    // two prices: no single one
    expect(sending.unitUsd).toBeUndefined();
    expect(sending.note).toMatch(/by the destination country of each member's number/);
  });
});
