import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Action, ContactRecord } from './action.ts';
import { DEFAULT_CONTACT_LIMITS, type ContactPolicy } from './contact-policy.ts';
import { applyEvents, type CustomerState } from './customer-state.ts';
import type { CustomerRecord } from './customer.ts';
import type { CvmEvent } from './events.ts';
import { ruleProblem } from './rules.ts';
import { ledgerWithPending } from './pending-contacts.ts';
import { evaluateTriggers, firingMessageId, type Trigger, type VolumeAnswers } from './triggers.ts';
import { anEvent } from '../test-support/event-builders.ts';

const policy: ContactPolicy = {
  timeZone: 'Africa/Johannesburg',
  quietHours: { start: '20:00', end: '08:00' },
  ...DEFAULT_CONTACT_LIMITS,
};
const MIDDAY = new Date('2026-03-02T10:00:00Z'); // 12:00 in Johannesburg
const LATE = new Date('2026-03-02T21:00:00Z'); // 23:00 in Johannesburg
const profile = (consent: CustomerRecord['consent'], language = 'zu'): CustomerRecord => ({
  customerId: 'c-1',
  version: 1,
  createdAt: '',
  updatedAt: '',
  consent,
  language,
});

const dropped: Trigger = {
  triggerId: 'third-dropped-call',
  eventType: 'network.call_dropped',
  condition: { '>=': [{ var: 'state.droppedCalls24h' }, 3] },
  actionId: 'care-health-check-call',
  channel: 'call-centre',
  cooldownHours: 24,
  priority: 100,
  enabled: true,
};
const bundle: Trigger = {
  triggerId: 'data-80',
  eventType: 'usage.data',
  condition: { '>=': [{ var: 'state.dataUsedPct' }, 80] },
  actionId: 'bigger-bundle-offer',
  channel: 'sms',
  cooldownHours: 72,
  priority: 50,
  enabled: true,
};
const healthCheck: Action = {
  actionId: 'care-health-check-call',
  name: 'Network health check',
  kind: 'service',
  treatments: {
    'call-centre': {
      templateKey: 'care.health-check',
      text: { en: 'Call about dropped calls', zu: 'Shayela ikhasimende' },
    },
  },
  eligibility: true,
  propensity: { starting: 0.3 },
  value: 0,
  lever: 0,
  limits: { perCustomer: [] },
};
const offer: Action = {
  ...healthCheck,
  actionId: 'bigger-bundle-offer',
  kind: 'offer',
  treatments: { sms: { templateKey: 'sms.bundle', text: { en: 'More data?' } } },
};
const actions = new Map([
  [healthCheck.actionId, healthCheck],
  [offer.actionId, offer],
]);

interface Options {
  now?: Date;
  consent?: CustomerRecord['consent'];
  state?: CustomerState;
  catalog?: Map<string, Action>;
  contacts?: ContactRecord[];
  household?: ContactRecord[];
  volume?: VolumeAnswers;
}
function evaluate(triggers: Trigger[], events: CvmEvent[], opts: Options = {}) {
  const now = opts.now ?? MIDDAY;
  const state = applyEvents(opts.state, events, now, { dedupeWindowHours: 48 }).state;
  return evaluateTriggers(triggers, {
    tenant: 'acme',
    customerId: 'c-1',
    profile: profile(opts.consent ?? {}),
    state,
    event: events.at(-1)!,
    now,
    defaultLanguage: 'en',
    actions: opts.catalog ?? actions,
    policy,
    contacts: opts.contacts ?? [],
    ...(opts.household ? { householdContacts: opts.household } : {}),
    ...(opts.volume ? { volume: opts.volume } : {}),
  });
}
const DAY = 86_400_000;
/** A contact `daysAgo` before `now` (a decision's offer unless told otherwise). */
const contact = (daysAgo: number, over: Partial<ContactRecord> = {}, now = MIDDAY): ContactRecord => ({
  id: `k-${daysAgo}-${over.actionId ?? 'x'}-${over.channel ?? 'sms'}`,
  at: new Date(now.getTime() - daysAgo * DAY).toISOString(),
  channel: 'sms',
  actionId: 'weekend-data',
  kind: 'offer',
  source: 'decision',
  ...over,
});
const usage = (now = MIDDAY) => [anEvent('usage.data', { usedMb: 850, bundleMb: 1000 }, { now })];
const calls = (n: number, now = MIDDAY) =>
  Array.from({ length: n }, (_, i) => anEvent('network.call_dropped', {}, { now, minutesAgo: 10 + i }));

