import { describe, expect, it } from 'vitest';
import type { Action, ContactRecord } from './action.ts';
import { contactAllowed, contactsOf, DEFAULT_CONTACT_LIMITS, type ContactPolicy, type ContactRequest } from './contact-policy.ts';

const policy: ContactPolicy = { timeZone: 'Africa/Johannesburg', quietHours: { start: '20:00', end: '08:00' }, ...DEFAULT_CONTACT_LIMITS };
const offer: Action = {
  actionId: 'bundle', name: 'Bundle', kind: 'offer', treatments: {}, eligibility: true, propensity: { starting: 0.1 }, value: 10, lever: 1,
  limits: { perCustomer: [{ max: 2, days: 7 }] },
};
const noon = new Date('2025-03-12T10:00:00Z'); // 12:00 in Johannesburg
const night = new Date('2025-03-12T20:30:00Z'); // 22:30
const req = (over: Partial<ContactRequest> = {}): ContactRequest => ({ action: offer, channel: 'sms', direction: 'outbound', consent: { sms: true }, now: noon, ...over });
const contact = (daysAgo: number, over: Partial<ContactRecord> = {}): ContactRecord => ({
  id: `d${daysAgo}`, at: new Date(noon.getTime() - daysAgo * 86_400_000).toISOString(), channel: 'sms', actionId: 'bundle', kind: 'offer', source: 'decision', ...over,
});
const codeOf = (v: ReturnType<typeof contactAllowed>) => (v.allowed ? 'allowed' : v.reason.code);

describe('the contact policy', () => {
  it('needs an opt-in for marketing but only the absence of an opt-out for service', () => {
    expect(codeOf(contactAllowed([], req({ consent: {} }), policy))).toBe('no-consent');
    expect(codeOf(contactAllowed([], req({ consent: {}, action: { ...offer, kind: 'service' } }), policy))).toBe('allowed');
    expect(codeOf(contactAllowed([], req({ consent: { sms: false }, action: { ...offer, kind: 'service' } }), policy))).toBe('no-consent');
  });

  it('keeps outbound channels quiet at night in the market time zone, but not an inbound one', () => {
    expect(codeOf(contactAllowed([], req({ now: night }), policy))).toBe('quiet-hours');
    expect(codeOf(contactAllowed([], req({ now: night, channel: 'ussd', consent: { ussd: true }, direction: 'inbound' }), policy))).toBe('allowed');
    expect(codeOf(contactAllowed([], req({ now: night, channel: 'call-centre', consent: { 'call-centre': true }, direction: 'outbound' }), policy))).toBe('quiet-hours');
    const deferred = contactAllowed([], req({ now: night }), policy, { deferQuietHours: true });
    expect(deferred).toEqual({ allowed: true, sendAfter: '2025-03-13T06:00:00.000Z' });
  });

  it('suppresses an action for the configured days after a decline, then allows it again', () => {
    const declined = contact(20, { response: 'declined', respondedAt: contact(20).at });
    expect(codeOf(contactAllowed([declined], req(), policy))).toBe('declined-recently');
    expect(codeOf(contactAllowed([{ ...declined, at: contact(40).at, respondedAt: contact(31).at }], req(), policy))).toBe('allowed');
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
    expect(codeOf(contactAllowed(full, req({ action: mandatory }), { ...policy, mandatoryExempt: false }))).toBe('declined-recently');
    expect(codeOf(contactAllowed([], req({ action: mandatory, consent: {} }), policy))).toBe('no-consent');
  });

  it('reads decision log items and trigger contacts as one ledger', () => {
    const ledger = contactsOf([
      { id: 'd1', at: '2025-03-01T00:00:00Z', channel: 'app', offers: [{ actionId: 'a', kind: 'offer', response: 'declined', respondedAt: '2025-03-02T00:00:00Z' }, { actionId: 'b', kind: 'service' }] },
      { id: 't1', at: '2025-03-03T00:00:00Z', channel: 'sms', actionId: 'c', kind: 'offer', source: 'trigger' },
      { id: 'junk' },
    ]);
    expect(ledger.map((c) => [c.actionId, c.source, c.response])).toEqual([['a', 'decision', 'declined'], ['b', 'decision', undefined], ['c', 'trigger', undefined]]);
  });
});
