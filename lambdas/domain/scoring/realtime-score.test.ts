import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Action } from '../action.ts';
import { defaultContactPolicy } from '../contact-policy.ts';
import { applyEvents, measureState, type CustomerState } from '../customer-state.ts';
import type { CustomerRecord, ScoreValue } from '../customer.ts';
import { stateFromUsage } from '../datasets/usage-state.ts';
import { foldEvents } from '../event-fold.ts';
import type { CvmEvent } from '../events.ts';
import { evaluateTriggers, type Trigger } from '../triggers.ts';
import { anEvent } from '../../test-support/event-builders.ts';
import {
  irRescorer,
  irRows,
  irSubject,
  pinnedVersion,
  repoModels,
  SUBJECT_DROPPED_CALLS,
} from '../../test-support/ir-subject.ts';
import { loadModel } from './model-store.ts';
import { churnRescorer, effectiveScores, newerScore, type Rescorer } from './realtime-score.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const mapped = irRows();

const NOW = new Date('2026-12-06T10:00:00Z');
const at = NOW.toISOString();
const score = (value: number, when: string, version = '2'): ScoreValue => ({
  value,
  model: 'churn',
  version,
  at: when,
});
const record = (m: (typeof mapped)[number], scores?: CustomerRecord['scores']): CustomerRecord => ({
  ...m.profile,
  version: 1,
  createdAt: at,
  updatedAt: at,
  ...(scores ? { scores } : {}),
});
const config = { dedupeWindowHours: 48 };

describe('the newer of the nightly and the real-time score', () => {
  it('takes the later by time, the nightly one on a tie, and leaves the other scores as they are', () => {
    const nightly = score(0.2, '2026-12-06T02:00:00Z', '1');
    const realtime = score(0.7, '2026-12-06T09:00:00Z');
    expect(newerScore(nightly, realtime)).toBe(realtime);
    expect(newerScore(realtime, nightly)).toBe(realtime);
    expect(newerScore(nightly, { ...realtime, at: nightly.at })).toBe(nightly);
    expect(newerScore(undefined, realtime)).toBe(realtime);
    const nps = { score: 8, class: 'passive' as const, model: 'nps', version: '1', at: nightly.at };
    expect(effectiveScores({ churn: nightly, nps }, { scores: { churn: realtime } })).toEqual({ churn: realtime, nps });
    expect(
      effectiveScores({ churn: { ...nightly, at: '2026-12-06T09:30:00Z' } }, { scores: { churn: realtime } }).churn!
        .value,
    ).toBe(0.2);
    expect(effectiveScores(undefined, { scores: { churn: realtime } })).toEqual({ churn: realtime });
    expect(effectiveScores({ churn: nightly }, {})).toEqual({ churn: nightly });
  });
});

