import { Aspects, CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { MarketConfig } from '#config/market-config.ts';
import { CvmApi } from './constructs/api.ts';
import { CostAllocationTags } from './constructs/cost-allocation.ts';
import { CustomerStore } from './constructs/customer-store.ts';

export interface TelcoCvmStackProps extends StackProps {
  readonly config: MarketConfig;
}

export const stackNameOf = (market: string) => `TelcoCvm-${market}`;

/** One market: composes the constructs and wires them; nothing else lives here. */
export class TelcoCvmStack extends Stack {
  readonly store: CustomerStore;
  readonly api: CvmApi;

  constructor(scope: Construct, id: string, props: TelcoCvmStackProps) {
    super(scope, id, props);
    const { config } = props;
    const logRemovalPolicy = config.environment === 'prod' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.store = new CustomerStore(this, 'CustomerStore', { config });
    this.api = new CvmApi(this, 'Api', { config, store: this.store, logRemovalPolicy });

    Aspects.of(this).add(new CostAllocationTags(config));

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL of the v1 API (paths start with /v1)' });
  }
}
