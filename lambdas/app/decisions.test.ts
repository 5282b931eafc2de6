import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Action } from '#domain/action.ts';
import { fixedClock } from '#domain/clock.ts';
import { contactsOf } from '#domain/contact-policy.ts';
import { experimentGroup } from '#domain/decisioning/experiments.ts';
import { MemoryDecisioning, TEST_SETTINGS } from '../test-support/memory-decisioning.ts';
import { standInScoring } from '../test-support/stand-in-scoring.ts';
import { decide, respond } from './decisions.ts';

const channels = ['app', 'ussd', 'sms', 'call-centre'] as const;
const offer = (id: string, over: Partial<Action> = {}): Action => ({
  actionId: id,
  name: id,
  kind: 'offer',
  treatments: Object.fromEntries(
    channels.map((c) => [c, { templateKey: `${id}.${c}`, text: { en: `${id} en`, zu: `${id} zu` } }]),
  ),
  eligibility: true,
  propensity: { starting: 0.1 },
  value: 10,
  lever: 1,
  limits: { perCustomer: [{ max: 2, days: 7 }] },
  ...over,
});
const customersIn = (group: string, n: number) => {
  const out: string[] = [];
  for (let i = 0; out.length < n; i++)
    if (experimentGroup('acme', `c${i}`, TEST_SETTINGS.experiments) === group) out.push(`c${i}`);
  return out;
};
const consent = { app: true, ussd: true, sms: true, 'call-centre': true };

