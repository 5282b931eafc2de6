import { describe, expect, it } from 'vitest';
import type { Action } from './action.ts';
import { applyEvents, type CustomerState } from './customer-state.ts';
import type { CustomerRecord } from './customer.ts';
import type { CvmEvent } from './events.ts';
import { ruleProblem } from './rules.ts';
import { evaluateTriggers, firingMessageId, type Trigger } from './triggers.ts';
import { anEvent } from '../test-support/event-builders.ts';

const market = { timezone: 'Africa/Johannesburg', quietHours: { start: '20:00', end: '08:00' }, defaultLanguage: 'en' };
const MIDDAY = new Date('2026-03-02T10:00:00Z'); // 12:00 in Johannesburg
const LATE = new Date('2026-03-02T21:00:00Z'); // 23:00 in Johannesburg
const profile = (consent: CustomerRecord['consent'], language = 'zu'): CustomerRecord =>
  ({ customerId: 'c-1', version: 1, createdAt: '', updatedAt: '', consent, language });

const dropped: Trigger = {
  triggerId: 'third-dropped-call', eventType: 'network.call_dropped', condition: { '>=': [{ var: 'state.droppedCalls24h' }, 3] },
  actionId: 'care-health-check-call', channel: 'call-centre', cooldownHours: 24, priority: 100, enabled: true,
};
const bundle: Trigger = {
  triggerId: 'data-80', eventType: 'usage.data', condition: { '>=': [{ var: 'state.dataUsedPct' }, 80] },
  actionId: 'bigger-bundle-offer', channel: 'sms', cooldownHours: 72, priority: 50, enabled: true,
};
const healthCheck: Action = {
  actionId: 'care-health-check-call', name: 'Network health check', kind: 'service',
  treatments: { 'call-centre': { templateKey: 'care.health-check', text: { en: 'Call about dropped calls', zu: 'Shayela ikhasimende' } } },
  eligibility: true, propensity: { starting: 0.3 }, value: 0, lever: 0, limits: { perCustomer: [] },
};
const offer: Action = { ...healthCheck, actionId: 'bigger-bundle-offer', kind: 'offer', treatments: { sms: { templateKey: 'sms.bundle', text: { en: 'More data?' } } } };
const actions = new Map([[healthCheck.actionId, healthCheck], [offer.actionId, offer]]);

function evaluate(triggers: Trigger[], events: CvmEvent[], opts: { now?: Date; consent?: CustomerRecord['consent']; state?: CustomerState; catalog?: Map<string, Action> } = {}) {
  const now = opts.now ?? MIDDAY;
  const state = applyEvents(opts.state, events, now, { dedupeWindowHours: 48 }).state;
  return evaluateTriggers(triggers, {
    tenant: 'acme', customerId: 'c-1', profile: profile(opts.consent ?? {}), state, event: events.at(-1)!, now, market, actions: opts.catalog ?? actions,
  });
}
const calls = (n: number, now = MIDDAY) => Array.from({ length: n }, (_, i) => anEvent('network.call_dropped', {}, { now, minutesAgo: 10 + i }));

describe('trigger evaluation', () => {
  it('fires the health-check call on the third dropped call, with the treatment in the customer\'s language', () => {
    expect(evaluate([dropped], calls(2)).firings).toEqual([]);
    const { firings, fired } = evaluate([dropped], calls(3));
    expect(firings).toHaveLength(1);
    expect(firings[0]!.message).toMatchObject({
      tenant: 'acme', customerId: 'c-1', channel: 'call-centre', actionId: 'care-health-check-call', kind: 'service',
      treatment: 'care.health-check', language: 'zu', text: 'Shayela ikhasimende', reason: { type: 'trigger', id: 'third-dropped-call' },
      createdAt: MIDDAY.toISOString(), sendAfter: MIDDAY.toISOString(),
    });
    expect(firings[0]!.contact).toEqual({ id: firings[0]!.message.messageId, at: MIDDAY.toISOString(), channel: 'call-centre', actionId: 'care-health-check-call', kind: 'service', source: 'trigger' });
    expect(fired['third-dropped-call']).toBe(MIDDAY.getTime());
  });

  it('names the same firing with the same message id, and another event with another', () => {
    const [a, b] = calls(2);
    expect(firingMessageId('acme', 't', a!.eventId)).toBe(firingMessageId('acme', 't', a!.eventId));
    expect(firingMessageId('acme', 't', a!.eventId)).not.toBe(firingMessageId('acme', 't', b!.eventId));
    expect(firingMessageId('acme', 't', a!.eventId)).not.toBe(firingMessageId('globex', 't', a!.eventId));
  });

  it('holds back a message due in quiet hours until 08:00 local time', () => {
    const { firings } = evaluate([dropped], calls(3, LATE), { now: LATE });
    expect(firings[0]!.message.sendAfter).toBe('2026-03-03T06:00:00.000Z');
  });

  it('respects the cooldown after a firing', () => {
    const first = evaluate([dropped], calls(3));
    const state = { ...applyEvents(undefined, calls(3), MIDDAY, { dedupeWindowHours: 48 }).state, fired: first.fired };
    expect(evaluate([dropped], calls(1), { state }).skipped).toEqual([{ triggerId: 'third-dropped-call', reason: 'cooldown' }]);
    const dayLater = new Date(MIDDAY.getTime() + 25 * 3_600_000);
    expect(evaluate([dropped], calls(3, dayLater), { state, now: dayLater }).firings).toHaveLength(1);
  });

  it('needs explicit SMS consent for the bundle offer, but not for a service call', () => {
    const data = [anEvent('usage.data', { usedMb: 850, bundleMb: 1000 })];
    expect(evaluate([bundle], data, { consent: { sms: true } }).firings).toHaveLength(1);
    expect(evaluate([bundle], data, { consent: {} }).skipped).toEqual([{ triggerId: 'data-80', reason: 'consent' }]);
    expect(evaluate([dropped], calls(3), { consent: {} }).firings).toHaveLength(1);
    expect(evaluate([dropped], calls(3), { consent: { 'call-centre': false } }).skipped[0]!.reason).toBe('consent');
  });

  it('treats an action missing from the catalog as marketing and uses its id as template', () => {
    expect(evaluate([dropped], calls(3), { catalog: new Map() }).firings).toEqual([]);
    const { firings } = evaluate([dropped], calls(3), { catalog: new Map(), consent: { 'call-centre': true } });
    expect(firings[0]!.message).toMatchObject({ kind: 'offer', treatment: 'care-health-check-call' });
    expect(firings[0]!.message.text).toBeUndefined();
  });

  it('skips disabled triggers, other event types, and sends one message per channel by priority', () => {
    const low = { ...dropped, triggerId: 'low', priority: 1 };
    const off = { ...dropped, triggerId: 'off', enabled: false };
    const { firings, skipped } = evaluate([low, dropped, off, bundle], calls(3));
    expect(firings.map((f) => f.trigger.triggerId)).toEqual(['third-dropped-call']);
    expect(skipped).toEqual(expect.arrayContaining([
      { triggerId: 'low', reason: 'channel-taken' }, { triggerId: 'off', reason: 'disabled' }, { triggerId: 'data-80', reason: 'other-event' },
    ]));
  });

  it('tells a usable condition from a broken one', () => {
    expect(ruleProblem({ '>=': [{ var: 'state.droppedCalls24h' }, 3] })).toBeUndefined();
    expect(ruleProblem(true)).toBeUndefined();
    expect(ruleProblem({ nope: [1] })).toMatch(/JSON Logic/);
    expect(ruleProblem([1])).toBeDefined();
  });
});