describe("the action's own rules", () => {
  const sms = { sms: true };
  it('refuses an action outside its validity window, as decisions do', () => {
    const expired = new Map([...actions, [offer.actionId, { ...offer, validTo: '2026-01-01T00:00:00Z' }]]);
    expect(evaluate([bundle], usage(), { consent: sms, catalog: expired }).refused[0]!.reason).toMatchObject({
      code: 'not-valid-now',
    });
    const later = new Map([
      ...actions,
      [offer.actionId, { ...offer, validFrom: new Date(MIDDAY.getTime() + DAY).toISOString() }],
    ]);
    expect(evaluate([bundle], usage(), { consent: sms, catalog: later }).refused[0]!.reason.code).toBe('not-valid-now');
  });

  it('refuses an action whose eligibility rule does not hold, reading signals as decisions do', () => {
    const postpaidOnly = new Map([
      ...actions,
      [offer.actionId, { ...offer, eligibility: { '==': [{ var: 'profile.contract' }, 'postpaid'] } }],
    ]);
    expect(evaluate([bundle], usage(), { consent: sms, catalog: postpaidOnly }).refused[0]!.reason.code).toBe(
      'not-eligible',
    );
    // the demo health check is eligible on a live service problem: three dropped calls in 24 h
    const onProblem = new Map([
      ...actions,
      [healthCheck.actionId, { ...healthCheck, eligibility: { var: 'signals.serviceProblem' } }],
    ]);
    expect(evaluate([dropped], calls(3), { catalog: onProblem }).firings).toHaveLength(1);
    const broken = new Map([...actions, [offer.actionId, { ...offer, eligibility: { frobnicate: [1] } }]]);
    expect(evaluate([bundle], usage(), { consent: sms, catalog: broken }).refused[0]!.reason.code).toBe('not-eligible');
  });

  it('counts a stored rule that runs out of steps as refused for the rule budget, and fires the next trigger', () => {
    const doubling = { reduce: [Array(25).fill(1), { merge: [{ var: 'accumulator' }, { var: 'accumulator' }] }, [0]] };
    const runaway = {
      ...bundle,
      triggerId: 'runaway',
      priority: 99,
      condition: { if: [{ var: 'event' }, doubling, 0] },
    };
    const verdict = evaluate([runaway, bundle], usage(), { consent: sms });
    expect(verdict.refused).toEqual([
      {
        triggerId: 'runaway',
        actionId: bundle.actionId,
        reason: { code: 'rule-over-budget', detail: expect.any(String) },
      },
    ]);
    expect(verdict.firings.map((f) => f.trigger.triggerId)).toEqual(['data-80']);
    const greedy = new Map([...actions, [offer.actionId, { ...offer, eligibility: doubling }]]);
    expect(evaluate([bundle], usage(), { consent: sms, catalog: greedy }).refused[0]!.reason.code).toBe(
      'rule-over-budget',
    );
  });
});