describe('deciding', () => {
  it('ranks by propensity x weight x value x lever and answers the top `limit`', async () => {
    const mem = new MemoryDecisioning(fixedClock('2025-03-12T10:00:00Z'));
    for (const a of [
      offer('small', { value: 5 }),
      offer('big', { value: 500 }),
      offer('likely', { propensity: { starting: 0.9 }, value: 20 }),
    ])
      mem.actions.set(a.actionId, a);
    const [id] = customersIn('champion', 1);
    await mem.addCustomer({ customerId: id!, consent, language: 'zu' });
    const d = await decide(mem.ports())('acme', { customerId: id!, channel: 'app', limit: 2 });
    expect(d.actions.map((a) => a.actionId)).toEqual(['big', 'likely']);
    expect(d.actions[0]!.treatment).toEqual({ channel: 'app', templateKey: 'big.app', language: 'zu', text: 'big zu' });
    expect(d).toMatchObject({ valueTier: 'bronze', serviceLevel: 'self-service', experiment: { group: 'champion' } });
  });

  it('explains a strong action it excluded and answers an empty list when nothing fits', async () => {
    const mem = new MemoryDecisioning(fixedClock('2025-03-12T10:00:00Z'));
    mem.actions.set('big', offer('big', { value: 500 }));
    const [id] = customersIn('champion', 1);
    await mem.addCustomer({ customerId: id!, consent: {} });
    const d = await decide(mem.ports())('acme', { customerId: id!, channel: 'app' });
    expect(d.actions).toEqual([]);
    expect(d.excluded).toEqual([
      { actionId: 'big', kind: 'offer', reasons: [{ code: 'no-consent', detail: 'no opt-in for app' }] },
    ]);
    expect(d.reasons[0]!.code).toBe('no-action');
  });

  it('stops an action at its daily volume cap and takes the next one', async () => {
    const mem = new MemoryDecisioning(fixedClock('2025-03-12T10:00:00Z'));
    mem.actions.set('capped', offer('capped', { value: 500, limits: { perCustomer: [], perDay: 2 } }));
    mem.actions.set('next', offer('next'));
    const ids = customersIn('champion', 3);
    for (const id of ids) await mem.addCustomer({ customerId: id, consent });
    const first = [];
    for (const id of ids)
      first.push(
        (await decide(mem.ports())('acme', { customerId: id, channel: 'app', limit: 1 })).actions[0]!.actionId,
      );
    expect(first).toEqual(['capped', 'capped', 'next']);
  });

  it('never exceeds a contact limit or a daily cap under any sequence of decisions and responses', async () => {
    const ids = customersIn('champion', 3);
    const step = fc.record({
      who: fc.nat(2),
      channel: fc.constantFrom(...channels),
      limit: fc.integer({ min: 1, max: 4 }),
      response: fc.constantFrom('accepted', 'declined', 'ignored', 'none'),
      hours: fc.integer({ min: 0, max: 30 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 40 }), async (steps) => {
        const clock = fixedClock('2025-03-12T08:00:00Z');
        const mem = new MemoryDecisioning(clock);
        const catalog = [
          offer('a', {
            limits: {
              perCustomer: [
                { max: 2, days: 7 },
                { channel: 'sms', max: 1, days: 3 },
              ],
            },
          }),
          offer('b', { value: 30, limits: { perCustomer: [{ max: 1, days: 2 }], perDay: 3 } }),
          offer('c', { kind: 'service', value: 5, limits: { perCustomer: [{ max: 3, days: 1 }] } }),
        ];
        for (const a of catalog) mem.actions.set(a.actionId, a);
        for (const id of ids) await mem.addCustomer({ customerId: id, consent });
        const ports = mem.ports();
        for (const s of steps) {
          clock.advance(s.hours * 3_600_000);
          const d = await decide(ports)('acme', { customerId: ids[s.who]!, channel: s.channel, limit: s.limit });
          if (s.response !== 'none' && d.actions[0])
            await respond(ports)('acme', d.decisionId, { actionId: d.actions[0].actionId, response: s.response });
        }
        // replay the log: at every logged contact, no window holds more than its limit
        for (const id of ids) {
          const ledger = contactsOf(mem.contactItems(id));
          for (const c of ledger) {
            const action = catalog.find((a) => a.actionId === c.actionId)!;
            for (const limit of action.limits.perCustomer) {
              const t = Date.parse(c.at);
              const inWindow = ledger.filter(
                (o) =>
                  o.actionId === c.actionId &&
                  (!limit.channel || o.channel === limit.channel) &&
                  Date.parse(o.at) <= t &&
                  t - Date.parse(o.at) < limit.days * 86_400_000,
              );
              if (!limit.channel || c.channel === limit.channel) expect(inWindow.length).toBeLessThanOrEqual(limit.max);
            }
            const declinedBefore = ledger.some(
              (o) =>
                o.actionId === c.actionId &&
                o.response === 'declined' &&
                Date.parse(o.respondedAt!) < Date.parse(c.at) &&
                Date.parse(c.at) - Date.parse(o.respondedAt!) < 30 * 86_400_000,
            );
            expect(declinedBefore).toBe(false);
          }
        }
        for (const n of mem.volumes.values()) expect(n).toBeLessThanOrEqual(3);
      }),
      { numRuns: 60 },
    );
  });
});

describe('a decline reported as an event', () => {
  it('suppresses the action in decisions too, though it never reached the decision log', async () => {
    const mem = new MemoryDecisioning(fixedClock('2025-03-12T10:00:00Z'));
    mem.actions.set('a', offer('a', { value: 50 }));
    mem.actions.set('b', offer('b'));
    const [id] = customersIn('champion', 1);
    await mem.addCustomer({ customerId: id!, consent });
    mem.states.set(id!, {
      lastOfferResponse: { at: '2025-03-10T09:00:00Z', eventId: 'e1', actionId: 'a', response: 'declined' },
    });
    const d = await decide(mem.ports())('acme', { customerId: id!, channel: 'app', limit: 1 });
    expect(d.actions.map((x) => x.actionId)).toEqual(['b']);
    expect(d.excluded[0]).toMatchObject({ actionId: 'a', reasons: [{ code: 'declined-recently' }] });
  });
});

