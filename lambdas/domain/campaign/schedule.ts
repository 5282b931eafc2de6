import { createHash } from 'node:crypto';
import type { FieldError } from '../errors.ts';

export type Repeat = 'none' | 'daily' | 'weekly';

/** When a campaign runs: once at `startAt`, or again every day or week at the same local time until `until`. */
export interface CampaignSchedule {
  /** ISO 8601 instant of the first run. */
  startAt: string;
  repeat: Repeat;
  /** ISO 8601 instant: no run starts after it. */
  until?: string;
}

/** The local days between two runs. */
const STEP_DAYS: Record<Exclude<Repeat, 'none'>, number> = { daily: 1, weekly: 7 };
/** The shortest time between two runs (a day in which the clocks go forward is 23 hours). */
export const REPEAT_MIN_SECONDS: Record<Exclude<Repeat, 'none'>, number> = { daily: 23 * 3600, weekly: 167 * 3600 };

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f)
    formatters.set(
      timeZone,
      (f = new Intl.DateTimeFormat('en-GB', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      })),
    );
  return f;
}

/** The wall-clock reading of an instant in a time zone, as if it were UTC (milliseconds kept). */
export function localWallClock(at: Date, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatterOf(timeZone).formatToParts(at)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return (
    Date.UTC(parts['year']!, parts['month']! - 1, parts['day']!, parts['hour']!, parts['minute']!, parts['second']!) +
    (((at.getTime() % 1000) + 1000) % 1000)
  );
}

const offsetAt = (t: number, timeZone: string) => localWallClock(new Date(t), timeZone) - t;

/**
 * The instant a wall-clock reading (as UTC milliseconds) names in a time zone. A reading the clocks
 * skip (spring forward) moves on by the gap; a reading they repeat (fall back) is its later instant.
 */
export function instantOfWallClock(wall: number, timeZone: string): Date {
  const first = offsetAt(wall, timeZone);
  const t = wall - first;
  const second = offsetAt(t, timeZone);
  if (second === first) return new Date(t);
  const retry = wall - second;
  if (offsetAt(retry, timeZone) === second) return new Date(retry);
  // in the gap: read with the offset before the change, which lands after it
  return new Date(wall - Math.min(first, second));
}

/** Run `n` (0 is the first) of a schedule: `startAt`'s local time, `n` days or weeks of the zone's calendar later. */
export function runAt(schedule: CampaignSchedule, n: number, timeZone: string): Date {
  const start = new Date(schedule.startAt);
  if (n === 0 || schedule.repeat === 'none') return start;
  const wall = localWallClock(start, timeZone);
  const day = 86_400_000;
  const dayStart = Math.floor(wall / day) * day;
  return instantOfWallClock(dayStart + n * STEP_DAYS[schedule.repeat] * day + (wall - dayStart), timeZone);
}

/** The first run strictly after `after` that is not after `until`; none when the schedule has ended. */
export function nextRunAfter(schedule: CampaignSchedule, after: Date, timeZone: string): Date | undefined {
  const until = schedule.until ? Date.parse(schedule.until) : Number.POSITIVE_INFINITY;
  const fits = (d: Date) => (d.getTime() <= until ? d : undefined);
  const start = new Date(schedule.startAt);
  if (start > after) return fits(start);
  if (schedule.repeat === 'none') return undefined;
  // start near the answer: runs are at least REPEAT_MIN_SECONDS apart
  let n = Math.max(
    1,
    Math.floor((after.getTime() - start.getTime()) / (REPEAT_MIN_SECONDS[schedule.repeat] * 1000)) - 1,
  );
  while (n > 1 && runAt(schedule, n - 1, timeZone) > after) n--;
  let next = runAt(schedule, n, timeZone);
  while (next <= after) next = runAt(schedule, ++n, timeZone);
  return fits(next);
}

const isInstant = (s: string) =>
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s));

/**
 * What is wrong with a schedule for a campaign whose one run lasts up to `runSeconds`: instants that
 * are not ISO 8601 with an offset, a start in the past, `until` before the start, or repeats closer
 * than a run lasts (runs of one campaign never overlap).
 */
export function scheduleErrors(schedule: CampaignSchedule, now: Date, runSeconds: number): FieldError[] {
  const errors: FieldError[] = [];
  if (!isInstant(schedule.startAt))
    errors.push({
      field: 'schedule.startAt',
      message: 'an ISO 8601 instant with its offset, e.g. 2026-03-01T08:00:00Z',
    });
  else if (Date.parse(schedule.startAt) < now.getTime())
    errors.push({
      field: 'schedule.startAt',
      message: `in the past (the platform's clock reads ${now.toISOString()})`,
    });
  if (schedule.until !== undefined) {
    if (!isInstant(schedule.until))
      errors.push({
        field: 'schedule.until',
        message: 'an ISO 8601 instant with its offset, e.g. 2026-06-01T00:00:00Z',
      });
    else if (isInstant(schedule.startAt) && Date.parse(schedule.until) < Date.parse(schedule.startAt))
      errors.push({ field: 'schedule.until', message: 'before schedule.startAt' });
  }
  if (schedule.repeat !== 'none' && runSeconds > REPEAT_MIN_SECONDS[schedule.repeat])
    errors.push({
      field: 'responseWindow',
      message: `a ${schedule.repeat} run waits its response window twice (pilot, roll-out): at most ${REPEAT_MIN_SECONDS[schedule.repeat] / 2 / 3600} hours, so runs do not overlap`,
    });
  return errors;
}

/** The id of a campaign's `n`-th run (1 is the first). */
export const runIdOf = (n: number): string => `run-${n}`;

/** Where a run keeps its members: each run its own, so no customer is contacted twice in one run. */
export const runMembersKey = (campaignId: string, runId: string | undefined): string =>
  runId ? `${campaignId}~${runId}` : campaignId;

/** A campaign and the run key of a member key (`<campaignId>~<runId>`, or the campaign of an unscheduled run). */
export function splitRunMembersKey(key: string): { campaignId: string; runId?: string } {
  const i = key.indexOf('~');
  return i < 0 ? { campaignId: key } : { campaignId: key.slice(0, i), runId: key.slice(i + 1) };
}

/** The name of the one-time schedule that starts a campaign's run due `at`: the same every time, 36 characters. */
export const runScheduleName = (tenant: string, campaignId: string, at: Date): string =>
  `run-${createHash('sha256').update(`${tenant}\u0000${campaignId}\u0000${at.toISOString()}`).digest('hex').slice(0, 32)}`;
