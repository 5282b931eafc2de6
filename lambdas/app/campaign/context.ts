import { segmentOf } from '#domain/campaign/assignment.ts';
import type { CampaignRecord, RuleSettings } from '#domain/campaign/campaign.ts';
import type { AudienceStore } from '#domain/campaign/audience-ports.ts';
import type { CampaignStore } from '#domain/campaign/ports.ts';
import type { Clock } from '#domain/clock.ts';
import type { ChannelConnectionStore, DeliveryRecorder } from '#domain/delivery/ports.ts';
import { UnavailableError } from '#domain/errors.ts';
import type { TenantId } from '#domain/ids.ts';
import type { Meter } from '#domain/usage-readings.ts';
import type { CustomerRepo } from '#domain/ports/customers.ts';
import type { OutboundQueue } from '#domain/ports/events.ts';
import type { ProfileScan } from '#domain/ports/scoring.ts';
import type { CampaignRunPorts } from '../campaign-runs.ts';
import type { DecisionPorts } from '../decisions.ts';

/** A fault worth retrying (the store or a queue is down or throttling): ASL `Retry` matches the name. */
export class CampaignTransientError extends Error {
  override readonly name = 'CampaignTransientError';
}
/** The campaign is gone or the input is wrong: retrying cannot help. */
export class CampaignStepError extends Error {
  override readonly name = 'CampaignStepError';
}

export interface CampaignStepSettings {
  /** Parallel-scan segments of audience selection (each a Map item). */
  totalSegments: number;
  /** Member shards of contact (each a Map item). */
  totalShards: number;
  /** Waits are divided by this (CVM_TIME_SCALE locally; 1 in AWS). */
  timeScale: number;
  /** How often a paused campaign looks again, in seconds (before scaling). */
  pollSeconds: number;
  /** Customers decided at once inside one shard. */
  concurrency: number;
}

export interface CampaignStepPorts {
  campaigns: CampaignStore;
  customers: CustomerRepo;
  scan: ProfileScan;
  /** Starts a scheduled campaign's runs (`start-run`, which EventBridge Scheduler invokes in AWS). */
  runs?: CampaignRunPorts;
  /** Uploaded audiences, read a segment at a time (`audience: {audienceId}`). */
  audiences?: Pick<AudienceStore, 'get' | 'idsOfShard'>;
  outbound: OutboundQueue;
  decisions: DecisionPorts;
  clock: Clock;
  settings: CampaignStepSettings;
  /** Per-tenant metering: one CampaignContact per member handed off. */
  meter?: Meter;
  /** Audience rules that ran out of evaluation steps (RuleOverBudget), per tenant and segment. */
  rulesOverBudget?: (tenant: TenantId, count: number) => void;
  /** Members not handed off because their text had a placeholder without a value (MessageSkipped). */
  recordDelivery?: DeliveryRecorder;
  /** How a budget's cost prices sending, as the preview does: the tenant's connection of the channel and the market's country. */
  sending?: {
    connections: Pick<ChannelConnectionStore, 'get'>;
    country?: string;
    defaultLanguage: string;
  };
}

/** What every step shares: the ports and the helpers derived from their settings. */
export interface StepContext {
  ports: CampaignStepPorts;
  load(tenant: TenantId, id: string): Promise<CampaignRecord>;
  /** The clock's now, as stored. */
  stamp(): string;
  shardOf(customerId: string): number;
  /** A wait in seconds, divided by the time scale. */
  scaled(seconds: number): number;
  rules: RuleSettings;
}

export function stepContext(ports: CampaignStepPorts): StepContext {
  const { campaigns, settings } = ports;
  return {
    ports,
    load: async (tenant, id) => {
      const c = await campaigns.get(tenant, id);
      if (!c) throw new CampaignStepError(`campaign ${id} not found`);
      return c;
    },
    stamp: () => ports.clock.now().toISOString(),
    shardOf: (customerId) => segmentOf(customerId, settings.totalShards),
    scaled: (seconds) => Math.max(0, Math.ceil(seconds / settings.timeScale)),
    rules: {
      timeZone: ports.decisions.settings.policy.timeZone,
      thresholds: ports.decisions.settings.thresholds,
    },
  };
}

export const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Turns an unavailable store or queue into the error the workflow retries. */
export async function transient<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof UnavailableError) throw new CampaignTransientError(err.message);
    throw err;
  }
}

/** Runs `fn` over `items`, `limit` at a time. */
export async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    range(Math.min(limit, items.length)).map(async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}
