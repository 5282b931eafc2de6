import { customResourceHandler } from '#adapters/cloudformation/custom-resource.ts';
import { seedMarket } from '#app/seed-market.ts';
import { logger } from '#edge/logger.ts';
import { Starter } from '#http/schemas/starter.ts';
import { seedEnv, seedPortsFor } from '#composition/seed-market.ts';

const env = seedEnv();
const seed = seedMarket(seedPortsFor(env, logger));

/** The custom resource's `Starter` property: the market's starter set as JSON (CloudFormation would stringify numbers and booleans in a nested object). */
function starterOf(properties: Record<string, unknown>): Starter {
  const raw = properties['Starter'];
  const parsed = Starter.safeParse(typeof raw === 'string' ? JSON.parse(raw) : raw);
  if (!parsed.success)
    throw new Error(`the Starter property is not a valid starter set: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

/**
 * `cdk deploy` applies the market's starter set and issues each tenant's first admin key through
 * this custom resource (lib/constructs/market-seed.ts). Create and Update apply; Delete leaves
 * every item and key in place (the stage config decides what the tables keep).
 */
export const handler = customResourceHandler({
  physicalResourceId: () => `cvm-${env.DEPLOYMENT}-seed`,
  apply: async (properties) => {
    const report = await seed({ tenants: Object.keys(env.TENANT_TABLES), starter: starterOf(properties) });
    logger.info('seeded the market', { report });
  },
});
