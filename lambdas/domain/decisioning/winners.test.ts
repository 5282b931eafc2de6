import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Action } from '../action.ts';
import type { ActionKind } from '../contact-window.ts';
import type { Candidate } from './evaluate-actions.ts';
import { pickWinners, type WinnerRules } from './winners.ts';

const candidate = (actionId: string, kind: ActionKind, priority: number, mandatory = false): Candidate => ({
  actionId,
  kind,
  action: { actionId, kind, mandatory, limits: { perCustomer: [] } } as unknown as Action,
  propensity: 0.1,
  weight: 1,
  priority,
  exactPropensity: 0.1,
  trials: undefined,
});
const rules = (over: Partial<WinnerRules> = {}): WinnerRules => ({
  limit: 3,
  room: { room: 10, reason: { code: 'channel-limit', detail: 'full' } },
  mandatoryExempt: true,
  capped: new Map(),
  ...over,
});
const ids = (xs: readonly { actionId: string }[]) => xs.map((x) => x.actionId);

describe('picking the winners of an answer', () => {
  const ranked = [
    candidate('a', 'offer', 9),
    candidate('s', 'service', 8),
    candidate('b', 'retention', 7),
    candidate('m', 'offer', 6, true),
    candidate('c', 'offer', 5),
  ];

  it('takes the best ranked up to the limit', () => {
    expect(ids(pickWinners(ranked, rules({ limit: 2 })).winners)).toEqual(['a', 's']);
  });

  it('lets marketing actions only fill the room the windows have left, and says which window', () => {
    const picked = pickWinners(ranked, rules({ room: { room: 1, reason: { code: 'overall-limit', detail: 'x' } } }));
    // service and mandatory actions use no room
    expect(ids(picked.winners)).toEqual(['a', 's', 'm']);
    expect(picked.excluded).toEqual([
      { actionId: 'b', kind: 'retention', potential: 7, reason: { code: 'overall-limit', detail: 'x' } },
    ]);
  });

  it('gives a capped action’s place to the next, with the cap as its reason', () => {
    const capped = new Map([['a', { code: 'volume-cap', detail: '5 a day reached' }]]);
    const picked = pickWinners(ranked, rules({ limit: 2, capped }));
    expect(ids(picked.winners)).toEqual(['s', 'b']);
    expect(picked.excluded[0]).toMatchObject({ actionId: 'a', reason: { code: 'volume-cap' } });
  });

  it('never displaces another winner when a capped action is taken away, so the units reserved for them stay used', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ kind: fc.constantFrom<ActionKind>('offer', 'service', 'retention'), mandatory: fc.boolean() }),
          { maxLength: 8 },
        ),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 4 }),
        fc.nat(7),
        (specs, limit, room, away) => {
          const list = specs.map((s, i) => candidate(`x${i}`, s.kind, 100 - i, s.mandatory));
          const r = rules({ limit, room: { room, reason: { code: 'channel-limit', detail: '' } } });
          const before = ids(pickWinners(list, r).winners);
          const taken = `x${away}`;
          const after = ids(
            pickWinners(list, { ...r, capped: new Map([[taken, { code: 'volume-cap', detail: '' }]]) }).winners,
          );
          for (const w of before) if (w !== taken) expect(after).toContain(w);
        },
      ),
    );
  });
});
