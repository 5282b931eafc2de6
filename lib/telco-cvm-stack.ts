import { Aspects, CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { MarketConfig } from '#config/market-config.ts';
import { CvmApi, STAGE_NAME } from './constructs/api.ts';
import { TenantBudgets } from './constructs/budgets.ts';
import { CostAllocationTags } from './constructs/cost-allocation.ts';
import { CustomerStore } from './constructs/customer-store.ts';
import { Scoring } from './constructs/scoring.ts';
import { Decisioning } from './constructs/decisioning.ts';
import { EventPipeline } from './constructs/event-pipeline.ts';
import { Observability } from './constructs/observability.ts';
import { AuditApi } from './constructs/audit.ts';
import { Reports } from './constructs/reports.ts';
import { AudienceUploads } from './constructs/audience-uploads.ts';
import { Campaigns } from './constructs/campaigns.ts';
import { MarketSeed } from './constructs/market-seed.ts';
import { Delivery } from './constructs/delivery.ts';
import { DeliveryReceipts } from './constructs/delivery-receipts.ts';
import { ModelTraining } from './constructs/model-training.ts';

export interface TelcoCvmStackProps extends StackProps {
  readonly config: MarketConfig;
}

/** `TelcoCvm-<market>-<stage>`: two stages of one market are two stacks. */
export const stackNameOf = (config: Pick<MarketConfig, 'code' | 'stage'>) =>
  `TelcoCvm-${config.code}-${config.stage.name}`;

/** One market: composes the constructs and wires them; nothing else lives here. */
export class TelcoCvmStack extends Stack {
  readonly store: CustomerStore;
  readonly api: CvmApi;
  readonly scoring: Scoring;
  readonly decisioning: Decisioning;
  readonly events: EventPipeline;
  readonly observability: Observability;
  readonly audit: AuditApi;
  readonly reports: Reports;
  readonly campaigns: Campaigns;
  readonly audiences: AudienceUploads;
  readonly seed: MarketSeed;
  readonly delivery: Delivery;
  readonly receipts: DeliveryReceipts;
  readonly budgets: TenantBudgets;
  /** The optional SageMaker retraining workflow (`models.awsTraining.enabled`), a nested stack. */
  readonly training?: ModelTraining;

  constructor(scope: Construct, id: string, props: TelcoCvmStackProps) {
    super(scope, id, { terminationProtection: props.config.stage.terminationProtection, ...props });
    const { config } = props;
    const logRemovalPolicy = config.stage.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.store = new CustomerStore(this, 'CustomerStore', { config });
    this.scoring = new Scoring(this, 'Scoring', { config, store: this.store, logRemovalPolicy });
    this.decisioning = new Decisioning(this, 'Decisioning', {
      config,
      store: this.store,
      scoring: this.scoring,
      logRemovalPolicy,
    });
    this.events = new EventPipeline(this, 'EventPipeline', { config, store: this.store, logRemovalPolicy });
    // messages leave through each tenant's channel connections (webhook or hand-off queue)
    this.delivery = new Delivery(this, 'Delivery', {
      config,
      store: this.store,
      outboundQueues: this.events.outboundQueues,
      handoffQueues: this.events.handoffQueues,
      logRemovalPolicy,
    });
    // SMS and SES receipts (their event destinations' SNS topic) -> message.delivered / message.failed events
    this.receipts = new DeliveryReceipts(this, 'DeliveryReceipts', {
      config,
      store: this.store,
      eventQueues: this.events.queues,
      logRemovalPolicy,
    });
    this.audit = new AuditApi(this, 'Audit', { config, store: this.store, logRemovalPolicy });
    this.reports = new Reports(this, 'Reports', { config, store: this.store, logRemovalPolicy });
    this.campaigns = new Campaigns(this, 'Campaigns', {
      config,
      store: this.store,
      outboundQueues: this.events.outboundQueues,
      logRemovalPolicy,
      // scheduled campaigns' runs: one more role would cost two resources of the 500
      runScheduleRole: this.reports.scheduleRole,
    });
    // day one: the starter catalog and triggers in every tenant table, and each tenant's first admin key
    this.seed = new MarketSeed(this, 'MarketSeed', { config, store: this.store, logRemovalPolicy });
    this.api = new CvmApi(this, 'Api', {
      config,
      store: this.store,
      logRemovalPolicy,
      functions: {
        decisions: this.decisioning.apiFunction,
        events: this.events.apiFunction,
        audit: this.audit.apiFunction,
        reports: this.reports.apiFunction,
        campaigns: this.campaigns.apiFunction,
        channels: this.delivery.apiFunction,
      },
    });

    // uploaded campaign audiences: the upload bucket, their API function and /v1/audiences, in a nested stack
    this.audiences = new AudienceUploads(this, 'Audiences', {
      config,
      api: this.api.restApi,
      authorizerId: this.api.authorizerId,
      store: this.store,
      logRemovalPolicy,
    });
    const apiFunctions = { ...this.api.functions, audiences: this.audiences.apiFunction };

    this.observability = new Observability(this, 'Observability', {
      config,
      restApi: this.api.restApi,
      stageName: STAGE_NAME,
      functions: {
        ...apiFunctions,
        authorizer: this.api.authorizerFunction,
        'event-processor': this.events.processor,
        'score-segment': this.scoring.segmentFunction,
        'score-report': this.scoring.reportFunction,
        'build-reports': this.reports.buildFunction,
        'campaign-step': this.campaigns.stepFunction,
        sender: this.delivery.sender,
        receipts: this.receipts.receiptsFunction,
      },
      apiFunctions: { ...apiFunctions, authorizer: this.api.authorizerFunction },
    });
    this.observability.notify(...this.events.alarms);
    for (const tenant of config.tenants) {
      for (const dlq of [this.events.deadLetterQueues[tenant.id]!, this.events.outboundDeadLetterQueues[tenant.id]!])
        this.observability.graphDeadLetterQueue(dlq);
      this.observability.addTableAlarms(
        { tenant: this.store.tables[tenant.id]!, decisions: this.store.decisionTables[tenant.id]! },
        tenant,
      );
    }
    this.observability.addTableAlarms({ keys: this.store.keysTable, idempotency: this.store.idempotencyTable });
    this.observability.addWorkflowAlarm(this.scoring.stateMachine, 'score-base');
    this.observability.addWorkflowAlarm(this.campaigns.stateMachine, 'campaign');
    if (config.models.awsTraining.enabled) {
      this.training = new ModelTraining(this, 'ModelTraining', { config, logRemovalPolicy });
      this.observability.addWorkflowAlarm(this.training.stateMachine, 'model-training', this.training.stack);
    }
    // each tenant's monthly budget (config tenants[].monthlyBudgetUsd) alerts the alarm topic
    this.budgets = new TenantBudgets(this, 'Budgets', { config, topic: this.observability.alarmTopic });

    // last: every function of the stack exists by now, CDK's own included
    this.observability.watchAllFunctions();
    this.observability.applyTracing();
    Aspects.of(this).add(new CostAllocationTags(config));

    new CfnOutput(this, 'ApiUrl', {
      value: this.api.url,
      description: 'Base URL of the v1 API (paths start with /v1)',
    });
  }
}
