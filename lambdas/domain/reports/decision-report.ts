import { proportionDifference, scaled } from './intervals.ts';
import {
  periodOf,
  ratio,
  round,
  type Granularity,
  type ReportBuilder,
  type Acceptance,
  type ReportContext,
  type ReportDecision,
} from './report.ts';

interface Tally {
  decisions: { treated: number; control: number };
  conversions: { treated: number; control: number };
  offers: number;
  accepted: number;
  declined: number;
  ignored: number;
  revenue: number;
}
const emptyTally = (): Tally => ({
  decisions: { treated: 0, control: 0 },
  conversions: { treated: 0, control: 0 },
  offers: 0,
  accepted: 0,
  declined: 0,
  ignored: 0,
  revenue: 0,
});

/**
 * Decisions of the period by action, channel and experiment group: offers and responses, and
 * uplift = conversion of treated decisions (champion, challenger) minus conversion of the global
 * control group, in percentage points. A decision converts when one of its offers is accepted,
 * or when the customer accepts an offer (offer.response event) after it: control decisions show
 * nothing, so their conversions are the organic take-up the treatment must beat. Per action, the
 * control's conversion counts only acceptances of that action. `upliftLowPp`..`upliftHighPp` is
 * the uplift's 95% interval (the simulation in lambdas/app/uplift-simulation.test.ts checks that
 * it holds a planted effect as often as it claims).
 *
 * Offers sent as a message variant also count in a `variant` row, `<actionId>/<variantId>`: its
 * uplift is against the action's control conversion, as the action's is, and `vsOtherVariantsPp`
 * (with `vsOtherVariantsLowPp`..`vsOtherVariantsHighPp`, the same Newcombe interval) is its
 * acceptance minus that of the action's other variants together: for two variants, A against B.
 */
