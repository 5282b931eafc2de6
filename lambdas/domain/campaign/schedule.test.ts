import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  instantOfWallClock,
  localWallClock,
  nextRunAfter,
  runAt,
  runScheduleName,
  scheduleErrors,
  splitRunMembersKey,
  runMembersKey,
  type CampaignSchedule,
} from './schedule.ts';

const ZONES = ['Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Africa/Johannesburg', 'Asia/Tehran', 'UTC'];
const DAY = 86_400_000;
const timeOfDay = (at: Date, zone: string) => ((localWallClock(at, zone) % DAY) + DAY) % DAY;
/** Does this wall-clock reading exist in the zone (not skipped by a spring-forward)? */
const exists = (wall: number, zone: string) => localWallClock(instantOfWallClock(wall, zone), zone) === wall;

const schedules = fc.record({
  startMs: fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2030, 0, 1) }).map((t) => t - (t % 1000)),
  repeat: fc.constantFrom<CampaignSchedule['repeat']>('none', 'daily', 'weekly'),
  untilDays: fc.option(fc.integer({ min: 0, max: 800 }), { nil: undefined }),
  zone: fc.constantFrom(...ZONES),
});

/** Every run of a schedule from its start, following nextRunAfter, at most `max`. */
function runsOf(s: CampaignSchedule, zone: string, max: number): Date[] {
  const out: Date[] = [];
  let next = nextRunAfter(s, new Date(Date.parse(s.startAt) - 1), zone);
  while (next && out.length < max) {
    out.push(next);
    next = nextRunAfter(s, next, zone);
  }
  return out;
}

describe('campaign schedules', () => {
  it('runs strictly increase, never after until, and keep the local time of the first run', () => {
    fc.assert(
      fc.property(schedules, ({ startMs, repeat, untilDays, zone }) => {
        const s: CampaignSchedule = {
          startAt: new Date(startMs).toISOString(),
          repeat,
          ...(untilDays !== undefined ? { until: new Date(startMs + untilDays * DAY).toISOString() } : {}),
        };
        const runs = runsOf(s, zone, 20);
        expect(runs[0]?.toISOString()).toBe(s.startAt);
        const startTime = timeOfDay(new Date(startMs), zone);
        for (const [i, r] of runs.entries()) {
          if (i > 0) expect(r.getTime()).toBeGreaterThan(runs[i - 1]!.getTime());
          if (s.until) expect(r.getTime()).toBeLessThanOrEqual(Date.parse(s.until));
          const wall = localWallClock(r, zone);
          const intended = wall - timeOfDay(r, zone) + startTime;
          // the local time is the first run's, unless the clocks skip it that day
          if (exists(intended, zone)) expect(timeOfDay(r, zone)).toBe(startTime);
        }
        if (repeat === 'none') expect(runs).toHaveLength(1);
      }),
      { numRuns: 200 },
    );
  });

  it('a run skipped (late, or the previous still running) is not caught up: the next is after now', () => {
    fc.assert(
      fc.property(schedules, fc.integer({ min: 0, max: 400 * DAY }), ({ startMs, repeat, zone }, late) => {
        const s: CampaignSchedule = { startAt: new Date(startMs).toISOString(), repeat };
        const now = new Date(startMs + late);
        const next = nextRunAfter(s, now, zone);
        if (repeat === 'none') {
          expect(next).toBeUndefined();
          return;
        }
        expect(next!.getTime()).toBeGreaterThan(now.getTime());
        // the answer is a run of the schedule, and the run before it is not after now
        const step = (repeat === 'daily' ? 1 : 7) * DAY;
        const guess = Math.round((next!.getTime() - startMs) / step);
        const k = [guess - 1, guess, guess + 1].find((n) => n >= 1 && runAt(s, n, zone).getTime() === next!.getTime());
        expect(k).toBeDefined();
        expect(runAt(s, k! - 1, zone).getTime()).toBeLessThanOrEqual(now.getTime());
      }),
      { numRuns: 100 },
    );
  });

  it('keeps 08:00 in Berlin across both DST changes (07:00Z in winter, 06:00Z in summer)', () => {
    const s: CampaignSchedule = { startAt: '2026-03-27T07:00:00Z', repeat: 'daily' };
    expect([0, 1, 2, 3].map((n) => runAt(s, n, 'Europe/Berlin').toISOString())).toEqual([
      '2026-03-27T07:00:00.000Z',
      '2026-03-28T07:00:00.000Z',
      '2026-03-29T06:00:00.000Z',
      '2026-03-30T06:00:00.000Z',
    ]);
    const autumn: CampaignSchedule = { startAt: '2026-10-24T06:00:00Z', repeat: 'weekly' };
    expect(runAt(autumn, 1, 'Europe/Berlin').toISOString()).toBe('2026-10-31T07:00:00.000Z');
  });

  it('a local time the clocks skip moves on by the gap', () => {
    // 02:30 on 29 March 2026 does not exist in Berlin: 03:30 CEST
    const s: CampaignSchedule = { startAt: '2026-03-28T01:30:00Z', repeat: 'daily' };
    expect(runAt(s, 1, 'Europe/Berlin').toISOString()).toBe('2026-03-29T01:30:00.000Z');
    expect(runAt(s, 2, 'Europe/Berlin').toISOString()).toBe('2026-03-30T00:30:00.000Z');
  });

  it('refuses a start in the past, until before the start, offsetless instants and overlapping runs', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(scheduleErrors({ startAt: '2026-01-02T00:00:00Z', repeat: 'daily' }, now, 3600)).toEqual([]);
    const fields = (s: CampaignSchedule, run = 3600) => scheduleErrors(s, now, run).map((e) => e.field);
    expect(fields({ startAt: '2025-12-31T23:59:59Z', repeat: 'none' })).toEqual(['schedule.startAt']);
    expect(fields({ startAt: '2026-01-02T00:00:00', repeat: 'none' })).toEqual(['schedule.startAt']);
    expect(fields({ startAt: '2026-01-02T00:00:00Z', repeat: 'none', until: '2026-01-01T12:00:00Z' })).toEqual([
      'schedule.until',
    ]);
    expect(fields({ startAt: '2026-01-02T00:00:00+02:00', repeat: 'daily' }, 2 * 86_400)).toEqual(['responseWindow']);
    expect(fields({ startAt: '2026-01-02T00:00:00Z', repeat: 'weekly' }, 2 * 86_400)).toEqual([]);
  });

  it('names a run schedule the same way every time, in 36 characters, and keys members per run', () => {
    const at = new Date('2026-01-02T00:00:00Z');
    expect(runScheduleName('acme', 'cmp-1', at)).toBe(runScheduleName('acme', 'cmp-1', at));
    expect(runScheduleName('acme', 'cmp-1', at)).not.toBe(runScheduleName('acme', 'cmp-1', new Date(at.getTime() + 1)));
    expect(runScheduleName('acme', 'cmp-1', at)).toMatch(/^run-[0-9a-f]{32}$/);
    expect(runMembersKey('cmp-1', undefined)).toBe('cmp-1');
    expect(splitRunMembersKey(runMembersKey('cmp-1', 'run-2'))).toEqual({ campaignId: 'cmp-1', runId: 'run-2' });
    expect(splitRunMembersKey('cmp-1')).toEqual({ campaignId: 'cmp-1' });
  });
});
