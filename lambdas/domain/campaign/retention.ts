import type { FieldError } from '../errors.ts';
import type { CampaignSchedule } from './schedule.ts';

/**
 * What the market's retention allows a campaign: an uploaded audience is kept
 * `retention.audienceDays` (its ids are phone numbers: personal data with a limit), and a decision
 * `retention.decisionLogDays`, which bounds how long a campaign contact can still be answered.
 */

const DAY_MS = 86_400_000;

/** An audience's default retention (market config `retention.audienceDays`). */
export const DEFAULT_AUDIENCE_DAYS = 90;
/**
 * The shortest retention the config takes: a list uploaded today must outlive a campaign scheduled
 * a week ahead (one weekly cadence), or scheduling on a fresh upload would be refused.
 */
export const MIN_AUDIENCE_DAYS = 7;
/**
 * DynamoDB's TTL deletes expired items within a few days, not at the instant: erasure and subject
 * access still read audiences that expired this recently, since their ids may still be stored.
 */
export const AUDIENCE_TTL_LAG_DAYS = 7;

/** When an audience created at `createdAt` expires: its record and ids are deleted after it. */
export const audienceRetainedUntil = (createdAt: Date, audienceDays: number): string =>
  new Date(createdAt.getTime() + audienceDays * DAY_MS).toISOString();

/** The DynamoDB TTL of an instant: epoch seconds, rounded up so nothing goes before its time. */
export const ttlOf = (instant: string): number => Math.ceil(Date.parse(instant) / 1000);

/** Whether an audience is past its retention at `now` (one kept from before retention never is). */
export const audienceExpired = (audience: { retainedUntil?: string }, now: Date): boolean =>
  audience.retainedUntil !== undefined && Date.parse(audience.retainedUntil) <= now.getTime();

/** Audiences expiring after this instant may still hold ids: what erasure and subject access read. */
export const audiencesStillHeldAfter = (now: Date): string =>
  new Date(now.getTime() - AUDIENCE_TTL_LAG_DAYS * DAY_MS).toISOString();

/**
 * What is wrong with a campaign on an uploaded audience kept until `retainedUntil`: every run
 * selects its members when it starts, so no run may start once the list is gone. A campaign
 * manager learns it at creation rather than from a run failing weeks later: a one-off run must
 * start before the expiry, a repeating one must end (`until`) before it.
 */
export function audienceRetentionErrors(
  audienceId: string,
  retainedUntil: string | undefined,
  schedule: CampaignSchedule | undefined,
  now: Date,
): FieldError[] {
  if (retainedUntil === undefined) return [];
  const expiry = Date.parse(retainedUntil);
  const field = 'audience.audienceId';
  if (expiry <= now.getTime())
    return [{ field, message: `audience ${audienceId} expired at ${retainedUntil}; upload the list again` }];
  if (!schedule) return [];
  const later = `audience ${audienceId} expires at ${retainedUntil} (market retention.audienceDays)`;
  if (Date.parse(schedule.startAt) >= expiry)
    return [{ field: 'schedule.startAt', message: `${later}: the run would find no list; start before it` }];
  if (schedule.repeat === 'none') return [];
  if (schedule.until === undefined)
    return [
      {
        field: 'schedule.until',
        message: `${later}: a repeating campaign on an uploaded audience needs an \`until\` before it`,
      },
    ];
  if (Date.parse(schedule.until) >= expiry)
    return [{ field: 'schedule.until', message: `${later}: runs from then on would find no list; end before it` }];
  return [];
}

/**
 * A response window longer than the decision log's retention: a campaign contact answered through
 * `POST /v1/decisions/{id}/responses` after its decision expired is refused (404), so the
 * campaign would not count it. The ledger keeps an acceptance `acceptDays`, the other bound.
 */
export function responseWindowErrors(
  windowSeconds: number,
  limits: { decisionLogDays: number; acceptDays: number },
): FieldError[] {
  const days = windowSeconds / 86_400;
  const field = 'responseWindow';
  const shown = Number.isInteger(days) ? `${days}` : days.toFixed(2);
  if (days > limits.decisionLogDays)
    return [
      {
        field,
        message: `${shown} days is longer than the decision log keeps a decision (retention.decisionLogDays: ${limits.decisionLogDays} days): responses after that would not count; at most P${limits.decisionLogDays}D`,
      },
    ];
  if (days > limits.acceptDays)
    return [
      {
        field,
        message: `${shown} days is longer than a customer's acceptances are kept (${limits.acceptDays} days): responses early in the window would not count; at most P${limits.acceptDays}D`,
      },
    ];
  return [];
}
