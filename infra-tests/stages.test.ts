import { describe, expect, it } from 'vitest';
import { MarketConfigError } from '#config/market-config.ts';
import { loadMarket } from '#config/markets/index.ts';
import { TAG_ENVIRONMENT } from '../lib/constructs/cost-allocation.ts';
import { synthMarket } from './synth.ts';

type Resource = { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string };

// Properties that name something inside a resource (a key, an index, a metric), not the resource.
const NOT_PHYSICAL = new Set([
  'AttributeName',
  'IndexName',
  'MetricName',
  'StageName',
  'VariantName',
  'KeyName',
  'ModelName',
  'EndpointConfigName',
  'ContainerHostname',
  'TimeToLiveSpecification',
  // scoped to its role or only shown to people
  'PolicyName',
  'DisplayName',
]);

/** Every literal physical name the template gives a resource (`...Name` or `Name` properties). */
function physicalNames(resources: Record<string, Resource>): Map<string, string> {
  const names = new Map<string, string>();
  for (const [id, r] of Object.entries(resources)) {
    for (const [key, value] of Object.entries(r.Properties ?? {})) {
      if (/Name$/.test(key) && !NOT_PHYSICAL.has(key) && typeof value === 'string') names.set(value, `${id}.${key}`);
    }
  }
  return names;
}

describe('stages of one market', () => {
  const dev = synthMarket(loadMarket('demo', 'dev'));
  const prod = synthMarket(loadMarket('demo', 'prod'));
  const devResources = dev.template.toJSON()['Resources'] as Record<string, Resource>;
  const prodResources = prod.template.toJSON()['Resources'] as Record<string, Resource>;

  it('are two stacks, TelcoCvm-<market>-<stage>', () => {
    expect(dev.stack.stackName).toBe('TelcoCvm-demo-dev');
    expect(prod.stack.stackName).toBe('TelcoCvm-demo-prod');
  });

  it('share no physical name, so both fit in one account', () => {
    const devNames = physicalNames(devResources);
    const prodNames = physicalNames(prodResources);
    expect(devNames.size).toBeGreaterThan(20);
    const common = [...devNames.keys()].filter((n) => prodNames.has(n)).map((n) => `${n} (${devNames.get(n)})`);
    expect(common).toEqual([]);
    for (const name of devNames.keys()) expect(name, devNames.get(name)).toMatch(/demo-dev/);
  });

  it('keep prod data through a destroy and let dev go', () => {
    const tables = (resources: Record<string, Resource>) =>
      Object.values(resources).filter((r) => r.Type === 'AWS::DynamoDB::Table');
    expect(tables(prodResources).length).toBeGreaterThan(0);
    for (const t of tables(prodResources)) {
      expect(t.DeletionPolicy).toBe('Retain');
      expect(t.Properties!['DeletionProtectionEnabled']).toBe(true);
    }
    for (const t of tables(devResources)) {
      expect(t.DeletionPolicy).toBe('Delete');
      expect(t.Properties!['DeletionProtectionEnabled']).toBe(false);
    }
    expect(prod.stack.terminationProtection).toBe(true);
    expect(dev.stack.terminationProtection).toBe(false);
  });

  it('tag their resources with the stage environment', () => {
    const envOf = (resources: Record<string, Resource>) =>
      new Set(
        Object.values(resources).flatMap((r) => {
          const tags = r.Properties?.['Tags'];
          return Array.isArray(tags)
            ? (tags as { Key: string; Value: string }[]).filter((t) => t.Key === TAG_ENVIRONMENT).map((t) => t.Value)
            : [];
        }),
      );
    expect([...envOf(devResources)]).toEqual(['dev']);
    expect([...envOf(prodResources)]).toEqual(['prod']);
  });

  it('refuse a stage the market does not declare, naming the known ones', () => {
    expect(() => loadMarket('demo', 'qa')).toThrow(MarketConfigError);
    expect(() => loadMarket('demo', 'qa')).toThrow(/stage: unknown stage 'qa'.*dev, test, staging, prod/);
  });
});