describe('trigger evaluation', () => {
  it("fires the health-check call on the third dropped call, with the treatment in the customer's language", () => {
    expect(evaluate([dropped], calls(2)).firings).toEqual([]);
    const { firings, fired } = evaluate([dropped], calls(3));
    expect(firings).toHaveLength(1);
    expect(firings[0]!.message).toMatchObject({
      tenant: 'acme',
      customerId: 'c-1',
      channel: 'call-centre',
      actionId: 'care-health-check-call',
      kind: 'service',
      treatment: 'care.health-check',
      language: 'zu',
      text: 'Shayela ikhasimende',
      reason: { type: 'trigger', id: 'third-dropped-call' },
      createdAt: MIDDAY.toISOString(),
      sendAfter: MIDDAY.toISOString(),
    });
    expect(firings[0]!.contact).toEqual({
      id: firings[0]!.message.messageId,
      at: MIDDAY.toISOString(),
      channel: 'call-centre',
      actionId: 'care-health-check-call',
      kind: 'service',
      source: 'trigger',
    });
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
    expect(evaluate([dropped], calls(1), { state }).skipped).toEqual([
      { triggerId: 'third-dropped-call', reason: 'cooldown' },
    ]);
    const dayLater = new Date(MIDDAY.getTime() + 25 * 3_600_000);
    expect(evaluate([dropped], calls(3, dayLater), { state, now: dayLater }).firings).toHaveLength(1);
  });

  it('needs explicit SMS consent for the bundle offer, but not for a service call', () => {
    const data = [anEvent('usage.data', { usedMb: 850, bundleMb: 1000 })];
    expect(evaluate([bundle], data, { consent: { sms: true } }).firings).toHaveLength(1);
    expect(evaluate([bundle], data, { consent: {} }).refused).toEqual([
      {
        triggerId: 'data-80',
        actionId: 'bigger-bundle-offer',
        reason: { code: 'no-consent', detail: 'no opt-in for sms' },
      },
    ]);
    expect(evaluate([dropped], calls(3), { consent: {} }).firings).toHaveLength(1);
    expect(evaluate([dropped], calls(3), { consent: { 'call-centre': false } }).refused[0]!.reason.code).toBe(
      'no-consent',
    );
  });

  it('renders the text from the state this event made and the action, with its SMS segment count', () => {
    const personal: Action = {
      ...offer,
      value: 49,
      treatments: {
        sms: { templateKey: 'sms.bundle', text: { en: 'You used {{state.dataUsedPct:3}}%: R{{action.value}}' } },
      },
    };
    const [firing] = evaluate([bundle], usage(), {
      consent: { sms: true },
      catalog: new Map([[offer.actionId, personal]]),
    }).firings;
    expect(firing?.message).toMatchObject({ text: 'You used 85%: R49', segments: 1 });
  });

  it('skips a firing whose placeholder has no value, with the missing-placeholder reason and no cooldown', () => {
    const personal: Action = {
      ...offer,
      treatments: { sms: { templateKey: 'sms.bundle', text: { en: 'Hi {{profile.attributes.firstName}}' } } },
    };
    const verdict = evaluate([bundle], usage(), {
      consent: { sms: true },
      catalog: new Map([[offer.actionId, personal]]),
    });
    expect(verdict.firings).toEqual([]);
    expect(verdict.refused).toEqual([
      {
        triggerId: 'data-80',
        actionId: 'bigger-bundle-offer',
        reason: { code: 'missing-placeholder', detail: 'no value for {{profile.attributes.firstName}}' },
      },
    ]);
    expect(verdict.fired['data-80']).toBeUndefined();
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
    expect(skipped).toEqual(
      expect.arrayContaining([
        { triggerId: 'low', reason: 'channel-taken' },
        { triggerId: 'off', reason: 'disabled' },
        { triggerId: 'data-80', reason: 'other-event' },
      ]),
    );
  });

  it('tells a usable condition from a broken one', () => {
    expect(ruleProblem({ '>=': [{ var: 'state.droppedCalls24h' }, 3] })).toBeUndefined();
    expect(ruleProblem(true)).toBeUndefined();
    expect(ruleProblem({ nope: [1] })).toMatch(/JSON Logic/);
    expect(ruleProblem([1])).toBeDefined();
  });
});

