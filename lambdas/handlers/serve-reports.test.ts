import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '#domain/api-key.ts';
import { documentClient } from '#adapters/dynamo/client.ts';
import { actionItem } from '#adapters/dynamo/action-catalog.ts';
import { DynamoDecisionLog } from '#adapters/dynamo/decision-log.ts';
import { offeredDecisionOf } from '#domain/decisioning/decision-record.ts';
import { experimentGroup } from '#domain/decisioning/experiments.ts';
import { xmlProblems } from '#domain/reports/well-formed-xml.ts';
import { periodOf } from '#domain/reports/report.ts';
import { invoker, type Invoke } from '../test-support/api-event.ts';
import { aDecisionRecord } from '../test-support/decision-records.ts';
import { testTables, type TestTables } from '../test-support/dynamo.ts';

let t: TestTables;
let reports: Invoke;
let build: (event?: { tenant?: string }) => Promise<Array<{ tenant: string; customers: number; snapshots: number }>>;
const acmeAdmin: Caller = { tenant: 'acme', scope: 'admin', keyId: 'acme-admin' };
const acmeChannel: Caller = { tenant: 'acme', scope: 'channel', keyId: 'acme-channel' };
const globexAdmin: Caller = { tenant: 'globex', scope: 'admin', keyId: 'globex-admin' };
const now = new Date();
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000).toISOString();
const month = periodOf(now, 'month', 'UTC');
/** Half the base in the global control group: a-0, a-2, a-3, a-6 and a-7 with this id. */
const experiments = { id: 'global-2', controlPercent: 50, challengerPercent: 20 };

beforeAll(async () => {
  t = await testTables();
  Object.assign(process.env, t.env, {
    REPORT_SEGMENTS: '3',
    REPORT_MIN_FLAG_COUNT: '2',
    EXPERIMENTS: JSON.stringify(experiments),
  });
  const db = documentClient({ endpoint: t.endpoint });
  const put = (tenant: string, item: Record<string, unknown>) =>
    db.send(new PutCommand({ TableName: t.tenantTables[tenant]!, Item: item }));
  const log = new DynamoDecisionLog(db, {
    tenant: (tenant) => t.tenantTables[tenant]!,
    decisions: (tenant) => t.decisionTables[tenant]!,
  });
  const profile = (id: string, monthlyCharge: number, segment = 'youth') => ({
    pk: `C#${id}`,
    sk: 'P',
    kind: 'profile',
    customerId: id,
    version: 1,
    createdAt: hoursAgo(1),
    updatedAt: hoursAgo(1),
    segment,
    monthlyCharge,
    tenureMonths: 5,
  });
  await put(
    'acme',
    actionItem({
      actionId: 'bundle-upgrade-10gb',
      name: 'Bundle',
      kind: 'offer',
      treatments: {},
      eligibility: true,
      propensity: { starting: 0.1 },
      value: 60,
      lever: 1,
      limits: { perCustomer: [] },
    }),
  );
  for (let i = 0; i < 12; i++) {
    const id = `a-${i}`;
    await put('acme', profile(id, 50 + i));
    const churned = i < 3;
    await put('acme', {
      pk: `C#${id}`,
      sk: 'S',
      kind: 'state',
      version: 1,
      status: churned ? 'churned' : 'active',
      spend30d: { value: 0 },
      careContacts30d: 1,
      unresolvedContacts30d: i % 2,
      acquisition: {
        at: hoursAgo(2),
        channel: 'retail',
        tariff: 'smart',
        dealer: churned ? 'd-bad' : 'd-good',
        eventId: `e${i}`,
      },
      ...(churned ? { churn: { at: hoursAgo(1), reason: 'price', eventId: `c${i}` } } : {}),
    });
    // the decision and its response, through the decision log as the decisions function writes them
    const control = i % 4 === 0;
    const decision = aDecisionRecord(id, hoursAgo(1), control ? {} : { 'bundle-upgrade-10gb': 'offer' }, {
      channel: 'ussd',
      experiment: { id: 'global-1', group: control ? 'control' : 'champion' },
    });
    await log.record('acme', decision);
    if (!control && i % 2)
      await log.recordResponse('acme', offeredDecisionOf(decision), 'bundle-upgrade-10gb', 'accepted', hoursAgo(0.5));
  }
  // a decision of another month stays out of this month's reports
  await log.record('acme', aDecisionRecord('a-1', '2020-01-15T10:00:00.000Z', { 'bundle-upgrade-10gb': 'offer' }));
  // a trigger contact is history, not a decision: the decisions report leaves it out
  await put('acme', {
    pk: 'C#a-5',
    sk: `H#${hoursAgo(1)}#trg-1`,
    id: 'trg-1',
    at: hoursAgo(1),
    channel: 'sms',
    source: 'trigger',
    actionId: 'bundle-upgrade-10gb',
    kind: 'offer',
  });
  await put('globex', profile('g-1', 99, 'enterprise'));
  reports = invoker((await import('./serve-reports.ts')).handler as never);
  build = (await import('./build-reports.ts')).handler as typeof build;
});

