import { unitHash } from '../decisioning/experiments.ts';

export type CampaignGroup = 'control' | 'treatment';
export const CAMPAIGN_PHASES = ['pilot', 'rollout'] as const;
export type CampaignPhase = (typeof CAMPAIGN_PHASES)[number];

/**
 * Sticky, deterministic membership: the same customer lands in the same group and phase of a
 * campaign on every run, retry and replay, with nothing stored to decide it.
 */
export function campaignGroup(
  tenant: string,
  campaignId: string,
  customerId: string,
  controlPercent: number,
): CampaignGroup {
  return unitHash(`${tenant}\u0000${campaignId}\u0000${customerId}`, 7) * 100 < controlPercent
    ? 'control'
    : 'treatment';
}

/**
 * The pilot is a slice of both groups, so the pilot has its own control to measure against;
 * everyone else waits for the roll-out.
 */
export function campaignPhase(
  tenant: string,
  campaignId: string,
  customerId: string,
  pilotPercent: number,
): CampaignPhase {
  return unitHash(`${tenant}\u0000${campaignId}\u0000${customerId}`, 11) * 100 < pilotPercent ? 'pilot' : 'rollout';
}

/** Which of `segments` work ranges a customer belongs to (list audiences, member shards). */
export const segmentOf = (customerId: string, segments: number): number =>
  Math.floor(unitHash(customerId, 13) * segments);
