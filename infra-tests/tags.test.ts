import { deploymentOf, physicalName } from '#config/market-config.ts';
import { CfnResource, TagManager, type CfnResource as CfnResourceType } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { decisionTableName, tenantTableName } from '../lambdas/adapters/dynamo/table-design.ts';
import {
  eventDlqName,
  eventQueueName,
  handoffQueueName,
  outboundDlqName,
  outboundQueueName,
} from '../lambdas/adapters/sqs/queue-design.ts';
import {
  COST_TAGS,
  SHARED_TENANT,
  TAG_BILLING_UNIT,
  TAG_COMPONENT,
  TAG_COST_CENTER,
  TAG_ENVIRONMENT,
  TAG_MARKET,
  TAG_TENANT,
} from '../lib/constructs/cost-allocation.ts';
import { adminKeySecretName } from '../lib/constructs/market-seed.ts';
import { synthMarket } from './synth.ts';

type Resource = { Type: string; Properties?: Record<string, unknown> };

const { stack, template, config } = synthMarket();
const resources = template.toJSON()['Resources'] as Record<string, Resource>;

/**
 * The CloudFormation types in this stack that take a Tags property: their L1 classes carry a
 * TagManager (v1 `tags` or v2 `cdkTagManager`), which is how CDK knows a type is taggable.
 */
const taggableTypes = new Set(
  stack.node
    .findAll()
    .filter((c): c is CfnResourceType => CfnResource.isCfnResource(c))
    .filter((c) => TagManager.isTaggable(c) || TagManager.isTaggableV2(c))
    .map((c) => c.cfnResourceType),
);

/** Tags as CloudFormation holds them: a list of {Key, Value} for most types, a map for some. */
function tagsOf(resource: Resource): Record<string, unknown> {
  const tags = resource.Properties?.['Tags'];
  if (Array.isArray(tags))
    return Object.fromEntries((tags as { Key: string; Value: unknown }[]).map((t) => [t.Key, t.Value]));
  if (tags && typeof tags === 'object') return tags as Record<string, unknown>;
  return {};
}

const taggable = Object.entries(resources).filter(([, r]) => taggableTypes.has(r.Type));
const byTag = (key: string, value: string) => taggable.filter(([, r]) => tagsOf(r)[key] === value).map(([id]) => id);

