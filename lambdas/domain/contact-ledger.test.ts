import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Action, ContactRecord } from './action.ts';
import {
  customerBounds,
  displayContacts,
  emptyLedger,
  holdsAll,
  householdBounds,
  horizonDays,
  ledgerContactsOf,
  ledgerFromRecords,
  ledgerRecords,
  marketingPart,
  withContacts,
  withResponse,
  type ContactLedger,
  type LedgerContact,
} from './contact-ledger.ts';
import { contactAllowed, DEFAULT_CONTACT_LIMITS, type ContactPolicy } from './contact-policy.ts';
import type { ActionKind } from './contact-window.ts';
import type { Channel } from './customer.ts';

const DAY = 86_400_000;
const NOW = Date.parse('2025-03-12T10:00:00Z');
const policy: ContactPolicy = {
  timeZone: 'Africa/Johannesburg',
  quietHours: { start: '20:00', end: '08:00' },
  ...DEFAULT_CONTACT_LIMITS,
  perChannel: { sms: { max: 2, days: 3 }, app: { max: 4, days: 7 } },
  overall: { max: 5, days: 7 },
  household: { max: 6, days: 5 },
  declineSuppressionDays: 10,
};
const action = (actionId: string, kind: ActionKind, perCustomer: Action['limits']['perCustomer']): Action => ({
  actionId,
  name: actionId,
  kind,
  treatments: {},
  eligibility: true,
  propensity: { starting: 0.1 },
  value: 10,
  lever: 1,
  limits: { perCustomer },
});
const catalog = [
  action('bundle', 'offer', [{ max: 2, days: 7 }]),
  action('addon', 'retention', [
    { channel: 'app', max: 1, days: 2 },
    { max: 3, days: 20 },
  ]),
  action('care', 'service', [{ max: 1, days: 1 }]),
  action('info', 'information', []),
];
const bounds = customerBounds(policy, catalog);
const channels: Channel[] = ['sms', 'app', 'ussd'];
const iso = (ms: number) => new Date(ms).toISOString();

const contact = (n: number, hoursAgo: number, channel: Channel, actions: [string, ActionKind][]): LedgerContact => ({
  id: `c${n}`,
  at: iso(NOW - hoursAgo * 3_600_000),
  channel,
  source: 'decision',
  actions: actions.map(([actionId, kind]) => ({ actionId, kind })),
});

/** A history of contacts over 30 days (some a little in the future: hand-offs deferred past quiet hours). */
const history = fc
  .array(
    fc.record({
      hoursAgo: fc.integer({ min: -12, max: 30 * 24 }),
      channel: fc.constantFrom(...channels),
      actions: fc.uniqueArray(fc.constantFrom(...catalog.map((a) => a.actionId)), { minLength: 1, maxLength: 3 }),
    }),
    { maxLength: 60 },
  )
  .map((xs) =>
    xs.map((x, n) =>
      contact(
        n,
        x.hoursAgo,
        x.channel,
        x.actions.map((id) => [id, catalog.find((a) => a.actionId === id)!.kind]),
      ),
    ),
  );

const verdict = (
  records: readonly ContactRecord[],
  household: readonly ContactRecord[],
  a: Action,
  channel: Channel,
  at: number,
) => {
  const v = contactAllowed(
    records,
    { action: a, channel, direction: 'inbound', consent: { sms: true, app: true, ussd: true }, now: new Date(at) },
    policy,
    { householdHistory: household },
  );
  return v.allowed ? 'allowed' : v.reason.code;
};