describe('a trigger firing not handed off yet', () => {
  it('counts against the channel limit from the moment it is written with the state', async () => {
    const mem = new MemoryDecisioning(fixedClock('2025-03-12T10:00:00Z'));
    mem.actions.set('a', offer('a'));
    const [id] = customersIn('champion', 1);
    await mem.addCustomer({ customerId: id!, consent });
    const firing = (n: number) => ({
      messageId: `m-${n}`,
      tenant: 'acme',
      customerId: id,
      channel: 'sms',
      actionId: `t-${n}`,
      kind: 'offer',
      treatment: 'x',
      language: 'en',
      reason: { type: 'trigger', id: 'data-80-percent' },
      createdAt: '2025-03-12T09:00:00Z',
      sendAfter: '2025-03-12T09:00:00Z',
    });
    const ask = () => decide(mem.ports())('acme', { customerId: id!, channel: 'sms', limit: 1 });
    mem.states.set(id!, { outbox: [firing(1), firing(2)] });
    expect((await ask()).actions.map((x) => x.actionId)).toEqual(['a']);
    mem.states.set(id!, { outbox: [firing(3), firing(4), firing(5)] }); // with the one above: 4 > 3 a week
    const d = await ask();
    expect(d.actions).toEqual([]);
    expect(d.excluded[0]).toMatchObject({ actionId: 'a', reasons: [{ code: 'channel-limit' }] });
  });
});

describe('scoring during a decision', () => {
  it('meters a Score for a customer scored on the spot, and none for stored scores', async () => {
    const mem = new MemoryDecisioning(fixedClock('2025-03-12T10:00:00Z'));
    mem.actions.set('a', offer('a', { propensity: { model: 'churn' } }));
    const [fresh, stored] = customersIn('champion', 2);
    await mem.addCustomer({ customerId: fresh!, consent });
    await mem.addCustomer({
      customerId: stored!,
      consent,
      scores: { churn: { value: 0.4, model: 'churn', version: '1', at: '2025-03-01T00:00:00Z' } },
    });
    const readings: [string, string, number][] = [];
    const ports = {
      ...mem.ports(),
      scoring: standInScoring({}, () => ({
        churn: { value: 0.3, model: 'churn', version: '2', at: '2025-03-12T10:00:00Z' },
      })),
      meter: { meter: (tenant: string, name: string, count = 1) => void readings.push([tenant, name, count]) },
    };
    expect((await decide(ports)('acme', { customerId: fresh!, channel: 'app' })).modelVersions).toEqual({ churn: '2' });
    expect((await decide(ports)('acme', { customerId: stored!, channel: 'app' })).modelVersions).toEqual({
      churn: '1',
    });
    expect(readings).toEqual([['acme', 'Score', 1]]);
  });
});

