import * as z from 'zod';

/**
 * A stage is one deployment of a market (dev, staging, prod, or a person's own): every physical
 * name carries market and stage, so several stages of one market can share an AWS account. What a
 * stage keeps when it is torn down is its own config: prod-like stages keep everything, dev is
 * destroyable.
 */
export const StageName = z
  .string()
  .regex(/^[a-z][a-z0-9]{0,11}$/, 'lower-case letters and digits, starting with a letter, at most 12');

export const StageSettings = z.strictObject({
  /** The `cvm:environment` tag and what finance groups the stage's cost under. */
  environment: z.enum(['dev', 'test', 'staging', 'prod']),
  /** Tables, secrets and log groups survive `cdk destroy` (RETAIN) instead of being deleted. */
  retainData: z.boolean(),
  /** DynamoDB deletion protection on the tables. */
  deletionProtection: z.boolean(),
  /** CloudFormation termination protection on the stack. */
  terminationProtection: z.boolean(),
});
export type StageSettings = z.infer<typeof StageSettings>;

const PROD_LIKE = { retainData: true, deletionProtection: true, terminationProtection: true } as const;
const DESTROYABLE = { retainData: false, deletionProtection: false, terminationProtection: false } as const;

/** The stages every market has unless its config lists its own. */
export const DEFAULT_STAGES: Record<string, StageSettings> = {
  dev: { environment: 'dev', ...DESTROYABLE },
  test: { environment: 'test', ...DESTROYABLE },
  staging: { environment: 'staging', ...PROD_LIKE },
  prod: { environment: 'prod', ...PROD_LIKE },
};

export const DEFAULT_STAGE = 'dev';

export const Stage = StageSettings.extend({ name: StageName });
export type Stage = z.infer<typeof Stage>;