describe('the contact ledger', () => {
  it('answers every policy question as the whole history does, now and as its windows slide on', () => {
    fc.assert(
      fc.property(history, fc.integer({ min: 0, max: 15 * 24 }), (all, laterHours) => {
        const ledger = withContacts(emptyLedger(), all, bounds, new Date(NOW));
        const household = withContacts(
          emptyLedger(),
          all.flatMap((c) => marketingPart(c) ?? []),
          householdBounds(policy),
          new Date(NOW),
        );
        const full = ledgerRecords({ ...emptyLedger(), contacts: all });
        const fullHousehold = ledgerRecords({ ...emptyLedger(), contacts: all.flatMap((c) => marketingPart(c) ?? []) });
        for (const at of [NOW, NOW + laterHours * 3_600_000])
          for (const a of catalog)
            for (const channel of channels)
              expect(verdict(ledgerRecords(ledger), ledgerRecords(household), a, channel, at)).toBe(
                verdict(full, fullHousehold, a, channel, at),
              );
      }),
      { numRuns: 300 },
    );
  });

  it('holds at most what its limits can count, however long the history', () => {
    const most = bounds.limits.reduce((s, l) => s + l.max, 0);
    fc.assert(
      fc.property(history, history, (a, b) => {
        const once = withContacts(
          emptyLedger(),
          [...a, ...b.map((c) => ({ ...c, id: `b-${c.id}` }))],
          bounds,
          new Date(NOW),
        );
        expect(once.contacts.length).toBeLessThanOrEqual(most);
        // committed in two steps it keeps the same contacts
        const twice = withContacts(
          withContacts(emptyLedger(), a, bounds, new Date(NOW)),
          b.map((c) => ({ ...c, id: `b-${c.id}` })),
          bounds,
          new Date(NOW),
        );
        expect(twice.contacts.map((c) => c.id).sort()).toEqual(once.contacts.map((c) => c.id).sort());
      }),
      { numRuns: 200 },
    );
    // 1,000 app offers of one action over a year keep what the windows need: the action's 2, the app's 4, the overall 5
    const year = Array.from({ length: 1000 }, (_, n) => contact(n, n * 8, 'app', [['bundle', 'offer']]));
    expect(withContacts(emptyLedger(), year, bounds, new Date(NOW)).contacts).toHaveLength(5);
  });

  it('counts a contact committed twice once', () => {
    const c = contact(1, 1, 'sms', [['bundle', 'offer']]);
    const once = withContacts(emptyLedger(), [c], bounds, new Date(NOW));
    expect(withContacts(once, [c], bounds, new Date(NOW))).toEqual(once);
    expect(holdsAll(once, [c])).toBe(true);
    expect(holdsAll(once, [{ ...c, id: 'other' }])).toBe(false);
  });

  it('keeps the latest decline while it suppresses and an acceptance for campaign take-up, then lets both go', () => {
    let ledger: ContactLedger = withResponse(emptyLedger(), 'bundle', 'declined', iso(NOW - 2 * DAY));
    ledger = withResponse(ledger, 'addon', 'accepted', iso(NOW - DAY));
    ledger = withResponse(ledger, 'addon', 'ignored', iso(NOW));
    expect(ledger.declined).toEqual({ bundle: iso(NOW - 2 * DAY) });
    expect(ledger.accepted).toEqual({ addon: iso(NOW - DAY) });
    expect(verdict(ledgerRecords(ledger), [], catalog[0]!, 'app', NOW)).toBe('declined-recently');
    const later = withContacts(ledger, [], bounds, new Date(NOW + 9 * DAY));
    expect(later.declined).toEqual({});
    expect(later.accepted).toEqual({ addon: iso(NOW - DAY) });
    expect(withContacts(ledger, [], bounds, new Date(NOW + 200 * DAY)).accepted).toEqual({});
  });

  it('is built from the contact records of before it, with their latest responses', () => {
    const records: ContactRecord[] = [
      { id: 'd1', at: iso(NOW - DAY), channel: 'app', actionId: 'bundle', kind: 'offer', source: 'decision' },
      {
        id: 'd1',
        at: iso(NOW - DAY),
        channel: 'app',
        actionId: 'addon',
        kind: 'retention',
        source: 'decision',
        response: 'declined',
        respondedAt: iso(NOW - DAY + 60_000),
      },
      {
        id: 'd0',
        at: iso(NOW - 3 * DAY),
        channel: 'app',
        actionId: 'addon',
        kind: 'retention',
        source: 'decision',
        response: 'accepted',
        respondedAt: iso(NOW - 3 * DAY),
      },
      { id: 'm1', at: iso(NOW - 2 * DAY), channel: 'sms', actionId: 'bundle', kind: 'offer', source: 'trigger' },
    ];
    const ledger = ledgerFromRecords(records, bounds, new Date(NOW));
    expect(ledger.contacts.map((c) => [c.id, c.actions.map((a) => a.actionId)])).toEqual([
      ['d1', ['bundle', 'addon']],
      ['m1', ['bundle']],
      ['d0', ['addon']],
    ]);
    expect(ledger.declined).toEqual({ addon: iso(NOW - DAY + 60_000) });
    expect(ledger.accepted).toEqual({ addon: iso(NOW - 3 * DAY) });
    expect(ledgerContactsOf(records.slice(0, 2))).toHaveLength(1);
  });

  it('shows a decision with its offers and a firing as the contact it is', () => {
    const ledger = withContacts(
      emptyLedger(),
      [
        contact(1, 2, 'app', [['bundle', 'offer']]),
        { ...contact(2, 1, 'sms', [['care', 'service']]), id: 'm-1', source: 'trigger' },
      ],
      bounds,
      new Date(NOW),
    );
    expect(displayContacts(ledger)).toEqual([
      { id: 'm-1', at: iso(NOW - 3_600_000), channel: 'sms', source: 'trigger', actionId: 'care', kind: 'service' },
      {
        id: 'c1',
        at: iso(NOW - 2 * 3_600_000),
        channel: 'app',
        source: 'decision',
        offers: [{ actionId: 'bundle', kind: 'offer' }],
      },
    ]);
  });

  it('reaches back as far as its longest limit or the decline suppression', () => {
    expect(horizonDays(bounds)).toBe(20);
    expect(horizonDays(customerBounds({ ...policy, declineSuppressionDays: 30 }, catalog))).toBe(30);
    expect(horizonDays(householdBounds(policy))).toBe(5);
  });
});