const get = (
  name: string,
  query: Record<string, string> = {},
  caller: Caller | null = acmeAdmin,
  headers: Record<string, string> = {},
) => reports({ method: 'GET', path: `/v1/reports/${name}`, query, caller, headers });

describe('GET /v1/reports/{name}', () => {
  it('answers an empty list of periods before the job has run', async () => {
    const res = await get('kpis');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ report: 'kpis', granularity: 'month', periods: [] });
  });

  it('reads the snapshots the build-reports job stored from one scan of each tenant table', async () => {
    const built = await build();
    expect(built.map((b) => [b.tenant, b.customers])).toEqual([
      ['acme', 12],
      ['globex', 1],
    ]);
    const res = await get('kpis');
    expect(res.status).toBe(200);
    expect(res.json.periods).toHaveLength(1);
    expect(res.json.periods[0]).toMatchObject({
      period: month,
      summary: {
        customers: 12,
        activeBase: 9,
        churned: 3,
        churnRate: 0.25,
        offers: 9,
        accepted: 6,
        offerRevenue: 360,
        careContacts: 12,
        firstContactResolution: 0.5,
      },
    });
    const decisions = await get('decisions', { groupBy: 'group' });
    expect(decisions.json.periods[0].summary).toMatchObject({ decisions: 12, offers: 9 });
    expect(decisions.json.periods[0].rows.every((r: { dimension: string }) => r.dimension === 'group')).toBe(true);
  });

  it('compares the global control group with everyone else (programme): JSON, CSV and an SVG of the intervals', async () => {
    // the fixture: a-0..a-11, a-0..a-2 churned this month, a-1, a-3, ... a-11 accepted a decision's offer
    const control = Array.from({ length: 12 }, (_, i) => i).filter(
      (i) => experimentGroup('acme', `a-${i}`, experiments) === 'control',
    );
    const arms = {
      control,
      others: Array.from({ length: 12 }, (_, i) => i).filter((i) => !control.includes(i)),
    };
    expect(arms.control.length).toBeGreaterThan(0);
    expect(arms.others.length).toBeGreaterThan(0);
    const res = await get('programme', { groupBy: 'group' });
    expect(res.status).toBe(200);
    const p = res.json.periods[0];
    expect(p.summary).toMatchObject({ controlCustomers: arms.control.length, othersCustomers: arms.others.length });
    for (const [arm, ids] of Object.entries(arms))
      expect(p.rows.find((r: { value: string }) => r.value === arm)).toMatchObject({
        dimension: 'group',
        customers: ids.length,
        base: ids.length,
        churned: ids.filter((i) => i < 3).length,
        takers: ids.filter((i) => i % 2 === 1).length,
      });
    const takeUp = (ids: number[]) => ids.filter((i) => i % 2 === 1).length / ids.length;
    expect(p.summary.offerTakeUpDifference).toBeCloseTo((takeUp(arms.others) - takeUp(arms.control)) * 100, 1);
    expect(p.summary.offerTakeUpCi95Low).toBeLessThan(p.summary.offerTakeUpDifference);
    expect(p.summary.offerTakeUpCi95High).toBeGreaterThan(p.summary.offerTakeUpDifference);

    const csv = await get('programme', { format: 'csv', groupBy: 'metric' });
    const lines = csv.raw.trim().split('\r\n');
    expect(lines[0]).toMatch(
      /^period,dimension,value,unit,control,others,difference,ci95Low,ci95High,controlN,othersN,/,
    );
    expect(lines.filter((l: string) => l.startsWith(`${month},metric,`))).toHaveLength(4);
    const svg = await get('programme', { format: 'svg' });
    expect(svg.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(xmlProblems(svg.raw)).toEqual([]);
    expect(svg.raw).toContain('>offerTakeUp</text>');
  });

  it('flags the dealer whose customers left within days', async () => {
    const res = await get('acquisition-quality', { groupBy: 'dealer', granularity: 'day' });
    const bad = res.json.periods[0].rows.find((r: { value: string }) => r.value === 'd-bad');
    expect(bad).toMatchObject({ acquired: 3, churnShare30d: 1, flagged: 1 });
  });

  it('selects periods between from and to', async () => {
    expect(
      (await get('kpis', { from: month, to: month })).json.periods.map((p: { period: string }) => p.period),
    ).toEqual([month]);
    expect((await get('kpis', { from: '2020-01', to: '2020-12' })).json.periods).toEqual([]);
  });

  it('answers CSV to Accept: text/csv', async () => {
    const res = await get('exit-reasons', {}, acmeAdmin, { accept: 'text/csv' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const lines = res.raw.trim().split('\r\n');
    expect(lines[0]).toBe('period,dimension,value,churned,share,monthlyRevenueLost');
    expect(lines).toContain(`${month},reason,price,3,1,153`);
  });

  it('draws an SVG chart for ?format=svg with the values as text', async () => {
    const res = await get('exit-reasons', { format: 'svg', groupBy: 'reason' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(xmlProblems(res.raw)).toEqual([]);
    expect(res.raw).toContain('>reason: price</text>');
    expect(res.raw).toContain('>3</text>');
  });

  it('answers 404 for an unknown report and 400 naming the bad parameter', async () => {
    const unknown = await get('profit');
    expect(unknown.status).toBe(404);
    expect(unknown.headers['content-type']).toMatch(/problem\+json/);
    const cases: Array<[Record<string, string>, string]> = [
      [{ from: '2026-13' }, 'from'],
      [{ from: '2026-02-30' }, 'from'],
      [{ from: '2026-02-29' }, 'from'],
      [{ to: '2026-04-31' }, 'to'],
      [{ from: '2026-1-5' }, 'from'],
      [{ to: '20260105' }, 'to'],
      [{ from: '2026-01-05T00:00:00Z' }, 'from'],
      [{ from: '2026-11', to: '2026-10' }, 'to'],
      [{ groupBy: 'colour' }, 'groupBy'],
      [{ groupBy: 'dealer' }, 'groupBy'],
      [{ granularity: 'year' }, 'granularity'],
      [{ format: 'pdf' }, 'format'],
      [{ colour: 'red' }, 'colour'],
    ];
    for (const [query, field] of cases) {
      const res = await get('kpis', query);
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(res.json.errors.map((e: { field: string }) => e.field).join(' ')).toContain(field);
    }
  });

  it('shows a tenant only its own reports, and only to admin keys', async () => {
    const globex = await get('kpis', {}, globexAdmin);
    expect(globex.json.periods[0].summary).toMatchObject({ customers: 1, activeBase: 1, arpu: 99 });
    expect(JSON.stringify(globex.json)).not.toMatch(/youth|d-bad/);
    expect((await get('kpis', {}, acmeChannel)).status).toBe(403);
    expect((await get('kpis', {}, null)).status).toBe(401);
  });
});