describe('the marketing windows', () => {
  const DAY = 86_400_000;
  const tight = {
    ...TEST_SETTINGS,
    policy: {
      ...TEST_SETTINGS.policy,
      perChannel: {
        app: { max: 4, days: 3 },
        sms: { max: 2, days: 2 },
        ussd: { max: 30, days: 7 },
        'call-centre': { max: 30, days: 7 },
      },
      overall: { max: 6, days: 5 },
      household: { max: 8, days: 4 },
    },
  };
  const loose = (id: string, over: Partial<Action> = {}) =>
    offer(id, { limits: { perCustomer: [{ max: 50, days: 1 }] }, ...over });
  const catalog = [
    loose('a'),
    loose('b', { value: 20 }),
    loose('r', { kind: 'retention', value: 15 }),
    loose('s', { kind: 'service', value: 40 }),
    loose('m', { mandatory: true, value: 1 }),
  ];

  it('never lets an answer or a sequence exceed the channel, overall or household window', async () => {
    const ids = customersIn('champion', 3);
    const step = fc.record({
      who: fc.nat(2),
      channel: fc.constantFrom(...channels),
      limit: fc.integer({ min: 1, max: 5 }),
      hours: fc.integer({ min: 0, max: 20 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 60 }), async (steps) => {
        const clock = fixedClock('2025-03-12T08:00:00Z');
        const mem = new MemoryDecisioning(clock, tight);
        for (const a of catalog) mem.actions.set(a.actionId, a);
        // two of the three share a household
        for (const [i, id] of ids.entries())
          await mem.addCustomer({ customerId: id, consent, ...(i < 2 ? { householdId: 'h1' } : {}) });
        const ports = mem.ports();
        for (const s of steps) {
          clock.advance(s.hours * 3_600_000);
          await decide(ports)('acme', { customerId: ids[s.who]!, channel: s.channel, limit: s.limit });
        }
        const ledgerOf = (which: string[]) =>
          contactsOf(which.flatMap((id) => mem.contactItems(id))).filter(
            (c) => (c.kind === 'offer' || c.kind === 'retention') && c.actionId !== 'm',
          );
        const inWindow = (ledger: ReturnType<typeof ledgerOf>, at: string, days: number, channel?: string) =>
          ledger.filter(
            (o) =>
              (!channel || o.channel === channel) &&
              Date.parse(o.at) <= Date.parse(at) &&
              Date.parse(at) - Date.parse(o.at) < days * DAY,
          ).length;
        for (const id of ids) {
          const ledger = ledgerOf([id]);
          for (const c of ledger) {
            const w = (tight.policy.perChannel as Record<string, { max: number; days: number }>)[c.channel]!;
            expect(inWindow(ledger, c.at, w.days, c.channel)).toBeLessThanOrEqual(w.max);
            expect(inWindow(ledger, c.at, tight.policy.overall.days)).toBeLessThanOrEqual(tight.policy.overall.max);
          }
        }
        const household = ledgerOf(ids.slice(0, 2));
        for (const c of household)
          expect(inWindow(household, c.at, tight.policy.household.days)).toBeLessThanOrEqual(
            tight.policy.household.max,
          );
      }),
      { numRuns: 80 },
    );
  });

  it('stops a household member at the household cap with its reason, and counts every contact of a long window', async () => {
    const clock = fixedClock('2025-03-12T08:00:00Z');
    const settings = {
      ...tight,
      policy: {
        ...tight.policy,
        perChannel: { app: { max: 100, days: 30 } },
        overall: { max: 100, days: 30 },
        household: { max: 40, days: 30 },
      },
    };
    const mem = new MemoryDecisioning(clock, settings);
    mem.actions.set('a', loose('a'));
    const [first, second] = customersIn('champion', 2);
    for (const id of [first!, second!]) await mem.addCustomer({ customerId: id, consent, householdId: 'h1' });
    const ports = mem.ports();
    // 40 contacts over ten days: more than the newest 23 items a profile read shows
    for (let i = 0; i < 40; i++) {
      expect((await decide(ports)('acme', { customerId: first!, channel: 'app', limit: 1 })).actions).toHaveLength(1);
      clock.advance(6 * 3_600_000);
    }
    const refused = await decide(ports)('acme', { customerId: second!, channel: 'app', limit: 1 });
    expect(refused.actions).toEqual([]);
    expect(refused.excluded[0]!.reasons[0]!.code).toBe('household-limit');
    const alone = await decide(ports)('acme', { customerId: first!, channel: 'app', limit: 1 });
    expect(alone.excluded[0]!.reasons[0]!.code).toBe('household-limit');
  });
});

describe('responding', () => {
  it('counts a response once, learns from it, and refuses actions the decision did not offer', async () => {
    const mem = new MemoryDecisioning(fixedClock('2025-03-12T10:00:00Z'));
    mem.actions.set('a', offer('a'));
    const [id] = customersIn('champion', 1);
    await mem.addCustomer({ customerId: id!, consent });
    const ports = mem.ports();
    const d = await decide(ports)('acme', { customerId: id!, channel: 'app' });
    expect(await respond(ports)('acme', d.decisionId, { actionId: 'a', response: 'accepted' })).toMatchObject({
      duplicate: false,
    });
    expect(await respond(ports)('acme', d.decisionId, { actionId: 'a', response: 'accepted' })).toMatchObject({
      duplicate: true,
    });
    expect(mem.learned.get('a')).toEqual({ trials: 1, successes: 1 });
    await expect(respond(ports)('acme', d.decisionId, { actionId: 'zzz', response: 'accepted' })).rejects.toMatchObject(
      { code: 'conflict' },
    );
    await expect(
      respond(ports)('acme', `${id}~000000000zzzzzz`, { actionId: 'a', response: 'accepted' }),
    ).rejects.toMatchObject({ code: 'not-found' });
  });
});