describe('triggers under the contact policy (the one decisions and campaigns ask)', () => {
  const sms = { sms: true };
  const otherSmsOffers = (n: number) => Array.from({ length: n }, (_, i) => contact(i + 1, { actionId: `other-${i}` }));

  it('refuses the bundle offer to a customer who had three SMS offers this week, with the channel-limit reason', () => {
    expect(evaluate([bundle], usage(), { consent: sms, contacts: otherSmsOffers(2) }).firings).toHaveLength(1);
    const { firings, refused, fired } = evaluate([bundle], usage(), { consent: sms, contacts: otherSmsOffers(3) });
    expect(firings).toEqual([]);
    expect(refused).toEqual([
      {
        triggerId: 'data-80',
        actionId: 'bigger-bundle-offer',
        reason: { code: 'channel-limit', detail: '3/3 sms contacts in 7 d' },
      },
    ]);
    // a refused trigger starts no cooldown: the next qualifying event asks again
    expect(fired['data-80']).toBeUndefined();
  });

  it('refuses once the overall limit is reached over all channels, but not for a service call', () => {
    const busy = Array.from({ length: 40 }, (_, i) => contact(i / 10, { actionId: `app-${i}`, channel: 'app' }));
    expect(evaluate([bundle], usage(), { consent: sms, contacts: busy }).refused[0]!.reason.code).toBe('overall-limit');
    expect(evaluate([dropped], calls(3), { contacts: busy }).firings).toHaveLength(1);
  });

  it('keeps an action the customer declined out for the suppression window, declined through the API or as an event', () => {
    const declined = (daysAgo: number) =>
      contact(daysAgo + 2, {
        actionId: 'bigger-bundle-offer',
        response: 'declined',
        respondedAt: new Date(MIDDAY.getTime() - daysAgo * DAY).toISOString(),
      });
    expect(evaluate([bundle], usage(), { consent: sms, contacts: [declined(29)] }).refused[0]!.reason.code).toBe(
      'declined-recently',
    );
    expect(evaluate([bundle], usage(), { consent: sms, contacts: [declined(31)] }).firings).toHaveLength(1);

    const response = (daysAgo: number) =>
      anEvent(
        'offer.response',
        { actionId: 'bigger-bundle-offer', response: 'declined' },
        { minutesAgo: daysAgo * 1440 },
      );
    expect(evaluate([bundle], [response(2), ...usage()], { consent: sms }).refused[0]!.reason.code).toBe(
      'declined-recently',
    );
    expect(evaluate([bundle], [response(31), ...usage()], { consent: sms }).firings).toHaveLength(1);
    // an accepted offer suppresses nothing, and a decline of another action leaves this one alone
    expect(
      evaluate(
        [bundle],
        [anEvent('offer.response', { actionId: 'bigger-bundle-offer', response: 'accepted' }), ...usage()],
        { consent: sms },
      ).firings,
    ).toHaveLength(1);
    expect(
      evaluate([bundle], [anEvent('offer.response', { actionId: 'other', response: 'declined' }), ...usage()], {
        consent: sms,
      }).firings,
    ).toHaveLength(1);
  });

  it('defers a message due in quiet hours instead of refusing it, and still counts the limits at night', () => {
    const night = evaluate([bundle], usage(LATE), { now: LATE, consent: sms });
    expect(night.firings[0]!.message.sendAfter).toBe('2026-03-03T06:00:00.000Z');
    expect(night.firings[0]!.contact.at).toBe(LATE.toISOString());
    expect(
      evaluate([bundle], usage(LATE), {
        now: LATE,
        consent: sms,
        contacts: otherSmsOffers(3).map((c) => ({
          ...c,
          at: new Date(Date.parse(c.at) + 11 * 3_600_000).toISOString(),
        })),
      }).refused[0]!.reason.code,
    ).toBe('channel-limit');
  });

  it("counts one trigger's firing against the next trigger of the same event", () => {
    const push: Trigger = { ...bundle, triggerId: 'data-80-push', channel: 'push', priority: 40 };
    const pushable = new Map([
      ...actions,
      [
        offer.actionId,
        {
          ...offer,
          treatments: { ...offer.treatments, push: { templateKey: 'push.bundle', text: { en: 'More data?' } } },
        },
      ],
    ]);
    const busy = Array.from({ length: 39 }, (_, i) => contact(i / 10, { actionId: `app-${i}`, channel: 'app' }));
    const { firings, refused } = evaluate([bundle, push], usage(), {
      consent: { sms: true, push: true },
      contacts: busy,
      catalog: pushable,
    });
    expect(firings.map((f) => f.trigger.triggerId)).toEqual(['data-80']);
    expect(refused).toEqual([
      expect.objectContaining({
        triggerId: 'data-80-push',
        reason: expect.objectContaining({ code: 'overall-limit' }),
      }),
    ]);
  });

  it('lets a lower-priority trigger use a channel the policy refused to a higher one', () => {
    const fallback: Trigger = { ...bundle, triggerId: 'data-80-info', actionId: 'network-fix-info', priority: 10 };
    const info: Action = {
      ...healthCheck,
      actionId: 'network-fix-info',
      kind: 'information',
      treatments: { sms: { templateKey: 'sms.info', text: { en: 'Data tips' } } },
    };
    const { firings, refused } = evaluate([bundle, fallback], usage(), {
      consent: sms,
      contacts: otherSmsOffers(3),
      catalog: new Map([...actions, [info.actionId, info]]),
    });
    expect(refused.map((r) => r.triggerId)).toEqual(['data-80']);
    expect(firings.map((f) => f.trigger.triggerId)).toEqual(['data-80-info']);
  });

  it('refuses an action whose daily volume is spent, except a firing that already holds a unit', () => {
    const capped = new Map([...actions, [offer.actionId, { ...offer, limits: { perCustomer: [], perDay: 10 } }]]);
    const events = usage();
    const spent = { spent: new Set(['bigger-bundle-offer']), granted: new Set<string>() };
    expect(evaluate([bundle], events, { consent: sms, catalog: capped, volume: spent }).refused[0]!.reason).toEqual({
      code: 'volume-cap',
      detail: '10 a day reached',
    });
    const held = { ...spent, granted: new Set([firingMessageId('acme', 'data-80', events[0]!.eventId)]) };
    expect(evaluate([bundle], events, { consent: sms, catalog: capped, volume: held }).firings).toHaveLength(1);
  });

  it("applies the action's own limits and the household cap, and exempts a mandatory action from limits", () => {
    const limited = new Map([
      ...actions,
      [offer.actionId, { ...offer, limits: { perCustomer: [{ channel: 'sms' as const, max: 1, days: 7 }] } }],
    ]);
    expect(
      evaluate([bundle], usage(), {
        consent: sms,
        catalog: limited,
        contacts: [contact(3, { actionId: 'bigger-bundle-offer' })],
      }).refused[0]!.reason.code,
    ).toBe('action-limit');
    const household = Array.from({ length: 60 }, (_, i) =>
      contact(1, { id: `h${i}`, actionId: `h${i}`, channel: 'app' }),
    );
    expect(evaluate([bundle], usage(), { consent: sms, household }).refused[0]!.reason.code).toBe('household-limit');
    const mandatory = new Map([...actions, [offer.actionId, { ...offer, mandatory: true }]]);
    expect(
      evaluate([bundle], usage(), { consent: sms, catalog: mandatory, contacts: otherSmsOffers(3) }).firings,
    ).toHaveLength(1);
  });

  it("counts a decline stamped a moment ahead of this clock (another container's) from now", () => {
    const ahead = contact(0, {
      actionId: 'bigger-bundle-offer',
      response: 'declined',
      respondedAt: new Date(MIDDAY.getTime() + 800).toISOString(),
    });
    expect(
      evaluate([bundle], usage(), { consent: sms, contacts: ledgerWithPending([ahead], []) }).refused[0]!.reason.code,
    ).toBe('declined-recently');
  });

  it('counts a campaign hand-off deferred past quiet hours from now, and an unrecorded firing once', () => {
    const later = contact(-0.5, { id: 'campaign-1', actionId: 'cmp' });
    const unrecorded = contact(0, { id: 'firing-1', actionId: 'bigger-bundle-offer', source: 'trigger' });
    const ledger = ledgerWithPending(
      [later, unrecorded],
      [unrecorded, contact(0, { id: 'firing-2', actionId: 'x', source: 'trigger' })],
    );
    expect(ledger.map((c) => c.id)).toEqual(['campaign-1', 'firing-1', 'firing-2']);
    expect(
      evaluate([bundle], usage(), { consent: sms, contacts: ledgerWithPending([later, ...otherSmsOffers(2)], []) })
        .refused[0]!.reason.code,
    ).toBe('channel-limit');
  });

  it('never sends beyond a channel or the overall limit, whatever the events, their timing and the decisions between them', () => {
    const tight: ContactPolicy = {
      ...policy,
      perChannel: { sms: { max: 2, days: 3 }, push: { max: 3, days: 5 }, app: { max: 4, days: 2 } },
      overall: { max: 5, days: 4 },
    };
    const rules: Trigger[] = [
      { ...bundle, triggerId: 't-sms', actionId: 'a-sms', channel: 'sms', cooldownHours: 0, condition: true },
      {
        ...bundle,
        triggerId: 't-push',
        actionId: 'a-push',
        channel: 'push',
        cooldownHours: 0,
        condition: true,
        priority: 10,
      },
      {
        ...bundle,
        triggerId: 't-topup',
        eventType: 'billing.topup',
        actionId: 'a-ret',
        channel: 'sms',
        cooldownHours: 1,
        condition: true,
      },
      {
        ...bundle,
        triggerId: 't-drop',
        eventType: 'network.call_dropped',
        actionId: 'a-app',
        channel: 'app',
        cooldownHours: 0,
        condition: true,
      },
    ];
    const catalog = new Map<string, Action>(
      rules.map((r) => [
        r.actionId,
        {
          ...offer,
          actionId: r.actionId,
          kind: r.actionId === 'a-ret' ? 'retention' : 'offer',
          limits: { perCustomer: [] },
        },
      ]),
    );
    const step = fc.record({
      what: fc.constantFrom(
        'usage.data',
        'billing.topup',
        'network.call_dropped',
        'decision:sms',
        'decision:push',
        'decision:app',
      ),
      minutes: fc.integer({ min: 0, max: 2 * 1440 }),
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 80 }), (steps) => {
        let now = MIDDAY.getTime();
        let state: CustomerState | undefined;
        const ledger: ContactRecord[] = [];
        const firings: { at: number; channel: string; index: number }[] = [];
        for (const [i, s] of steps.entries()) {
          now += s.minutes * 60_000;
          const at = new Date(now);
          if (s.what.startsWith('decision:')) {
            ledger.push({
              id: `d${i}`,
              at: at.toISOString(),
              channel: s.what.slice(9) as ContactRecord['channel'],
              actionId: `d${i}`,
              kind: 'offer',
              source: 'decision',
            });
            continue;
          }
          const data = {
            'usage.data': { usedMb: 900, bundleMb: 1000 },
            'billing.topup': { amount: 10 },
            'network.call_dropped': {},
          }[s.what as 'usage.data'];
          const event = anEvent(s.what as 'usage.data', data as never, { now: at, minutesAgo: 0 });
          state = applyEvents(state, [event], at, { dedupeWindowHours: 48 }).state;
          const verdict = evaluateTriggers(rules, {
            tenant: 'acme',
            customerId: 'c-1',
            profile: profile({ sms: true, push: true, app: true }),
            state,
            event,
            now: at,
            defaultLanguage: 'en',
            actions: catalog,
            policy: tight,
            contacts: [...ledger],
          });
          state = { ...state, fired: verdict.fired };
          for (const f of verdict.firings) {
            firings.push({ at: now, channel: f.contact.channel, index: ledger.length });
            ledger.push(f.contact);
          }
        }
        // each firing, counted with everything the ledger held when it fired, stays within every window
        for (const f of firings) {
          const known = ledger.slice(0, f.index + 1).filter((c) => Date.parse(c.at) <= f.at);
          const within = (days: number) => known.filter((c) => f.at - Date.parse(c.at) < days * DAY);
          const perChannel = tight.perChannel[f.channel as 'sms']!;
          expect(within(perChannel.days).filter((c) => c.channel === f.channel).length).toBeLessThanOrEqual(
            perChannel.max,
          );
          expect(within(tight.overall!.days).length).toBeLessThanOrEqual(tight.overall!.max);
        }
      }),
      { numRuns: 200 },
    );
  });
});
