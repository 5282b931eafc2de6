import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { MarketConfig } from '#config/market-config.ts';
import { loadMarket } from '#config/markets/index.ts';
import { REPO_ROOT } from '../lib/constructs/cvm-function.ts';
import { stackNameOf, TelcoCvmStack } from '../lib/telco-cvm-stack.ts';

/** The feature flags the CLI uses (cdk.json), so tests synthesize what `cdk synth` does. */
function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

export interface Synthesized {
  app: App;
  stack: TelcoCvmStack;
  template: Template;
  config: MarketConfig;
}

/**
 * Builds one market's stack and synthesizes it. Bundling is skipped unless asked for, so
 * NodejsFunction does not run esbuild (DESIGN.md: infra tests synthesize with bundling skipped).
 */
export function synthMarket(
  config: MarketConfig = loadMarket('demo'),
  opts: { bundle?: boolean; outdir?: string } = {},
): Synthesized {
  const app = new App({
    context: { ...cdkJsonContext(), ...(opts.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) },
    ...(opts.outdir ? { outdir: opts.outdir } : {}),
  });
  const stack = new TelcoCvmStack(app, stackNameOf(config), { config, env: { region: config.aws.region } });
  const template = Template.fromStack(stack);
  return { app, stack, template, config };
}
