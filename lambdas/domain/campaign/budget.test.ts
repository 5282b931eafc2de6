import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Action } from '../action.ts';
import {
  contactCostUsd,
  fits,
  limitsOf,
  maxContactCostUsd,
  NO_BUDGET_USE,
  reasonOf,
  toNanoUsd,
  type BudgetUse,
} from './budget.ts';
import { COST_PER_TREATMENT_MEMBER_USD } from './campaign.ts';

const sms = (text: Record<string, string>): Pick<Action, 'treatments'> => ({
  treatments: { sms: { templateKey: 'k', text } },
});
const ZA_SMS = { connectionType: 'sms' as const, defaultLanguage: 'en', country: 'ZA' };

describe('campaign budgets', () => {
  it("counts a contact as the preview does: the platform's share plus the SMS segments of its text at the country's price", () => {
    const one = contactCostUsd(sms({ en: 'Get 2 GB for R29' }), 'sms', 'en', ZA_SMS);
    expect(one).toBeCloseTo(COST_PER_TREATMENT_MEMBER_USD + 0.1, 9);
    const long = contactCostUsd(sms({ en: 'x'.repeat(200) }), 'sms', 'en', ZA_SMS);
    expect(long).toBeCloseTo(COST_PER_TREATMENT_MEMBER_USD + 0.2, 9);
    // the operator's own gateway: AWS bills no sending
    const queue = { ...ZA_SMS, connectionType: 'queue' as const };
    expect(contactCostUsd(sms({ en: 'x'.repeat(200) }), 'sms', 'en', queue)).toBe(COST_PER_TREATMENT_MEMBER_USD);
  });

  it('holds the most any language of any action can cost, so a settled contact never counts more than its hold', () => {
    const actions = [sms({ en: 'short', af: 'y'.repeat(400) }), sms({ en: 'z'.repeat(170) })];
    const most = maxContactCostUsd(actions, 'sms', ZA_SMS);
    expect(most).toBeCloseTo(COST_PER_TREATMENT_MEMBER_USD + 0.3, 9);
    for (const a of actions)
      for (const lang of ['en', 'af', 'fr']) expect(contactCostUsd(a, 'sms', lang, ZA_SMS)).toBeLessThanOrEqual(most);
  });

  it("counts the text of the variant a member was sent, and holds for the longest variant's", () => {
    const action: Pick<Action, 'treatments'> = {
      treatments: {
        sms: {
          templateKey: 'k',
          text: { en: 'short' },
          variants: [
            { variantId: 'A', weight: 1 },
            { variantId: 'B', weight: 1, text: { en: 'x'.repeat(400) } },
          ],
        },
      },
    };
    expect(contactCostUsd(action, 'sms', 'en', ZA_SMS, 'A')).toBeCloseTo(COST_PER_TREATMENT_MEMBER_USD + 0.1, 9);
    expect(contactCostUsd(action, 'sms', 'en', ZA_SMS, 'B')).toBeCloseTo(COST_PER_TREATMENT_MEMBER_USD + 0.3, 9);
    expect(maxContactCostUsd([action], 'sms', ZA_SMS)).toBeCloseTo(COST_PER_TREATMENT_MEMBER_USD + 0.3, 9);
  });

  it('never lets holds pass either limit, whatever order contacts and releases come in', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 5000 }),
        fc.array(fc.record({ cost: fc.integer({ min: 1, max: 400 }), contacted: fc.boolean() }), { maxLength: 80 }),
        (maxContacts, maxNanoUsd, attempts) => {
          const limits = { maxContacts, maxNanoUsd };
          let use: BudgetUse = { ...NO_BUDGET_USE };
          for (const a of attempts) {
            if (!fits(use, limits, a.cost)) {
              const settled = { ...use, heldContacts: use.contacts, heldNanoUsd: use.nanoUsd };
              expect(['budget.maxContacts', 'budget.maxCostUsd']).toContain(reasonOf(settled, limits));
              continue;
            }
            use = { ...use, heldContacts: use.heldContacts + 1, heldNanoUsd: use.heldNanoUsd + a.cost };
            use = a.contacted
              ? { ...use, contacts: use.contacts + 1, nanoUsd: use.nanoUsd + a.cost }
              : { ...use, heldContacts: use.heldContacts - 1, heldNanoUsd: use.heldNanoUsd - a.cost };
            expect(use.contacts).toBeLessThanOrEqual(maxContacts);
            expect(use.nanoUsd).toBeLessThanOrEqual(maxNanoUsd);
          }
        },
      ),
    );
  });

  it('names the contact limit when it is full and the cost limit otherwise, in whole nano-dollars', () => {
    const full: BudgetUse = { heldContacts: 10, heldNanoUsd: 0, contacts: 10, nanoUsd: 0 };
    expect(reasonOf(full, limitsOf({ maxContacts: 10, maxCostUsd: 1 }))).toBe('budget.maxContacts');
    expect(reasonOf({ ...full, contacts: 3 }, limitsOf({ maxContacts: 10, maxCostUsd: 1 }))).toBe('budget.maxCostUsd');
    expect(limitsOf({ maxCostUsd: 0.3 })).toEqual({ maxNanoUsd: 300_000_000 });
    expect(toNanoUsd(0.1 + 0.2)).toBe(300_000_000);
  });
});
