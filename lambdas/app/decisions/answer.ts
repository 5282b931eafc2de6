import type { Reason } from '#domain/contact-policy.ts';
import { valueTierOf, type Scores } from '#domain/customer.ts';
import { LOGGED_EXCLUSIONS, type DecisionRecord } from '#domain/decisioning/decision-record.ts';
import type { ExperimentGroup } from '#domain/decisioning/experiments.ts';
import type { Candidate } from '#domain/decisioning/evaluate-actions.ts';
import type { CustomerRecord } from '#domain/customer.ts';
import type { StateView } from '#domain/customer-state.ts';
import type { DecidedAction, Decision, DecisioningSettings, DecisionRequest } from '../decisions.ts';
import type { Settled } from './settle.ts';

/** What every answer carries whatever it offers: id, channel, experiment group, value tier and service level. */
export type AnswerBase = Omit<Decision, 'actions' | 'modelVersions' | 'reasons' | 'excluded'>;

const spendOf = (state: StateView | undefined): number => state?.spend30d?.value ?? 0;

export function answerBase(
  decisionId: string,
  req: DecisionRequest,
  record: CustomerRecord,
  state: StateView | undefined,
  group: ExperimentGroup,
  settings: DecisioningSettings,
): AnswerBase {
  const valueTier = valueTierOf(record, settings.valueTiers, spendOf(state));
  return {
    decisionId,
    customerId: req.customerId,
    channel: req.channel,
    experiment: { id: settings.experiments.id, group },
    valueTier,
    serviceLevel: settings.serviceLevels[valueTier],
  };
}

/** The global control group's answer: nothing, and why. */
export function versionsOf(scores: Scores): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of [scores.churn, scores.nps, ...Object.values(scores.crossSell ?? {})]) if (s) out[s.model] = s.version;
  return out;
}

const byPotential = (a: { potential: number }, b: { potential: number }) => b.potential - a.potential;

/** The answer to the channel: each winner with its treatment and reasons, the strongest exclusions explained. */
export function answerOf(base: AnswerBase, settled: Settled, scores: Scores, settings: DecisioningSettings): Decision {
  const { result, winners } = settled;
  const excluded = [...settled.excluded].sort(byPotential);
  const reasons: Reason[] = winners.length
    ? []
    : [
        {
          code: 'no-action',
          detail: result.excluded.length
            ? `all ${result.excluded.length} actions excluded`
            : 'the catalog has no actions',
        },
      ];
  return {
    ...base,
    actions: winners.map((w: Candidate): DecidedAction => {
      const { treatment, reasons, variantId } = result.describe(w);
      return {
        actionId: w.actionId,
        kind: w.kind,
        ...(variantId ? { variantId } : {}),
        treatment,
        score: w.priority,
        propensity: w.propensity,
        value: w.action.value,
        reasons,
      };
    }),
    modelVersions: versionsOf(scores),
    reasons,
    excluded: excluded
      .slice(0, settings.explainExcluded)
      .map((e) => ({ actionId: e.actionId, kind: e.kind, reasons: [e.reason] })),
  };
}

/** The strongest exclusions as the log keeps them (code only). */
export const loggedExclusions = (settled: Settled): DecisionRecord['excluded'] =>
  [...settled.excluded]
    .sort(byPotential)
    .slice(0, LOGGED_EXCLUSIONS)
    .map((e) => ({ actionId: e.actionId, code: e.reason.code }));