export function decisionReport(ctx: ReportContext, granularity: Granularity, period: string): ReportBuilder {
  const all = emptyTally();
  const groups = new Map<string, Tally>();
  const tally = (dimension: string, value: string) => {
    const key = `${dimension}\u0000${value}`;
    let t = groups.get(key);
    if (!t) groups.set(key, (t = emptyTally()));
    return t;
  };
  const controlConversionsByAction = new Map<string, Map<string, number>>();
  let controlDecisions = 0;
  return {
    // the decisions come from the decision log, not from the customer scan
    add() {},
    addDecision(d: ReportDecision, last: Acceptance | undefined) {
      if (periodOf(d.at, granularity, ctx.timezone) !== period) return;
      const arm = d.group === 'control' ? 'control' : 'treated';
      const organic = last && Date.parse(last.at) >= Date.parse(d.at) ? last.actionId : undefined;
      const converted = d.offers.some((o) => o.response === 'accepted') || organic !== undefined;
      for (const t of [all, tally('group', d.group), tally('channel', d.channel)]) {
        t.decisions[arm]++;
        if (converted) t.conversions[arm]++;
      }
      if (arm === 'control') {
        controlDecisions++;
        if (organic) {
          const m = controlConversionsByAction.get(organic) ?? new Map<string, number>();
          m.set('all', (m.get('all') ?? 0) + 1);
          controlConversionsByAction.set(organic, m);
          tally('action', organic);
        }
      }
      for (const o of d.offers) {
        const accepted = o.response === 'accepted';
        const value = accepted ? (ctx.actionValues[o.actionId] ?? 0) : 0;
        for (const t of [all, tally('group', d.group), tally('channel', d.channel), tally('action', o.actionId)]) {
          t.offers++;
          if (accepted) t.accepted++;
          if (o.response === 'declined') t.declined++;
          if (o.response === 'ignored') t.ignored++;
          t.revenue += value;
        }
        const action = tally('action', o.actionId);
        action.decisions.treated++;
        if (accepted) action.conversions.treated++;
        if (o.variantId === undefined) continue;
        const variant = tally('variant', variantKey(o.actionId, o.variantId));
        variant.offers++;
        variant.decisions.treated++;
        if (accepted) {
          variant.accepted++;
          variant.conversions.treated++;
        }
        if (o.response === 'declined') variant.declined++;
        if (o.response === 'ignored') variant.ignored++;
        variant.revenue += value;
      }
    },
    snapshot(generatedAt) {
      // the point uplift and its 95% interval (Newcombe: intervals.ts says why), in points
      const uplift = (t: Tally, controlConv: number, controlDec: number) => {
        const i = scaled(
          proportionDifference({ x: t.conversions.treated, n: t.decisions.treated }, { x: controlConv, n: controlDec }),
          100,
          2,
        );
        return { upliftPp: i?.difference ?? null, upliftLowPp: i?.low ?? null, upliftHighPp: i?.high ?? null };
      };
      const none = { upliftPp: null, upliftLowPp: null, upliftHighPp: null };
      // each variant against the other variants of its action, pooled
      const variantsOfAction = new Map<string, Tally[]>();
      for (const [key, t] of groups) {
        const [dimension, value] = key.split('\u0000') as [string, string];
        if (dimension !== 'variant') continue;
        const actionId = actionOfVariantKey(value);
        variantsOfAction.set(actionId, [...(variantsOfAction.get(actionId) ?? []), t]);
      }
      const againstOthers = (t: Tally, value: string) => {
        let x = 0;
        let n = 0;
        for (const other of variantsOfAction.get(actionOfVariantKey(value)) ?? []) {
          if (other === t) continue;
          x += other.conversions.treated;
          n += other.decisions.treated;
        }
        const i = scaled(proportionDifference({ x: t.conversions.treated, n: t.decisions.treated }, { x, n }), 100, 2);
        return {
          vsOtherVariantsPp: i?.difference ?? null,
          vsOtherVariantsLowPp: i?.low ?? null,
          vsOtherVariantsHighPp: i?.high ?? null,
        };
      };
      const metrics = (t: Tally, dimension: string, value: string) => {
        const perOffer = dimension === 'action' || dimension === 'variant';
        const [cConv, cDec] = perOffer
          ? [controlConversionsByAction.get(perOfferAction(dimension, value))?.get('all') ?? 0, controlDecisions]
          : [t.conversions.control, t.decisions.control];
        return {
          decisions: perOffer ? t.offers : t.decisions.treated + t.decisions.control,
          offers: t.offers,
          accepted: t.accepted,
          declined: t.declined,
          ignored: t.ignored,
          acceptance: ratio(t.accepted, t.offers),
          conversionTreated: ratio(t.conversions.treated, t.decisions.treated),
          conversionControl: ratio(cConv, cDec),
          ...(dimension === 'group' ? none : uplift(t, cConv, cDec)),
          revenue: round(t.revenue, 2),
          ...(dimension === 'variant' ? againstOthers(t, value) : {}),
        };
      };
      const rows = [...groups.entries()]
        .map(([key, t]) => {
          const [dimension, value] = key.split('\u0000') as [string, string];
          return { dimension, value, ...metrics(t, dimension, value) };
        })
        .sort(
          (a, b) => a.dimension.localeCompare(b.dimension) || b.offers - a.offers || a.value.localeCompare(b.value),
        );
      const summary = metrics(all, 'all', 'all');
      return {
        name: 'decisions',
        granularity,
        period,
        generatedAt,
        summary: { ...summary, ...uplift(all, all.conversions.control, all.decisions.control) },
        rows,
        chartMetric: 'offers',
      };
    },
  };
}

/** A variant row's value: the action and the variant (action ids hold no `/`). */
const variantKey = (actionId: string, variantId: string) => `${actionId}/${variantId}`;
const actionOfVariantKey = (key: string) => key.slice(0, key.indexOf('/'));
const perOfferAction = (dimension: string, value: string) =>
  dimension === 'variant' ? actionOfVariantKey(value) : value;
