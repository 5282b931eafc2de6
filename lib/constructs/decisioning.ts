import path from 'node:path';
import type { RemovalPolicy } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { decisioningEnvOf } from '#config/decisioning-settings.ts';
import type { MarketConfig } from '#config/market-config.ts';
import type { CustomerStore } from './customer-store.ts';
import { CvmFunction, REPO_ROOT } from './cvm-function.ts';
import type { Scoring } from './scoring.ts';

export interface DecisioningProps {
  readonly config: MarketConfig;
  readonly store: CustomerStore;
  readonly logRemovalPolicy: RemovalPolicy;
  /** The market's scoring: in `sagemaker` mode decisions score unscored customers on its endpoints. */
  readonly scoring?: Pick<Scoring, 'grantInvoke' | 'scoringEnvironment'>;
}

/** The market's pinned model versions, copied next to the bundle as `models/<market>/<model>/<version>`. */
export function modelBundleDirs(config: MarketConfig): { from: string; to: string }[] {
  return Object.entries(config.scoring.models).map(([model, pin]) => ({
    from: path.join(REPO_ROOT, 'models', config.code, model, pin.version),
    to: `models/${config.code}/${model}/${pin.version}`,
  }));
}

/** Only what composition/decisions-env.ts reads of the scoring environment: a function's variables share 4 KB. */
function onlineScoringEnv(scoring: Pick<Scoring, 'scoringEnvironment'>): Record<string, string> {
  const { SCORING_MODE, SAGEMAKER_ENDPOINTS, LATENCY_BUDGET_MS } = scoring.scoringEnvironment();
  return { SCORING_MODE, SAGEMAKER_ENDPOINTS, LATENCY_BUDGET_MS };
}

/**
 * Next-best-action decisioning: the decisions API function (catalog, decisions, responses),
 * reading and writing the tenant tables, with the market's pinned models bundled in (the scorer
 * of embedded mode, the fallback of sagemaker mode, which may also invoke the market's endpoints).
 */
export class Decisioning extends Construct {
  readonly apiFunction: CvmFunction;

  constructor(scope: Construct, id: string, props: DecisioningProps) {
    super(scope, id);
    const { config, store } = props;
    const online = config.scoring.mode === 'sagemaker' ? props.scoring : undefined;
    this.apiFunction = new CvmFunction(this, 'DecisionsFn', {
      handlerFile: 'serve-decisions.ts',
      description: 'Action catalog, next-best-action decisions and responses',
      logRetentionDays: config.retention.logsDays,
      logRemovalPolicy: props.logRemovalPolicy,
      // A decision is mostly waiting on DynamoDB (two round trips) and ~4 ms of CPU at a full
      // vCPU (npm run bench): 1024 MB adds ~3 ms and costs a third less than 1769 (npm run cost-model)
      memorySize: 1024,
      environment: {
        MARKET: config.code,
        ...store.tableNamesEnv(),
        VALUE_TIERS: JSON.stringify(config.valueTiers),
        ...decisioningEnvOf(config),
        ...(online ? onlineScoringEnv(online) : {}),
      },
      bundleDirs: modelBundleDirs(config),
    });
    // X-Ray bills the trace, which API Gateway's sampling records either way: off, a sampled
    // decision's trace only loses the function's segments (market config observability.decisionTracing)
    if (!config.observability.decisionTracing)
      (this.apiFunction.node.defaultChild as lambda.CfnFunction).tracingConfig = { mode: lambda.Tracing.PASS_THROUGH };
    store.grantReadWrite(this.apiFunction);
    store.grantDecisionLog(this.apiFunction);
    store.grantIdempotency(this.apiFunction);
    online?.grantInvoke(this.apiFunction);
  }
}
