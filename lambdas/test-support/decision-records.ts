import type { ActionKind } from '#domain/contact-window.ts';
import type { DecisionRecord } from '#domain/decisioning/decision-record.ts';

let seq = 0;

/** A new-style decision id at `at` (what `newDecisionId` makes), unique within a test run. */
export const aDecisionId = (at: string) =>
  `${Date.parse(at).toString(36).padStart(9, '0')}${(++seq).toString(36).padStart(6, '0')}`;

/** A logged decision offering `offers` (action id -> kind), with what a real one carries around them. */
export function aDecisionRecord(
  customerId: string,
  at: string,
  offers: Record<string, ActionKind> = { bundle: 'offer' },
  over: Partial<DecisionRecord> = {},
): DecisionRecord {
  return {
    decisionId: aDecisionId(at),
    customerId,
    channel: 'app',
    at,
    actions: Object.entries(offers).map(([actionId, kind]) => ({
      actionId,
      kind,
      treatment: {
        channel: over.channel ?? 'app',
        templateKey: `${actionId}.app`,
        language: 'en',
        text: `${actionId} for you`,
      },
      score: 12.5,
      propensity: 0.2,
      value: 50,
      reasons: [
        { code: 'eligible', detail: 'eligibility rule passed' },
        { code: 'ranked', detail: 'champion: p 0.2 x w 1 x v 50 x l 1' },
      ],
    })),
    excluded: [
      { actionId: 'device-upgrade', code: 'not-eligible' },
      { actionId: 'roaming-pack', code: 'no-consent' },
    ],
    experiment: { id: 'global-1', group: 'champion' },
    valueTier: 'silver',
    serviceLevel: 'standard-queue',
    modelVersions: { churn: '1.0.0' },
    context: {},
    responses: [],
    segment: 'youth',
    // far ahead: DynamoDB Local's TTL really deletes, and test dates may be long past
    expiresAt: Math.floor(Date.parse(at) / 1000) + 3650 * 86_400,
    ...over,
  };
}
