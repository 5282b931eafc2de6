import type { CampaignPhase } from '#domain/campaign/assignment.ts';
import type { CampaignStatus } from '#domain/campaign/campaign.ts';
import type { TenantId } from '#domain/ids.ts';

/** One task of the campaign workflow: the state machine passes `step` and what the step needs. */
export type CampaignStepInput =
  | { step: 'prepare'; tenant: TenantId; campaignId: string }
  | { step: 'select'; tenant: TenantId; campaignId: string; segment: number; totalSegments: number }
  | { step: 'selected'; tenant: TenantId; campaignId: string; results: SelectResult[] }
  | { step: 'gate'; tenant: TenantId; campaignId: string; phase: CampaignPhase }
  | { step: 'contact'; tenant: TenantId; campaignId: string; phase: CampaignPhase; shard: number; totalShards: number }
  | { step: 'measure'; tenant: TenantId; campaignId: string; phase: CampaignPhase; totalShards: number }
  | {
      step: 'finalize';
      tenant: TenantId;
      campaignId: string;
      status: CampaignStatus;
      reason?: string;
      error?: { Error?: string; Cause?: string };
    }
  /** Not a state of the workflow: EventBridge Scheduler starts a scheduled campaign's run due `at` with it. */
  | { step: 'start-run'; tenant: TenantId; campaignId: string; at: string };

export type CampaignStepName = CampaignStepInput['step'];
export type StepInput<S extends CampaignStepName> = Extract<CampaignStepInput, { step: S }>;

/** What one audience segment's selection found (the Map item's output). */
export interface SelectResult {
  segment: number;
  audience: number;
  control: number;
  treatment: number;
  pilot: number;
  error?: unknown;
}

/** What one member shard's contact did (the Map item's output). */
export interface ContactResult {
  shard: number;
  contacted: number;
  suppressed: number;
  failed: number;
  control: number;
}
