import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { applyEvents } from '#domain/customer-state.ts';
import type { CustomerRecord } from '#domain/customer.ts';
import { datasetSchema } from '#domain/datasets/index.ts';
import type { CvmEvent } from '#domain/events.ts';
import { buildReports } from '#domain/reports/build.ts';
import { reportHtml } from '#domain/reports/render.ts';
import type { ReportCustomer, ReportDecision } from '#domain/reports/report.ts';
import { loadPinnedModelsFromDir } from '#adapters/models/file-model-store.ts';
import { fixedClock } from '#domain/clock.ts';
import { Scorer } from '#domain/scoring/scorer.ts';
import { syntheticDay } from '../demo/synthetic-day.ts';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const SCREENSHOT = join(process.cwd(), 'docs', 'report-kpis.png');
const dir = mkdtempSync(join(tmpdir(), 'cvm-report-page-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The demo's day folded into state with the domain itself: the KPI page as the demo would show it. */
async function demoKpiPage(): Promise<string> {
  const now = new Date('2026-11-24T10:00:00Z');
  const rows = parse(readFileSync('data/ibm-telco-churn.train.csv'), { columns: true }) as Record<string, string>[];
  const schema = datasetSchema('ibm-telco');
  const customers: ReportCustomer[] = [];
  const decisions: ReportDecision[] = [];
  const labels: { customerId: string; churnLabel: boolean }[] = [];
  const records = new Map<string, CustomerRecord>();
  rows.slice(0, 1500).forEach((row, i) => {
    const m = schema.toProfile(row, i + 1);
    if (!m.ok) return;
    records.set(m.profile.customerId, {
      ...m.profile,
      version: 1,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    });
    labels.push({ customerId: m.profile.customerId, churnLabel: m.label?.churned ?? false });
  });
  const day = syntheticDay(labels, new Date(now.getTime() - 60_000));
  for (const p of day.newCustomers)
    records.set(p.customerId, { ...p, version: 1, createdAt: now.toISOString(), updatedAt: now.toISOString() });
  const byCustomer = new Map<string, CvmEvent[]>();
  for (const e of day.events)
    byCustomer.set(e.customerId, [...(byCustomer.get(e.customerId) ?? []), e as unknown as CvmEvent]);
  // scores as the nightly score-base would have left them (the demo market's pinned models)
  const scorer = new Scorer(
    await loadPinnedModelsFromDir('models', 'demo', {
      churn: { version: '1' },
      'cross-sell': { version: '1' },
      nps: { version: '1' },
    }),
    fixedClock(now),
  );
  let n = 0;
  for (const [customerId, record] of records) {
    const { state } = applyEvents(undefined, byCustomer.get(customerId) ?? [], now, { dedupeWindowHours: 48 });
    const view = state as unknown as Record<string, unknown>;
    const scores = scorer.score({ profile: record, state: view });
    const offered = n++ % 4 === 0;
    if (offered)
      decisions.push({
        customerId,
        at: '2026-11-24T09:00:00Z',
        channel: 'app',
        group: n % 10 === 1 ? 'control' : 'champion',
        ...(record.segment ? { segment: record.segment } : {}),
        offers:
          n % 10 === 1 ? [] : [{ actionId: 'bundle-upgrade-10gb', ...(n % 3 === 0 ? { response: 'accepted' } : {}) }],
      });
    customers.push({ customerId, record: { ...record, scores }, state: view });
  }
  const snapshots = buildReports(
    customers,
    {
      now,
      timezone: 'Africa/Johannesburg',
      valueTiers: { platinum: 100, gold: 70, silver: 40 },
      actionValues: { 'bundle-upgrade-10gb': 60 },
    },
    decisions,
  );
  return reportHtml(
    'telco-cvm demo · consumer · kpis',
    snapshots.filter((s) => s.name === 'kpis' && s.granularity === 'month'),
  );
}

describe.skipIf(!CHROMIUM)('the HTML report in headless Chromium', () => {
  it('renders without console errors and leaves a screenshot in docs/', async () => {
    const page = join(dir, 'report.html');
    writeFileSync(page, await demoKpiPage());
    mkdirSync(join(process.cwd(), 'docs'), { recursive: true });
    rmSync(SCREENSHOT, { force: true });
    const run = spawnSync(
      CHROMIUM!,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--no-first-run',
        `--user-data-dir=${join(dir, 'profile')}`,
        '--enable-logging=stderr',
        '--v=0',
        '--hide-scrollbars',
        '--window-size=1280,1400',
        `--screenshot=${SCREENSHOT}`,
        `file://${page}`,
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    expect(run.status, run.stderr).toBe(0);
    // a page without scripts or external assets has nothing to say on the console
    const consoleLines = run.stderr.split('\n').filter((l) => /CONSOLE|Failed to load resource|Uncaught/.test(l));
    expect(consoleLines).toEqual([]);
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(20_000);
    const png = readFileSync(SCREENSHOT);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(1280);
  });
});

if (!CHROMIUM) {
  describe('the HTML report in headless Chromium', () => {
    it.skip('needs Debian chromium at /usr/bin/chromium (apt-get install -y chromium)', () => {});
  });
}
