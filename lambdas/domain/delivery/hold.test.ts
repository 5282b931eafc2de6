import { describe, expect, it } from 'vitest';
import type { CustomerRecord } from '../customer.ts';
import { hopSeconds, needsRecheck, recheckReason, secondsUntilDue } from './hold.ts';

const now = new Date('2026-03-03T05:00:00Z');
const customer = (consent: CustomerRecord['consent']): CustomerRecord => ({
  customerId: 'c-1',
  version: 1,
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
  consent,
});

describe('holding a message until it is due', () => {
  it('waits until sendAfter on the platform clock, in hops of at most 15 minutes', () => {
    expect(secondsUntilDue({ sendAfter: '2026-03-03T06:00:00Z' }, now)).toBe(3600);
    expect(hopSeconds(3600)).toBe(900);
    expect(hopSeconds(2.5)).toBe(2.5);
    expect(secondsUntilDue({ sendAfter: '2026-03-03T04:00:00Z' }, now)).toBe(0);
  });

  it('re-checks a message that was deferred or waited long, not one sent straight away', () => {
    expect(needsRecheck({ createdAt: '2026-03-02T21:00:00Z', sendAfter: '2026-03-03T06:00:00Z' }, now)).toBe(true);
    expect(needsRecheck({ createdAt: '2026-03-03T04:59:00Z', sendAfter: '2026-03-03T04:59:00Z' }, now)).toBe(false);
    expect(needsRecheck({ createdAt: '2026-03-03T04:40:00Z', sendAfter: '2026-03-03T04:40:00Z' }, now)).toBe(true);
  });
});

describe('the re-check at send time', () => {
  const offer = { kind: 'offer' as const, channel: 'sms' as const };
  const service = { kind: 'service' as const, channel: 'sms' as const };

  it('stops a message to an erased customer', () => {
    expect(recheckReason(offer, 'erased')).toBe('erased');
    expect(recheckReason(service, 'erased')).toBe('erased');
  });

  it('stops any message on a channel the customer opted out of since', () => {
    expect(recheckReason(offer, customer({ sms: false }))).toBe('opted-out');
    expect(recheckReason(service, customer({ sms: false }))).toBe('opted-out');
  });

  it('stops marketing without an opt-in, and lets service through unless opted out', () => {
    expect(recheckReason(offer, customer({}))).toBe('no-consent');
    expect(recheckReason(offer, undefined)).toBe('no-consent');
    expect(recheckReason(offer, customer({ sms: true }))).toBeUndefined();
    expect(recheckReason(service, customer({}))).toBeUndefined();
  });
});
