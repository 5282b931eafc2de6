import { Names, Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { AUDIENCE_ROUTES } from '../lambdas/http/routes/audiences.ts';
import {
  AUDIENCE_PREFIX,
  AUDIENCE_UPLOAD_EXPIRY_DAYS,
  audienceBucketName,
} from '../lib/constructs/audience-uploads.ts';
import { synthMarket } from './synth.ts';

const { stack, template, config } = synthMarket();
const nested = Template.fromStack(stack.audiences.stack);
const bucketName = audienceBucketName(config);
const resolved = (v: unknown) => JSON.stringify(stack.resolve(v));
const resolvedIn = (v: unknown) => JSON.stringify(stack.audiences.stack.resolve(v));
const nestedResources = nested.toJSON()['Resources'];
const nestedIdOf = (c: { node: { defaultChild?: unknown } } | object) =>
  stack.audiences.stack.getLogicalId(((c as { node: { defaultChild?: unknown } }).node.defaultChild ?? c) as never);

describe('audience uploads', () => {
  it('is one bucket for the market (encrypted, private, TLS only, uploads expiring) in a nested stack', () => {
    nested.resourceCountIs('AWS::S3::Bucket', 1);
    template.resourceCountIs('AWS::S3::Bucket', 0);
    nested.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: {
        Rules: [
          Match.objectLike({
            Prefix: AUDIENCE_PREFIX,
            ExpirationInDays: AUDIENCE_UPLOAD_EXPIRY_DAYS,
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
            Status: 'Enabled',
          }),
        ],
      },
    });
    nested.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('builds the audiences function in the nested stack: its role, log group, invoke permission and errors alarm too', () => {
    const fn = stack.audiences.apiFunction;
    expect(Stack.of(fn)).toBe(stack.audiences.stack);
    expect(fn.handlerFile).toBe('serve-audiences.ts');
    nested.resourceCountIs('AWS::Lambda::Function', 1);
    nested.resourceCountIs('AWS::IAM::Role', 1);
    nested.resourceCountIs('AWS::Logs::LogGroup', 1);
    nested.resourceCountIs('AWS::Lambda::Permission', 1);
    nested.resourceCountIs('AWS::CloudWatch::Alarm', 1);
    const vars = nestedResources[nestedIdOf(fn)]['Properties']['Environment']['Variables'];
    expect(resolvedIn(vars['AUDIENCE_BUCKET'])).toBe(resolvedIn(bucketName));
    expect(vars['AUDIENCE_RETENTION_DAYS']).toBe(String(config.retention.audienceDays));
    expect(vars['CVM_METER_FLUSH_SECONDS']).toBe(String(config.observability.meterFlushSeconds));
    // the tenant tables by name, passed in from the market's stack; no idempotency (no audience route takes a key)
    expect(JSON.stringify(vars['TENANT_TABLES'])).toContain('referenceto');
    expect(vars['IDEMPOTENCY_TABLE']).toBeUndefined();
    // one salt per deployment: the market stack's id, as its own functions take it
    expect(JSON.stringify(vars['CUSTOMER_REF_SALT'])).toContain('AWSStackId');
    // its errors alarm is in the nested stack too, and alerts the market's topic
    const alarm = Object.values(nested.findResources('AWS::CloudWatch::Alarm'))[0]!;
    expect(alarm['Properties']['Dimensions']).toEqual([{ Name: 'FunctionName', Value: { Ref: nestedIdOf(fn) } }]);
    expect(JSON.stringify(alarm['Properties']['AlarmActions'])).toContain('ObservabilityAlarmTopic');
  });

  it('lets only the audiences function sign, read and delete uploads, under the audiences prefix', () => {
    const fn = stack.audiences.apiFunction;
    // nothing in the market's own stack may touch S3, the campaigns function included
    const inParent = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
      resolved(p).includes('s3:'),
    );
    expect(inParent).toEqual([]);
    const campaignsVars =
      template.toJSON()['Resources'][stack.getLogicalId(stack.campaigns.apiFunction.node.defaultChild as never)][
        'Properties'
      ]['Environment']['Variables'];
    expect(campaignsVars['AUDIENCE_BUCKET']).toBeUndefined();
    const granting = Object.values(nested.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p).includes('s3:GetObject'),
    );
    expect(granting).toHaveLength(1);
    const statements = (granting[0]!['Properties']['PolicyDocument']['Statement'] as Record<string, unknown>[]).filter(
      (s) => JSON.stringify(s).includes('s3:'),
    );
    expect(statements).toHaveLength(1);
    expect(statements[0]!['Action']).toEqual(['s3:DeleteObject', 's3:GetObject', 's3:PutObject']);
    expect(JSON.stringify(statements[0]!['Resource'])).toContain(`/${AUDIENCE_PREFIX}*`);
    expect(granting[0]!['Properties']['Roles']).toEqual([{ Ref: nestedIdOf(fn.role!) }]);
    // and the tenant tables, where the audiences and their ids are stored
    const dynamo = (granting[0]!['Properties']['PolicyDocument']['Statement'] as Record<string, unknown>[]).filter(
      (s) => JSON.stringify(s['Action']).includes('dynamodb:PutItem'),
    );
    const tables = Object.values(stack.store.tables).map((t) =>
      Names.nodeUniqueId((t.node.defaultChild as Construct).node),
    );
    for (const table of tables) expect(JSON.stringify(dynamo)).toContain(`referenceto${table}Arn`);
  });

  it("serves /v1/audiences on the market's API through the authorizer and the audiences function", () => {
    const fnId = nestedIdOf(stack.audiences.apiFunction);
    const methods = Object.values(nested.findResources('AWS::ApiGateway::Method'));
    expect(methods).toHaveLength(new Set(AUDIENCE_ROUTES.map((r) => r.path)).size);
    expect(AUDIENCE_ROUTES.every((r) => r.fn === 'audiences')).toBe(true);
    for (const m of methods) {
      expect(m['Properties']).toMatchObject({
        HttpMethod: 'ANY',
        AuthorizationType: 'CUSTOM',
        ApiKeyRequired: true,
        Integration: { Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' },
      });
      expect(m['Properties']['AuthorizerId']).toMatchObject({ Ref: expect.any(String) });
      expect(JSON.stringify(m['Properties']['Integration']['Uri'])).toContain(`{"Fn::GetAtt":["${fnId}","Arn"]}`);
    }
    const parts = Object.values(nested.findResources('AWS::ApiGateway::Resource')).map(
      (r) => r['Properties']['PathPart'],
    );
    expect(parts.sort()).toEqual(['audiences', '{audienceId}']);
    // API Gateway may invoke it on the audience paths of this API only
    const permission = Object.values(nested.findResources('AWS::Lambda::Permission'))[0]!['Properties'];
    expect(permission).toMatchObject({
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] },
    });
    expect(JSON.stringify(permission['SourceArn'])).toMatch(/RestApi[A-Za-z0-9]*Ref"\},"\/\*\/\*\/v1\/audiences\*"/);
    // the parent passes the one authorizer in; the stage deploys after the nested stack
    const nestedId = stack.getLogicalId(stack.audiences.stack.nestedStackResource as never);
    const params = template.toJSON()['Resources'][nestedId]['Properties']['Parameters'] as Record<string, unknown>;
    const passed = resolved(params);
    expect(passed).toContain(Object.keys(template.findResources('AWS::ApiGateway::Authorizer'))[0]!);
    expect(passed).not.toContain(stack.getLogicalId(stack.campaigns.apiFunction.node.defaultChild as never));
    const deployment = Object.values(template.findResources('AWS::ApiGateway::Deployment'))[0]!;
    expect(deployment['DependsOn']).toContain(nestedId);
  });

  it('watches the audiences function like the other API functions: dashboard, p99 and throttle alarms', () => {
    // the market's stack names the function through the nested stack's output
    const output = `Outputs.${Names.nodeUniqueId((stack.audiences.apiFunction.node.defaultChild as Construct).node)}`;
    const alarms = Object.entries(template.findResources('AWS::CloudWatch::Alarm'));
    const naming = (prefix: string) =>
      alarms.filter(([id, a]) => id.startsWith(prefix) && JSON.stringify(a).includes(output));
    expect(naming('ObservabilityApiFunctionsP99')).toHaveLength(1);
    expect(naming('ObservabilityThrottles')).toHaveLength(1);
    // no errors alarm of its own in the market's stack: that one is in the nested stack
    expect(naming('ObservabilityErrors')).toEqual([]);
    expect(JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0])).toContain(output);
  });
});
