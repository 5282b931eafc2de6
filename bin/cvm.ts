#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MarketConfigError } from '#config/market-config.ts';
import { loadMarket } from '#config/markets/index.ts';
import { DEFAULT_STAGE } from '#config/stage.ts';
import { stackNameOf, TelcoCvmStack } from '../lib/telco-cvm-stack.ts';

/** `cdk synth -c market=<code> [-c stage=<name>]`: the only context read, validated before anything is built. */
const app = new App();
const market = app.node.tryGetContext('market') as string | undefined;
const stage = (app.node.tryGetContext('stage') as string | undefined) ?? DEFAULT_STAGE;

try {
  const config = loadMarket(market, stage);
  new TelcoCvmStack(app, stackNameOf(config), {
    config,
    env: { ...(config.aws.account ? { account: config.aws.account } : {}), region: config.aws.region },
    description: `telco-cvm: Customer Value Management for market ${config.code}, stage ${config.stage.name} (${config.stage.environment})`,
  });
  // AWS Solutions rules gate every synth: an unacknowledged finding stops it (reasons live in the constructs).
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
} catch (err) {
  if (err instanceof MarketConfigError) {
    process.stderr.write(`\n✖ ${err.message}\n\n`);
    process.exit(1);
  }
  throw err;
}
