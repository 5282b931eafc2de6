import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Action } from '#domain/action.ts';
import { fixedClock } from '#domain/clock.ts';
import { DEFAULT_CONTACT_LIMITS } from '#domain/contact-policy.ts';
import { MARKETING_KINDS, type ActionKind } from '#domain/contact-window.ts';
import { applyEvents } from '#domain/customer-state.ts';
import { experimentGroup } from '#domain/decisioning/experiments.ts';
import { evaluateTriggers, type Trigger } from '#domain/triggers.ts';
import { anEvent } from '../test-support/event-builders.ts';
import { MemoryDecisioning, TEST_SETTINGS } from '../test-support/memory-decisioning.ts';
import { decide } from './decisions.ts';

/*
 * Issue 19 item 1: a global control group that holds. No marketing contact (a decision, a
 * trigger firing, or a campaign contact, which is a decision with direction outbound) ever
 * reaches a control customer; service and information still do.
 */

const NOW = '2026-03-02T10:00:00Z'; // 12:00 in Johannesburg, outside quiet hours
const CHANNELS = ['app', 'sms', 'ussd', 'call-centre'] as const;
const KINDS: ActionKind[] = ['offer', 'retention', 'service', 'information'];
const consent = { app: true, sms: true, ussd: true, 'call-centre': true };

const actionOf = (i: number, kind: ActionKind, propensity: number, value: number): Action => ({
  actionId: `a${i}`,
  name: `a${i}`,
  kind,
  treatments: Object.fromEntries(CHANNELS.map((c) => [c, { templateKey: `a${i}.${c}`, text: { en: `a${i}` } }])),
  eligibility: true,
  propensity: { starting: propensity },
  value,
  lever: 1,
  limits: { perCustomer: [] },
});

const catalog = fc
  .array(
    fc.record({
      kind: fc.constantFrom(...KINDS),
      p: fc.double({ min: 0.01, max: 0.99, noNaN: true }),
      v: fc.integer({ min: 1, max: 500 }),
    }),
    {
      minLength: 1,
      maxLength: 6,
    },
  )
  .map((specs) => specs.map((s, i) => actionOf(i, s.kind, s.p, s.v)));

/** Customer ids with their group: about half control, so every run has both. */
function customersOf(n: number): { id: string; control: boolean }[] {
  const out: { id: string; control: boolean }[] = [];
  for (let i = 0; out.length < n; i++) {
    const id = `h${i}`;
    const control = experimentGroup('acme', id, TEST_SETTINGS.experiments) === 'control';
    if (control || out.filter((c) => !c.control).length < n / 2) out.push({ id, control });
  }
  return out;
}
const CUSTOMERS = customersOf(6);

describe('the global control group', () => {
  it('gets no offer or retention from any decision, inbound or outbound (campaigns), and still gets service', async () => {
    let controlServed = 0;
    let othersMarketed = 0;
    await fc.assert(
      fc.asyncProperty(
        catalog,
        fc.constantFrom(...CHANNELS),
        fc.constantFrom('inbound', 'outbound'),
        async (actions, channel, direction) => {
          const mem = new MemoryDecisioning(fixedClock(NOW));
          for (const a of actions) mem.actions.set(a.actionId, a);
          for (const c of CUSTOMERS) {
            await mem.addCustomer({ customerId: c.id, consent });
            const d = await decide(mem.ports())('acme', {
              customerId: c.id,
              channel,
              limit: 10,
              context: { direction },
            });
            const marketing = d.actions.filter((a) => MARKETING_KINDS.has(a.kind));
            if (c.control) {
              expect(marketing).toEqual([]);
              if (d.actions.length) controlServed++;
            } else if (marketing.length) othersMarketed++;
          }
        },
      ),
      { numRuns: 40 },
    );
    // the property is not vacuous: control customers were served, everyone else marketed to
    expect(controlServed).toBeGreaterThan(0);
    expect(othersMarketed).toBeGreaterThan(0);
  });

  it('gets no marketing trigger firing, and still the service ones', () => {
    let controlFired = 0;
    let othersMarketed = 0;
    fc.assert(
      fc.property(catalog, fc.constantFrom(...CHANNELS), (actions, channel) => {
        const triggers: Trigger[] = actions.map((a, i) => ({
          triggerId: `t${i}`,
          eventType: 'network.call_dropped',
          condition: true,
          actionId: a.actionId,
          channel: i === 0 ? channel : CHANNELS[i % CHANNELS.length]!,
          cooldownHours: 0,
          priority: i,
          enabled: true,
        }));
        const event = anEvent('network.call_dropped', {}, { now: new Date(NOW), minutesAgo: 0 });
        const state = applyEvents(undefined, [event], new Date(NOW), { dedupeWindowHours: 48 }).state;
        for (const c of CUSTOMERS) {
          const verdict = evaluateTriggers(triggers, {
            tenant: 'acme',
            customerId: c.id,
            profile: { customerId: c.id, consent, language: 'en', version: 1, createdAt: NOW, updatedAt: NOW } as never,
            state,
            event,
            now: new Date(NOW),
            defaultLanguage: 'en',
            actions: new Map(actions.map((a) => [a.actionId, a])),
            policy: {
              timeZone: 'Africa/Johannesburg',
              quietHours: { start: '20:00', end: '08:00' },
              ...DEFAULT_CONTACT_LIMITS,
            },
            contacts: [],
            group: experimentGroup('acme', c.id, TEST_SETTINGS.experiments),
          });
          const marketing = verdict.firings.filter((f) => MARKETING_KINDS.has(f.message.kind));
          if (c.control) {
            expect(marketing).toEqual([]);
            controlFired += verdict.firings.length;
            for (const r of verdict.refused)
              if (MARKETING_KINDS.has(actions.find((a) => a.actionId === r.actionId)!.kind))
                expect(r.reason.code).toBe('control-group');
          } else othersMarketed += marketing.length;
        }
      }),
      { numRuns: 200 },
    );
    expect(controlFired).toBeGreaterThan(0);
    expect(othersMarketed).toBeGreaterThan(0);
  });
});
