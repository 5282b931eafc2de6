import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Action, ContactRecord } from './action.ts';
import {
  contactAllowed,
  contactsOf,
  DEFAULT_CONTACT_LIMITS,
  historyDays,
  historySince,
  type ContactPolicy,
  type ContactRequest,
} from './contact-policy.ts';

const policy: ContactPolicy = {
  timeZone: 'Africa/Johannesburg',
  quietHours: { start: '20:00', end: '08:00' },
  ...DEFAULT_CONTACT_LIMITS,
};
const offer: Action = {
  actionId: 'bundle',
  name: 'Bundle',
  kind: 'offer',
  treatments: {},
  eligibility: true,
  propensity: { starting: 0.1 },
  value: 10,
  lever: 1,
  limits: { perCustomer: [{ max: 2, days: 7 }] },
};
const noon = new Date('2025-03-12T10:00:00Z'); // 12:00 in Johannesburg
const night = new Date('2025-03-12T20:30:00Z'); // 22:30
const req = (over: Partial<ContactRequest> = {}): ContactRequest => ({
  action: offer,
  channel: 'sms',
  direction: 'outbound',
  consent: { sms: true },
  now: noon,
  ...over,
});
const contact = (daysAgo: number, over: Partial<ContactRecord> = {}): ContactRecord => ({
  id: `d${daysAgo}`,
  at: new Date(noon.getTime() - daysAgo * 86_400_000).toISOString(),
  channel: 'sms',
  actionId: 'bundle',
  kind: 'offer',
  source: 'decision',
  ...over,
});
const codeOf = (v: ReturnType<typeof contactAllowed>) => (v.allowed ? 'allowed' : v.reason.code);

describe('the contact policy', () => {
  it('needs an opt-in for marketing but only the absence of an opt-out for service', () => {
    expect(codeOf(contactAllowed([], req({ consent: {} }), policy))).toBe('no-consent');
    expect(codeOf(contactAllowed([], req({ consent: {}, action: { ...offer, kind: 'service' } }), policy))).toBe(
      'allowed',
    );
    expect(
      codeOf(contactAllowed([], req({ consent: { sms: false }, action: { ...offer, kind: 'service' } }), policy)),
    ).toBe('no-consent');
  });

  it('keeps outbound channels quiet at night in the market time zone, but not an inbound one', () => {
    expect(codeOf(contactAllowed([], req({ now: night }), policy))).toBe('quiet-hours');
    expect(
      codeOf(
        contactAllowed([], req({ now: night, channel: 'ussd', consent: { ussd: true }, direction: 'inbound' }), policy),
      ),
    ).toBe('allowed');
    expect(
      codeOf(
        contactAllowed(
          [],
          req({ now: night, channel: 'call-centre', consent: { 'call-centre': true }, direction: 'outbound' }),
          policy,
        ),
      ),
    ).toBe('quiet-hours');
    const deferred = contactAllowed([], req({ now: night }), policy, { deferQuietHours: true });
    expect(deferred).toEqual({ allowed: true, sendAfter: '2025-03-13T06:00:00.000Z' });
  });

  it('suppresses an action for the configured days after a decline, then allows it again', () => {
    const declined = contact(20, { response: 'declined', respondedAt: contact(20).at });
    expect(codeOf(contactAllowed([declined], req(), policy))).toBe('declined-recently');
    expect(
      codeOf(contactAllowed([{ ...declined, at: contact(40).at, respondedAt: contact(31).at }], req(), policy)),
    ).toBe('allowed');
  });

  it('counts the action limit, the channel limit and the overall limit over their windows', () => {
    expect(codeOf(contactAllowed([contact(1), contact(2)], req(), policy))).toBe('action-limit');
    expect(codeOf(contactAllowed([contact(1), contact(8)], req(), policy))).toBe('allowed');
    const others = [1, 2, 3].map((d) => contact(d, { actionId: `other-${d}` }));
    expect(codeOf(contactAllowed(others, req(), policy))).toBe('channel-limit');
    const many = Array.from({ length: 40 }, (_, i) => contact(i / 10, { actionId: `x${i}`, channel: 'app' }));
    expect(codeOf(contactAllowed(many, req(), policy))).toBe('overall-limit');
    const household = Array.from({ length: 60 }, (_, i) => contact(1, { actionId: `h${i}`, id: `h${i}` }));
    expect(codeOf(contactAllowed([], req(), policy, { householdHistory: household }))).toBe('household-limit');
  });

  it('exempts mandatory actions from limits and suppression, never from consent', () => {
    const mandatory = { ...offer, mandatory: true };
    const full = [contact(1, { response: 'declined' }), contact(2), contact(3)];
    expect(codeOf(contactAllowed(full, req({ action: mandatory }), policy))).toBe('allowed');
    expect(codeOf(contactAllowed(full, req({ action: mandatory }), { ...policy, mandatoryExempt: false }))).toBe(
      'declined-recently',
    );
    expect(codeOf(contactAllowed([], req({ action: mandatory, consent: {} }), policy))).toBe('no-consent');
  });

  it('reads decision log items and trigger contacts as one ledger', () => {
    const ledger = contactsOf([
      {
        id: 'd1',
        at: '2025-03-01T00:00:00Z',
        channel: 'app',
        offers: [
          { actionId: 'a', kind: 'offer', response: 'declined', respondedAt: '2025-03-02T00:00:00Z' },
          { actionId: 'b', kind: 'service' },
        ],
      },
      { id: 't1', at: '2025-03-03T00:00:00Z', channel: 'sms', actionId: 'c', kind: 'offer', source: 'trigger' },
      { id: 'junk' },
    ]);
    expect(ledger.map((c) => [c.actionId, c.source, c.response])).toEqual([
      ['a', 'decision', 'declined'],
      ['b', 'decision', undefined],
      ['c', 'trigger', undefined],
    ]);
  });
});