describe('the churn re-scorer', () => {
  it('reads the state features of the ir model, and exists for no model of profile features only (demo)', async () => {
    expect(churnRescorer(await loadModel(repoModels, 'demo', 'churn', pinnedVersion('demo')))).toBeUndefined();
    const r = await irRescorer();
    expect([...r.stateFields].sort()).toEqual(['complaints30d', 'droppedCalls30d', 'voiceCalls30d', 'voiceSeconds30d']);
  });

  it("scores an imported ir customer at serving as xgboost did the row in training (the model's parity rows)", async () => {
    const r = await irRescorer();
    const parity = JSON.parse(readFileSync(resolve(ROOT, 'models/ir/churn', r.version, 'parity.json'), 'utf8')) as {
      predictions: number[];
    };
    // the first 500 parity rows are the first training rows: the file's rows, none skipped
    expect(mapped.map((m) => m.row).slice(0, 300)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    const imported = new Date('2026-12-01T00:00:00Z');
    let worst = 0;
    for (let i = 0; i < 300; i++) {
      const m = mapped[i]!;
      // the state as the importer writes it, measured days later as the processor reads it
      const state = measureState(stateFromUsage(m.usage!, imported), NOW, config);
      const got = r.score(m.profile, state as unknown as Record<string, unknown>, at).value;
      worst = Math.max(worst, Math.abs(got - parity.predictions[i]!));
    }
    expect(worst).toBeLessThan(1e-6);
  });
});

/** The fold of one customer's events with the re-scorer and the given triggers. */
function fold(
  rescore: Rescorer,
  profile: CustomerRecord,
  start: CustomerState,
  events: CvmEvent[],
  triggers: Trigger[] = [],
) {
  const market = { timezone: 'UTC', quietHours: { start: '23:00', end: '06:00' }, defaultLanguage: 'en' };
  return foldEvents({
    tenant: 'acme',
    customerId: profile.customerId,
    profile,
    start,
    events,
    now: NOW,
    stateConfig: config,
    recorded: new Set(),
    rules: { triggers, actions: new Map([[careCall.actionId, careCall]]) },
    policy: defaultContactPolicy(market),
    view: { contacts: [], granted: new Set(), spent: new Set() },
    defaultLanguage: 'en',
    rescore,
  });
}

const careCall: Action = {
  actionId: 'retention-call',
  name: 'Retention call',
  kind: 'service',
  treatments: { 'call-centre': { templateKey: 'care.retention', text: { en: 'Call the customer' } } },
  eligibility: true,
  propensity: { starting: 0.3 },
  value: 0,
  lever: 0,
  limits: { perCustomer: [] },
};
const crossing = (eventType: Trigger['eventType']): Trigger => ({
  triggerId: `churn-over-60-${eventType}`,
  eventType,
  condition: { crossed: ['scores.churn', 0.6] },
  actionId: careCall.actionId,
  channel: 'call-centre',
  cooldownHours: 0,
  priority: 1,
  enabled: true,
});

describe('re-scoring in the fold', () => {
  let found: Promise<{ rescore: Rescorer; profile: CustomerRecord; start: CustomerState }> | undefined;
  const subject = () =>
    (found ??= irRescorer().then((rescore) => {
      const m = irSubject(rescore, 0.6, NOW);
      return { rescore, profile: record(m), start: measureState(stateFromUsage(m.usage, NOW), NOW, config) };
    }));
  const calls = (n: number) =>
    Array.from({ length: n }, (_, i) => anEvent('network.call_dropped', {}, { now: NOW, minutesAgo: 30 - i }));
  const complaint = () =>
    anEvent('care.contact', { reason: 'complaint', channel: 'call-centre', resolvedFirstContact: false }, { now: NOW });

  it('re-scores after events that move a feature the model reads, with model, version and time', async () => {
    const { rescore, profile, start } = await subject();
    const before = rescore.score(profile, start as never, at).value;
    const result = fold(rescore, profile, start, [...calls(SUBJECT_DROPPED_CALLS), complaint()]);
    expect(result.state.complaints30d).toBe(1);
    expect(result.state.scores!.churn).toMatchObject({ model: 'churn', version: rescore.version, at });
    expect(result.state.scores!.churn!.value).toBeGreaterThan(before);
    expect(result.state.scores!.churn!.value).toBeGreaterThanOrEqual(0.6);
  });

  it('leaves the score alone after an event the model does not read', async () => {
    const { rescore, profile, start } = await subject();
    const result = fold(rescore, profile, start, [anEvent('billing.topup', { amount: 20 }, { now: NOW })]);
    expect(result.applied).toBe(1);
    expect(result.state.scores).toBeUndefined();
  });

  it('fires a crossing trigger once, on the event that took the score across, and not again above it', async () => {
    const { rescore, profile, start } = await subject();
    const triggers = [crossing('network.call_dropped'), crossing('care.contact')];
    const first = fold(rescore, profile, start, [...calls(SUBJECT_DROPPED_CALLS), complaint()], triggers);
    // both event types watch the crossing: it happened on exactly one event
    expect(first.refused).toEqual([]);
    expect(first.firings.map((f) => f.trigger.triggerId)).toHaveLength(1);
    const again = fold(rescore, profile, first.state, [complaint(), ...calls(2)], triggers);
    expect(again.state.scores!.churn!.value).toBeGreaterThanOrEqual(0.6);
    expect(again.firings).toEqual([]);
  });
});

describe('the crossed trigger over score sequences (property)', () => {
  const profile: CustomerRecord = { customerId: 'c-1', version: 1, createdAt: at, updatedAt: at };
  const trigger = crossing('usage.voice');

  it('fires exactly at the upward crossings of the threshold, once each', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 40 }), (values) => {
        let state = applyEvents(undefined, [], NOW, config).state;
        let previous: ScoreValue | undefined;
        const fired: number[] = [];
        values.forEach((value, i) => {
          const event = anEvent('usage.voice', { seconds: 1 }, { now: NOW });
          const after: CustomerState = { ...state, scores: { churn: score(value, at) }, fired: {} };
          const verdict = evaluateTriggers([trigger], {
            tenant: 'acme',
            customerId: 'c-1',
            profile,
            state: after,
            event,
            now: NOW,
            defaultLanguage: 'en',
            actions: new Map([[careCall.actionId, careCall]]),
            policy: defaultContactPolicy({ timezone: 'UTC', quietHours: { start: '23:00', end: '06:00' } }),
            contacts: [],
            ...(previous ? { previousScores: { churn: previous } } : {}),
          });
          if (verdict.firings.length) fired.push(i);
          state = after;
          previous = after.scores!.churn;
        });
        const crossings = values.flatMap((v, i) => (i > 0 && values[i - 1]! < 0.6 && v >= 0.6 ? [i] : []));
        expect(fired).toEqual(crossings);
      }),
      { numRuns: 200 },
    );
  });
});
