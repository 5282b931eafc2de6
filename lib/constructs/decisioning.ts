import path from 'node:path';
import type { RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { decisioningEnvOf } from '#config/decisioning-settings.ts';
import type { MarketConfig } from '#config/market-config.ts';
import type { CustomerStore } from './customer-store.ts';
import { CvmFunction, REPO_ROOT } from './cvm-function.ts';

export interface DecisioningProps {
  readonly config: MarketConfig;
  readonly store: CustomerStore;
  readonly logRemovalPolicy: RemovalPolicy;
}

/** The market's pinned model versions, copied next to the bundle as `models/<market>/<model>/<version>`. */
export function modelBundleDirs(config: MarketConfig): { from: string; to: string }[] {
  return Object.entries(config.scoring.models).map(([model, pin]) => ({
    from: path.join(REPO_ROOT, 'models', config.code, model, pin.version),
    to: `models/${config.code}/${model}/${pin.version}`,
  }));
}

/**
 * Next-best-action decisioning: the decisions API function (catalog, decisions, responses),
 * reading and writing the tenant tables, with the market's pinned models bundled in.
 */
export class Decisioning extends Construct {
  readonly apiFunction: CvmFunction;

  constructor(scope: Construct, id: string, props: DecisioningProps) {
    super(scope, id);
    const { config, store } = props;
    this.apiFunction = new CvmFunction(this, 'DecisionsFn', {
      handlerFile: 'decisions-api.ts',
      description: 'Action catalog, next-best-action decisions and responses',
      logRetentionDays: config.retention.logsDays,
      logRemovalPolicy: props.logRemovalPolicy,
      memorySize: 1769,
      environment: {
        MARKET: config.code,
        ...store.tableNamesEnv(),
        VALUE_TIERS: JSON.stringify(config.valueTiers),
        ...decisioningEnvOf(config),
      },
      bundleDirs: modelBundleDirs(config),
    });
    store.grantReadWrite(this.apiFunction);
  }
}
