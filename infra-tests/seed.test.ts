import { describe, expect, it } from 'vitest';
import { parseMarketConfig } from '#config/market-config.ts';
import { MARKETS, loadMarket } from '#config/markets/index.ts';
import { contentHash } from '../lambdas/domain/starter.ts';
import { TAG_COST_CENTER, TAG_TENANT } from '../lib/constructs/cost-allocation.ts';
import { adminKeySecretName } from '../lib/constructs/market-seed.ts';
import { synthMarket } from './synth.ts';

type Resource = {
  Type: string;
  Properties?: Record<string, unknown>;
  DeletionPolicy?: string;
};

const dev = synthMarket(loadMarket('demo', 'dev'));
const { config } = dev;
const template = dev.template.toJSON() as { Resources: Record<string, Resource>; Outputs?: Record<string, unknown> };
const resources = template.Resources;
const ofType = (type: string, from = resources) => Object.entries(from).filter(([, r]) => r.Type === type);
const tagsOf = (r: Resource) =>
  Object.fromEntries(((r.Properties?.['Tags'] ?? []) as { Key: string; Value: string }[]).map((t) => [t.Key, t.Value]));

const [seedId, seed] = ofType('Custom::CvmMarketSeed')[0] ?? [];
const secrets = ofType('AWS::SecretsManager::Secret').filter(([, r]) =>
  String(r.Properties!['Name']).endsWith('-admin-key'),
);

describe('the seed custom resource', () => {
  it('is in the template once, backed by a Node 24 arm64 function of the house construct', () => {
    expect(ofType('Custom::CvmMarketSeed')).toHaveLength(1);
    const fnId = (seed!.Properties!['ServiceToken'] as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const fn = resources[fnId]!;
    expect(fn.Type).toBe('AWS::Lambda::Function');
    expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'] });
    // not the Provider framework: no framework function picking its own runtime
    expect(ofType('AWS::Lambda::Function').filter(([, r]) => r.Properties!['Runtime'] !== 'nodejs24.x')).toEqual([]);
  });

  it('carries the hash of the starter set, the set itself and the tenants, so a config change runs an Update', () => {
    expect(seed!.Properties).toMatchObject({
      StarterHash: contentHash(config.starter),
      Tenants: config.tenants.map((t) => t.id).join(','),
    });
    expect(JSON.parse(seed!.Properties!['Starter'] as string)).toEqual(config.starter);
    const changed = synthMarket({
      ...config,
      starter: { ...config.starter, actions: config.starter.actions.map((a) => ({ ...a, value: a.value + 1 })) },
    });
    const [, other] = ofType('Custom::CvmMarketSeed', changed.template.toJSON()['Resources'])[0]!;
    expect(other.Properties!['StarterHash']).not.toBe(seed!.Properties!['StarterHash']);
  });

  it('holds no key material, and neither does any secret, environment or output', () => {
    const text = JSON.stringify(template);
    expect(text).not.toMatch(/cvm_[a-z0-9-]+_admin_/);
    for (const [, s] of secrets) {
      expect(s.Properties).not.toHaveProperty('SecretString');
      expect(s.Properties).not.toHaveProperty('GenerateSecretString');
    }
    const outputs = JSON.stringify(template.Outputs ?? {});
    for (const [secretId] of secrets) expect(outputs).not.toContain(secretId);
    expect(outputs).not.toContain('admin-key');
  });

  it('is deleted with the stack without deleting anything itself (no removal policy keeps it around)', () => {
    expect(resources[seedId!]!.DeletionPolicy ?? 'Delete').toBe('Delete');
  });
});

describe("each tenant's admin-key secret", () => {
  it('exists once per tenant, named cvm-<market>-<stage>-<tenant>-admin-key', () => {
    expect(secrets.map(([, s]) => s.Properties!['Name']).sort()).toEqual(
      config.tenants.map((t) => adminKeySecretName(config, t.id)).sort(),
    );
    expect(adminKeySecretName(config, 'consumer')).toBe('cvm-demo-dev-consumer-admin-key');
  });

  it.each(config.tenants.map((t) => [t.id, t] as const))(
    "for %s is tagged with the tenant and encrypted with the tenant's own key",
    (id, tenant) => {
      const [, secret] = secrets.find(([, s]) => s.Properties!['Name'] === adminKeySecretName(config, id))!;
      expect(tagsOf(secret)).toMatchObject({ [TAG_TENANT]: id, [TAG_COST_CENTER]: tenant.costCenter });
      const keyId = (secret.Properties!['KmsKeyId'] as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      expect(resources[keyId]!.Type).toBe('AWS::KMS::Key');
      expect(tagsOf(resources[keyId]!)[TAG_TENANT]).toBe(id);
    },
  );

  it('is kept on destroy where the stage retains data, and goes with a dev stack', () => {
    for (const [, s] of secrets) expect(s.DeletionPolicy).toBe('Delete');
    const prod = synthMarket(loadMarket('demo', 'prod')).template.toJSON()['Resources'] as Record<string, Resource>;
    const prodSecrets = ofType('AWS::SecretsManager::Secret', prod).filter(([, r]) =>
      String(r.Properties!['Name']).endsWith('-admin-key'),
    );
    expect(prodSecrets).toHaveLength(config.tenants.length);
    for (const [, s] of prodSecrets) expect(s.DeletionPolicy).toBe('Retain');
  });

  it('can be described and written by the seed function, and read by nothing in the stack', () => {
    const statements = ofType('AWS::IAM::Policy').flatMap(([policyId, p]) =>
      (
        p.Properties!['PolicyDocument'] as { Statement: { Action: string | string[]; Resource: unknown }[] }
      ).Statement.map((s) => ({ policyId, actions: [s.Action].flat(), resource: JSON.stringify(s.Resource) })),
    );
    const onAdminSecrets = statements.filter((s) => secrets.some(([secretId]) => s.resource.includes(`"${secretId}"`)));
    expect(onAdminSecrets.map((s) => s.actions)).toEqual([
      ['secretsmanager:DescribeSecret', 'secretsmanager:PutSecretValue'],
    ]);
  });
});

describe('the starter set in the market config', () => {
  it('is the demo catalog and triggers for demo, and empty for a market without one', () => {
    expect(config.starter.actions.length).toBeGreaterThan(0);
    expect(config.starter.triggers.map((t) => t.triggerId).sort()).toEqual([
      'data-80-percent',
      'exit-interview-after-churn',
      'third-dropped-call',
    ]);
    expect(loadMarket('ir').starter).toEqual({ actions: [], triggers: [] });
  });

  it('is validated as the API validates actions and triggers, naming the field', () => {
    const raw = MARKETS['demo']!;
    const starter = loadMarket('demo').starter;
    const bad = (s: unknown) => () => parseMarketConfig('demo', { ...raw, starter: s });
    expect(bad({ ...starter, triggers: [{ ...starter.triggers[0]!, actionId: 'nope' }] })).toThrow(
      /starter\.triggers\.0\.actionId: nope is not in the starter actions/,
    );
    expect(bad({ ...starter, actions: [{ ...starter.actions[0]!, kind: 'spam' }] })).toThrow(
      /starter\.actions\.0\.kind/,
    );
    expect(bad({ ...starter, actions: [{ ...starter.actions[0]!, colour: 'red' }] })).toThrow(/starter\.actions\.0/);
  });
});
