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

  it('lets only the campaigns API function sign, read and delete uploads, under the audiences prefix', () => {
    const fn = stack.campaigns.apiFunction;
    const env =
      template.toJSON()['Resources'][stack.getLogicalId(fn.node.defaultChild as never)]['Properties']['Environment'][
        'Variables'
      ];
    expect(resolved(env['AUDIENCE_BUCKET'])).toBe(resolved(bucketName));
    const policies = template.findResources('AWS::IAM::Policy');
    const granting = Object.values(policies).filter((p) => resolved(p).includes('s3:GetObject'));
    expect(granting).toHaveLength(1);
    const statements = (granting[0]!['Properties']['PolicyDocument']['Statement'] as Record<string, unknown>[]).filter(
      (s) => resolved(s).includes('s3:'),
    );
    expect(statements).toHaveLength(1);
    expect(statements[0]!['Action']).toEqual(['s3:DeleteObject', 's3:GetObject', 's3:PutObject']);
    expect(resolved(statements[0]!['Resource'])).toContain(`/${AUDIENCE_PREFIX}*`);
    expect(resolved(granting[0]!['Properties']['Roles'])).toContain(
      stack.getLogicalId(fn.role!.node.defaultChild as never),
    );
  });

  it("serves /v1/audiences on the market's API through the authorizer and the campaigns function", () => {
    const methods = Object.values(nested.findResources('AWS::ApiGateway::Method'));
    expect(methods).toHaveLength(new Set(AUDIENCE_ROUTES.map((r) => r.path)).size);
    for (const m of methods) {
      expect(m['Properties']).toMatchObject({
        HttpMethod: 'ANY',
        AuthorizationType: 'CUSTOM',
        ApiKeyRequired: true,
        Integration: { Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' },
      });
      expect(m['Properties']['AuthorizerId']).toMatchObject({ Ref: expect.any(String) });
    }
    const parts = Object.values(nested.findResources('AWS::ApiGateway::Resource')).map(
      (r) => r['Properties']['PathPart'],
    );
    expect(parts.sort()).toEqual(['audiences', '{audienceId}']);
    // the parent passes the one authorizer and the campaigns function in; the stage deploys after the nested stack
    const nestedId = stack.getLogicalId(stack.audiences.stack.nestedStackResource as never);
    const params = template.toJSON()['Resources'][nestedId]['Properties']['Parameters'] as Record<string, unknown>;
    const passed = resolved(params);
    expect(passed).toContain(Object.keys(template.findResources('AWS::ApiGateway::Authorizer'))[0]!);
    expect(passed).toContain(stack.getLogicalId(stack.campaigns.apiFunction.node.defaultChild as never));
    const deployment = Object.values(template.findResources('AWS::ApiGateway::Deployment'))[0]!;
    expect(deployment['DependsOn']).toContain(nestedId);
  });
});
