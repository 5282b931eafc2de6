import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { decisionsEnv, type DecisionsEnv } from './decisions-env.ts';

/** The campaign functions' settings: the decisions settings plus the workflow's own. */
const CampaignsEnv = z.object({
  /** The campaign state machine (AWS); absent locally, where the local runner starts the same ASL. */
  CAMPAIGN_STATE_MACHINE_ARN: z.string().min(1).optional(),
  CAMPAIGN_SEGMENTS: z.coerce.number().int().min(1).max(1000).default(4),
  CAMPAIGN_SHARDS: z.coerce.number().int().min(1).max(1000).default(8),
  CAMPAIGN_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
  CAMPAIGN_POLL_SECONDS: z.coerce.number().int().min(1).default(300),
  /** Scheduled campaigns in AWS: the function a due run invokes (the campaign-step function), the role it is invoked with, the market's schedule name prefix. */
  CAMPAIGN_RUN_TARGET_ARN: z.string().min(1).optional(),
  CAMPAIGN_SCHEDULER_ROLE_ARN: z.string().min(1).optional(),
  CAMPAIGN_SCHEDULE_PREFIX: z.string().min(1).max(27).optional(),
  /** Local runs: the ASL file the local runner reads (default: the repository's). */
  CAMPAIGN_ASL: z.string().min(1).optional(),
});

export interface CampaignsEnv {
  decisions: DecisionsEnv;
  stateMachineArn?: string;
  segments: number;
  shards: number;
  concurrency: number;
  pollSeconds: number;
  aslFile: string;
  /** EventBridge Scheduler settings (AWS); absent locally, where a timer on the platform clock starts runs. */
  scheduler?: { targetArn: string; roleArn: string; namePrefix: string };
}

export const CAMPAIGN_ASL = fileURLToPath(new URL('../../lib/workflows/campaign.asl.json', import.meta.url));

export function campaignsEnv(source: NodeJS.ProcessEnv = process.env): CampaignsEnv {
  const decisions = decisionsEnv(source);
  const parsed = CampaignsEnv.safeParse(source);
  if (!parsed.success) {
    throw new Error(
      `invalid environment: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const e = parsed.data;
  return {
    decisions,
    ...(e.CAMPAIGN_STATE_MACHINE_ARN ? { stateMachineArn: e.CAMPAIGN_STATE_MACHINE_ARN } : {}),
    segments: e.CAMPAIGN_SEGMENTS,
    shards: e.CAMPAIGN_SHARDS,
    concurrency: e.CAMPAIGN_CONCURRENCY,
    pollSeconds: e.CAMPAIGN_POLL_SECONDS,
    aslFile: e.CAMPAIGN_ASL ?? CAMPAIGN_ASL,
    ...(e.CAMPAIGN_RUN_TARGET_ARN && e.CAMPAIGN_SCHEDULER_ROLE_ARN && e.CAMPAIGN_SCHEDULE_PREFIX
      ? {
          scheduler: {
            targetArn: e.CAMPAIGN_RUN_TARGET_ARN,
            roleArn: e.CAMPAIGN_SCHEDULER_ROLE_ARN,
            namePrefix: e.CAMPAIGN_SCHEDULE_PREFIX,
          },
        }
      : {}),
  };
}
