import { describe, expect, it } from 'vitest';
import {
  AUDIENCE_TTL_LAG_DAYS,
  audienceExpired,
  audienceRetainedUntil,
  audienceRetentionErrors,
  audiencesStillHeldAfter,
  responseWindowErrors,
  ttlOf,
} from './retention.ts';

const NOW = new Date('2026-03-01T08:00:00.000Z');
const EXPIRY = '2026-03-31T08:00:00.000Z';

describe('an uploaded audience under retention', () => {
  it('expires audienceDays after its creation, with a TTL in epoch seconds that never goes early', () => {
    expect(audienceRetainedUntil(NOW, 30)).toBe(EXPIRY);
    expect(ttlOf(EXPIRY)).toBe(Date.parse(EXPIRY) / 1000);
    expect(ttlOf('2026-03-31T08:00:00.001Z')).toBe(Date.parse(EXPIRY) / 1000 + 1);
  });

  it('is expired from its expiry on; one kept from before retention never is', () => {
    expect(audienceExpired({ retainedUntil: EXPIRY }, new Date(Date.parse(EXPIRY) - 1))).toBe(false);
    expect(audienceExpired({ retainedUntil: EXPIRY }, new Date(EXPIRY))).toBe(true);
    expect(audienceExpired({}, new Date('2099-01-01T00:00:00Z'))).toBe(false);
  });

  it('is still read by erasure for the days TTL may take to delete it', () => {
    expect(audiencesStillHeldAfter(NOW)).toBe(
      new Date(NOW.getTime() - AUDIENCE_TTL_LAG_DAYS * 86_400_000).toISOString(),
    );
  });
});

describe('a campaign on an uploaded audience', () => {
  const errors = (schedule?: Parameters<typeof audienceRetentionErrors>[2], now = NOW) =>
    audienceRetentionErrors('aud-1', EXPIRY, schedule, now);

  it('starts now on a live audience, and is refused one that has expired', () => {
    expect(errors()).toEqual([]);
    expect(errors(undefined, new Date(EXPIRY))).toEqual([
      { field: 'audience.audienceId', message: `audience aud-1 expired at ${EXPIRY}; upload the list again` },
    ]);
  });

  it('is refused a run scheduled at or after the expiry', () => {
    expect(errors({ startAt: '2026-03-30T08:00:00Z', repeat: 'none' })).toEqual([]);
    expect(errors({ startAt: EXPIRY, repeat: 'none' })).toMatchObject([{ field: 'schedule.startAt' }]);
  });

  it('repeats only until the audience expires, and must say until when', () => {
    expect(errors({ startAt: '2026-03-02T08:00:00Z', repeat: 'weekly', until: '2026-03-31T07:59:59Z' })).toEqual([]);
    expect(errors({ startAt: '2026-03-02T08:00:00Z', repeat: 'weekly', until: EXPIRY })).toMatchObject([
      { field: 'schedule.until' },
    ]);
    expect(errors({ startAt: '2026-03-02T08:00:00Z', repeat: 'daily' })).toMatchObject([
      { field: 'schedule.until', message: expect.stringMatching(/needs an `until` before it/) },
    ]);
    expect(errors({ startAt: '2026-03-02T08:00:00Z', repeat: 'daily', until: '2026-04-30T00:00:00Z' })).toMatchObject([
      { field: 'schedule.until', message: expect.stringContaining(`expires at ${EXPIRY}`) },
    ]);
  });

  it('has nothing to check on an audience kept from before retention', () => {
    expect(
      audienceRetentionErrors('aud-0', undefined, { startAt: '2099-01-01T00:00:00Z', repeat: 'daily' }, NOW),
    ).toEqual([]);
  });
});

describe("a campaign's response window against the retention", () => {
  const limits = { decisionLogDays: 32, acceptDays: 180 };

  it('takes a window up to the decision log retention', () => {
    expect(responseWindowErrors(32 * 86_400, limits)).toEqual([]);
    expect(responseWindowErrors(12 * 3600, limits)).toEqual([]);
  });

  it('refuses a longer one, naming both numbers', () => {
    expect(responseWindowErrors(45 * 86_400, limits)).toEqual([
      {
        field: 'responseWindow',
        message:
          '45 days is longer than the decision log keeps a decision (retention.decisionLogDays: 32 days): responses after that would not count; at most P32D',
      },
    ]);
    expect(responseWindowErrors(32.5 * 86_400, limits)[0]?.message).toMatch(/^32.50 days is longer/);
  });

  it("refuses one longer than a customer's acceptances are kept, however long the log keeps decisions", () => {
    expect(responseWindowErrors(200 * 86_400, { decisionLogDays: 365, acceptDays: 180 })).toMatchObject([
      { field: 'responseWindow', message: expect.stringMatching(/^200 days .* \(180 days\).*at most P180D$/) },
    ]);
  });
});