/** The policy's rules written the obvious way (filter the whole history per limit): the reference. */
function naiveCode(
  history: readonly ContactRecord[],
  r: ContactRequest,
  p: ContactPolicy,
  household?: readonly ContactRecord[],
): string {
  const DAY = 86_400_000;
  // contacts dated after now count as made now
  const within = (at: string, days: number) => r.now.getTime() - Math.min(Date.parse(at), r.now.getTime()) < days * DAY;
  const marketing = (c: ContactRecord) => c.kind === 'offer' || c.kind === 'retention';
  const first = contactAllowed([], r, { ...p, perChannel: {}, overall: undefined, household: undefined });
  if (!first.allowed) return first.reason.code;
  if (r.action.mandatory && p.mandatoryExempt) return 'allowed';
  if (
    history.some(
      (c) =>
        c.actionId === r.action.actionId &&
        c.response === 'declined' &&
        within(c.respondedAt ?? c.at, p.declineSuppressionDays),
    )
  )
    return 'declined-recently';
  for (const l of r.action.limits.perCustomer) {
    if (
      history.filter(
        (c) => c.actionId === r.action.actionId && (!l.channel || c.channel === l.channel) && within(c.at, l.days),
      ).length >= l.max
    )
      return 'action-limit';
  }
  if (r.action.kind !== 'offer' && r.action.kind !== 'retention') return 'allowed';
  const ch = p.perChannel[r.channel];
  if (ch && history.filter((c) => marketing(c) && c.channel === r.channel && within(c.at, ch.days)).length >= ch.max)
    return 'channel-limit';
  if (p.overall && history.filter((c) => marketing(c) && within(c.at, p.overall!.days)).length >= p.overall.max)
    return 'overall-limit';
  if (
    p.household &&
    household &&
    household.filter((c) => marketing(c) && within(c.at, p.household!.days)).length >= p.household.max
  )
    return 'household-limit';
  return 'allowed';
}

describe('the indexed ledger', () => {
  const channels = ['sms', 'app', 'ussd', 'call-centre'] as const;
  const record = fc
    .record({
      // window edges (2, 3, 5, 7, 10 days) are where off-by-one errors live
      hoursAgo: fc.oneof(fc.integer({ min: -48, max: 40 * 24 }), fc.constantFrom(48, 72, 120, 168, 240)),
      respondedHoursLater: fc.option(fc.integer({ min: 0, max: 10 * 24 })),
      channel: fc.constantFrom(...channels),
      actionId: fc.constantFrom('bundle', 'addon', 'care'),
      kind: fc.constantFrom('offer', 'retention', 'service', 'information'),
      response: fc.option(fc.constantFrom('accepted', 'declined', 'ignored')),
      id: fc.nat(),
    })
    .map((g): ContactRecord => {
      const at = new Date(noon.getTime() - g.hoursAgo * 3_600_000);
      return {
        id: `c${g.id}`,
        at: at.toISOString(),
        channel: g.channel,
        actionId: g.actionId,
        kind: g.kind as ContactRecord['kind'],
        source: 'decision',
        ...(g.response ? { response: g.response as ContactRecord['response'] } : {}),
        ...(g.response && g.respondedHoursLater !== null
          ? { respondedAt: new Date(at.getTime() + g.respondedHoursLater * 3_600_000).toISOString() }
          : {}),
      };
    });
  const small: ContactPolicy = {
    ...policy,
    perChannel: { sms: { max: 2, days: 3 }, app: { max: 4, days: 7 } },
    overall: { max: 5, days: 7 },
    household: { max: 6, days: 5 },
    declineSuppressionDays: 10,
  };

  it('gives the same verdict as filtering the whole history, for every action asked over one history', () => {
    fc.assert(
      fc.property(
        fc.array(record, { maxLength: 40 }),
        fc.array(record, { maxLength: 30 }),
        fc.constantFrom(...channels),
        fc.boolean(),
        (history, household, channel, mandatory) => {
          for (const [actionId, kind, perCustomer] of [
            ['bundle', 'offer', [{ max: 2, days: 7 }]],
            ['addon', 'retention', [{ channel: 'app', max: 1, days: 2 }]],
            ['care', 'service', []],
          ] as const) {
            const action = { ...offer, actionId, kind, mandatory, limits: { perCustomer: [...perCustomer] } };
            const r = req({
              action,
              channel,
              direction: 'inbound',
              consent: { sms: true, app: true, ussd: true, 'call-centre': true },
            });
            expect(codeOf(contactAllowed(history, r, small, { householdHistory: household }))).toBe(
              naiveCode(history, r, small, household),
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('sees contacts appended to the same array between asks', () => {
    const history: ContactRecord[] = [contact(1)];
    expect(codeOf(contactAllowed(history, req(), policy))).toBe('allowed');
    history.push(contact(2));
    expect(codeOf(contactAllowed(history, req(), policy))).toBe('action-limit');
  });

  it('reads back as far as its longest window, the suppression or a catalog limit', () => {
    expect(historyDays(small, [])).toBe(10);
    expect(historyDays(small, [{ limits: { perCustomer: [{ max: 1, days: 45 }] } }])).toBe(45);
    expect(historySince(noon, 10)).toBe('2025-03-02T10:00:00.000Z');
  });
});