describe('cost-allocation tags', () => {
  it('knows the taggable types it must check', () => {
    for (const type of [
      'AWS::Lambda::Function',
      'AWS::DynamoDB::Table',
      'AWS::KMS::Key',
      'AWS::Logs::LogGroup',
      'AWS::IAM::Role',
      'AWS::ApiGateway::RestApi',
      'AWS::ApiGateway::Stage',
      'AWS::ApiGateway::ApiKey',
      'AWS::ApiGateway::UsagePlan',
      'AWS::SecretsManager::Secret',
    ])
      expect(taggableTypes, type).toContain(type);
    expect(taggableTypes).not.toContain('AWS::ApiGateway::Method');
  });

  it('puts all six tags on every taggable resource', () => {
    const missing = taggable.flatMap(([id, r]) => {
      const tags = tagsOf(r);
      return COST_TAGS.filter((k) => typeof tags[k] !== 'string' || tags[k] === '').map(
        (k) => `${r.Type} ${id} lacks ${k}`,
      );
    });
    expect(missing).toEqual([]);
  });

  it('tags the market and environment everywhere', () => {
    for (const [id, r] of taggable) {
      expect(tagsOf(r)[TAG_MARKET], id).toBe(config.code);
      expect(tagsOf(r)[TAG_ENVIRONMENT], id).toBe(config.stage.environment);
    }
  });

  it('names the component after the top-level construct', () => {
    const componentOf = (id: string) => tagsOf(resources[id]!)[TAG_COMPONENT];
    for (const [id] of taggable) expect(componentOf(id), id).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
    const fnId = stack.resolve(
      (stack.api.functions.customers.node.defaultChild as CfnResourceType).logicalId,
    ) as string;
    expect(componentOf(fnId)).toBe('api');
    const keysId = stack.resolve((stack.store.keysTable.node.defaultChild as CfnResourceType).logicalId) as string;
    expect(componentOf(keysId)).toBe('customer-store');
  });

  it.each(config.tenants.map((t) => [t.id, t] as const))(
    "tags tenant %s's table, decision log, key, queues, usage plan, API key and secrets with its tenant and cost centre",
    (id, tenant) => {
      const table = taggable.find(
        ([, r]) =>
          r.Type === 'AWS::DynamoDB::Table' && r.Properties!['TableName'] === tenantTableName(deploymentOf(config), id),
      )!;
      const keyId = (
        (table[1].Properties!['SSESpecification'] as Record<string, unknown>)['KMSMasterKeyId'] as {
          'Fn::GetAtt': [string];
        }
      )['Fn::GetAtt'][0];
      const plan = taggable.find(
        ([, r]) =>
          r.Type === 'AWS::ApiGateway::UsagePlan' && r.Properties!['UsagePlanName'] === physicalName(config, id),
      )!;
      const apiKey = taggable.find(
        ([, r]) => r.Type === 'AWS::ApiGateway::ApiKey' && r.Properties!['Name'] === physicalName(config, id),
      )!;
      const secretId = /"Ref":"([A-Za-z0-9]+)"/.exec(JSON.stringify(apiKey[1].Properties!['Value']))![1]!;

      // the tenant's event, outbound and hand-off queues, their DLQs and their alarms (EventPipeline)
      const deployment = deploymentOf(config);
      const eventQueues = taggable
        .filter(
          ([, r]) =>
            r.Type === 'AWS::SQS::Queue' &&
            [
              eventQueueName(deployment, id),
              eventDlqName(deployment, id),
              outboundQueueName(deployment, id),
              outboundDlqName(deployment, id),
              handoffQueueName(deployment, id),
            ].includes(r.Properties!['QueueName'] as string),
        )
        .map(([qid]) => qid);
      const dlqAlarm = taggable
        .filter(
          ([, r]) =>
            r.Type === 'AWS::CloudWatch::Alarm' && String(r.Properties!['AlarmDescription']).includes(`tenant ${id} `),
        )
        .map(([aid]) => aid);
      expect(eventQueues).toHaveLength(5);

      const decisionLog = taggable.find(
        ([, r]) =>
          r.Type === 'AWS::DynamoDB::Table' &&
          r.Properties!['TableName'] === decisionTableName(deploymentOf(config), id),
      )!;
      // its first admin key's secret (MarketSeed)
      const adminKeySecret = taggable.find(
        ([, r]) => r.Type === 'AWS::SecretsManager::Secret' && r.Properties!['Name'] === adminKeySecretName(config, id),
      )!;
      const owned = [
        table[0],
        decisionLog[0],
        keyId,
        plan[0],
        apiKey[0],
        secretId,
        adminKeySecret[0],
        ...eventQueues,
        ...dlqAlarm,
      ];
      expect(byTag(TAG_TENANT, id).sort()).toEqual(owned.sort());
      // the billing unit its budget filters on: market, stage and tenant, on exactly these
      expect(byTag(TAG_BILLING_UNIT, `${config.code}/${config.stage.name}/${id}`).sort()).toEqual(owned.sort());
      for (const resourceId of owned) {
        expect(tagsOf(resources[resourceId]!), resourceId).toMatchObject({
          [TAG_TENANT]: id,
          [TAG_COST_CENTER]: tenant.costCenter,
          [TAG_BILLING_UNIT]: `demo/dev/${id}`,
        });
      }
    },
  );

  it('marks everything no tenant owns as shared, on the shared cost centre', () => {
    const tenantIds = new Set(config.tenants.map((t) => t.id));
    for (const [id, r] of taggable) {
      const tags = tagsOf(r);
      if (tenantIds.has(tags[TAG_TENANT] as string)) continue;
      expect(tags[TAG_TENANT], id).toBe(SHARED_TENANT);
      expect(tags[TAG_COST_CENTER], id).toBe(config.sharedCostCenter);
      expect(tags[TAG_BILLING_UNIT], id).toBe('demo/dev/shared');
    }
    expect(byTag(TAG_TENANT, SHARED_TENANT).length).toBeGreaterThan(0);
  });
});
