import { Validations, type Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { loadMarket } from '#config/markets/index.ts';
import { synthMarket } from './synth.ts';

/** cdk-nag v3 is a policy-validation plugin; validateScope runs the same rules `cdk synth` runs. */
function findings(stack: Stack, severity: 'error' | 'warning'): string[] {
  return new AwsSolutionsChecks()
    .validateScope(stack)
    .violations.filter((v) => v.severity === severity)
    .flatMap((v) =>
      v.violatingResources.map(
        (r) => `${v.ruleName} at ${(r as { constructPath?: string }).constructPath ?? r.resourceLogicalId}`,
      ),
    );
}

interface Acknowledgement {
  path: string;
  id: string;
  reason: string;
}
function acknowledgements(stack: Stack): Acknowledgement[] {
  return stack.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) =>
        Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({
          path: c.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

const demo = synthMarket();

describe('AWS Solutions checks (cdk-nag)', () => {
  it('finds no unacknowledged errors', () => {
    expect(findings(demo.stack, 'error')).toEqual([]);
  });

  it('finds no unacknowledged warnings', () => {
    expect(findings(demo.stack, 'warning')).toEqual([]);
  });

  it('still catches a violation nobody acknowledged', () => {
    const { stack } = synthMarket();
    new iam.Role(stack, 'TooPowerful', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess')],
    });
    expect(findings(stack, 'error').some((f) => f.startsWith('AwsSolutions-IAM4') && f.includes('TooPowerful'))).toBe(
      true,
    );
  });

  it('passes with WAF switched on, without the WAF acknowledgement', () => {
    const waf = synthMarket({ ...loadMarket('demo'), waf: true });
    expect(findings(waf.stack, 'error')).toEqual([]);
    expect(findings(waf.stack, 'warning')).toEqual([]);
    expect(acknowledgements(waf.stack).map((a) => a.id)).not.toContain('AwsSolutions-APIG3');
    waf.template.resourceCountIs('AWS::WAFv2::WebACL', 1);
    waf.template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
  });

  it('passes with the SageMaker training workflow switched on (its nested stack included)', () => {
    const market = loadMarket('demo');
    const training = synthMarket({
      ...market,
      models: { ...market.models, awsTraining: { ...market.models.awsTraining, enabled: true } },
    });
    expect(findings(training.stack, 'error')).toEqual([]);
    expect(findings(training.stack, 'warning')).toEqual([]);
    for (const a of acknowledgements(training.stack).filter((a) => a.path.includes('/ModelTraining/')))
      expect(a.reason.trim().length, `${a.id} at ${a.path}`).toBeGreaterThanOrEqual(40);
  });
});

describe('acknowledgements', () => {
  const acks = acknowledgements(demo.stack);

  it('each carries a written reason', () => {
    expect(acks.length).toBeGreaterThan(0);
    for (const a of acks) expect(a.reason.trim().length, `${a.id} at ${a.path}`).toBeGreaterThanOrEqual(40);
  });

  it('sit on the resources concerned, never on the stack or a whole construct', () => {
    for (const a of acks) {
      expect(a.path.split('/').length, `${a.id} at ${a.path}`).toBeGreaterThanOrEqual(3);
      expect(['TelcoCvm-demo-dev/Api', 'TelcoCvm-demo-dev/CustomerStore']).not.toContain(a.path);
    }
  });

  it('acknowledge only the rules we decided on', () => {
    const rules = new Set(acks.map((a) => a.id.replace(/\[.*$/, '')));
    expect([...rules].sort()).toEqual([
      'AwsSolutions-APIG2', // validation in the Lambda (zod)
      'AwsSolutions-APIG3', // WAF opt-in per market
      'AwsSolutions-APIG4', // public: health, openapi, 404 catch-all
      'AwsSolutions-COG4', // API keys via Lambda authorizer, no Cognito users
      'AwsSolutions-DDB3', // no PITR on the 24 h Idempotency-Key answers
      'AwsSolutions-IAM4', // API Gateway account logging role
      'AwsSolutions-IAM5', // X-Ray, table GSIs, KMS action families
      'AwsSolutions-S1', // no access logs on the transient audience upload bucket
      'AwsSolutions-SMG4', // usage-plan key secrets
    ]);
    // wildcard findings are acknowledged one by one, never the whole IAM5 rule
    expect(acks.filter((a) => a.id === 'AwsSolutions-IAM5')).toEqual([]);
  });
});
