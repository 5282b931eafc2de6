import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MarketConfigError, parseMarketConfig } from '#config/market-config.ts';
import { demo } from '#config/markets/demo.ts';
import { loadMarket } from '#config/markets/index.ts';
import { REPO_ROOT } from '../lib/constructs/cvm-function.ts';

const messageOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MarketConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a MarketConfigError');
};

describe('market config', () => {
  it('loads the demo market', () => {
    expect(loadMarket('demo').tenants.map((t) => t.id)).toEqual(['consumer', 'enterprise']);
  });

  it('names an unknown market', () => {
    expect(messageOf(() => loadMarket('atlantis'))).toMatch(/market 'atlantis'.*\n.*unknown market 'atlantis'/);
  });

  it('asks for a market when none is given', () => {
    expect(messageOf(() => loadMarket(undefined))).toContain('-c market=<code>');
  });

  it('names the market and the field of a bad time zone', () => {
    const msg = messageOf(() => parseMarketConfig('demo', { ...demo, timezone: 'Mars/Olympus_Mons' }));
    expect(msg).toContain("market 'demo'");
    expect(msg).toMatch(/timezone: .*IANA time zone/);
  });

  it('names the market and the field of bad quiet hours', () => {
    const msg = messageOf(() => parseMarketConfig('demo', { ...demo, quietHours: { start: '25:00', end: '08:00' } }));
    expect(msg).toContain("market 'demo'");
    expect(msg).toContain('quietHours.start');
  });

  it('names the tenant field of a bad throttle', () => {
    const tenants = [{ ...demo.tenants[0]!, throttle: { rateLimit: -1, burstLimit: 10, monthlyQuota: 10 } }];
    expect(messageOf(() => parseMarketConfig('demo', { ...demo, tenants }))).toContain('tenants.0.throttle.rateLimit');
  });

  it('pages on 1% 5xx, 1 s p99 and 5% scoring fallbacks unless the market says otherwise', () => {
    expect(loadMarket('demo').alerting).toEqual({
      serverErrorRatePercent: 1,
      p99LatencyMs: 1000,
      scoringFallbackRatePercent: 5,
    });
    const own = parseMarketConfig('demo', { ...demo, alerting: { scoringFallbackRatePercent: 2 } });
    expect(own.alerting).toEqual({ serverErrorRatePercent: 1, p99LatencyMs: 1000, scoringFallbackRatePercent: 2 });
  });

  it('names the field of a bad alerting threshold', () => {
    expect(
      messageOf(() => parseMarketConfig('demo', { ...demo, alerting: { scoringFallbackRatePercent: 0 } })),
    ).toContain('alerting.scoringFallbackRatePercent');
    expect(messageOf(() => parseMarketConfig('demo', { ...demo, alerting: { p99LatencyMs: 60_000 } }))).toContain(
      'alerting.p99LatencyMs',
    );
  });

  it('keeps uploaded audiences 90 days unless the market says otherwise, and at least a week', () => {
    expect(loadMarket('demo').retention.audienceDays).toBe(90);
    const own = parseMarketConfig('demo', { ...demo, retention: { ...demo.retention, audienceDays: 30 } });
    expect(own.retention.audienceDays).toBe(30);
    expect(
      messageOf(() => parseMarketConfig('demo', { ...demo, retention: { ...demo.retention, audienceDays: 3 } })),
    ).toMatch(/retention.audienceDays: at least 7/);
  });
});

describe('bin/cvm.ts', () => {
  const outdir = mkdtempSync(path.join(tmpdir(), 'cvm-synth-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  /** Runs the CDK app the way the CLI does: context in CDK_CONTEXT_JSON, output in CDK_OUTDIR. */
  const runApp = (context: Record<string, unknown>) =>
    spawnSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['bin/cvm.ts'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify(context), CDK_OUTDIR: outdir },
    });

  it('fails synth naming an unknown market, without a stack trace', () => {
    const run = runApp({ market: 'atlantis' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("market 'atlantis' has an invalid config");
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('fails synth when no market is given', () => {
    const run = runApp({});
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('pass -c market=<code>');
  });

  it('synthesizes TelcoCvm-demo-dev for -c market=demo (the stage defaults to dev)', () => {
    const run = runApp({ market: 'demo', 'aws:cdk:bundling-stacks': [] });
    expect(run.stderr).not.toContain('invalid config');
    expect(run.status).toBe(0);
    expect(existsSync(path.join(outdir, 'TelcoCvm-demo-dev.template.json'))).toBe(true);
  });

  it('synthesizes TelcoCvm-demo-prod for -c stage=prod, and refuses a stage the market does not have', () => {
    const run = runApp({ market: 'demo', stage: 'prod', 'aws:cdk:bundling-stacks': [] });
    expect(run.status).toBe(0);
    expect(existsSync(path.join(outdir, 'TelcoCvm-demo-prod.template.json'))).toBe(true);
    const bad = runApp({ market: 'demo', stage: 'nope' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("stage: unknown stage 'nope'");
  });
});
