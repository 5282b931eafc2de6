import type { FieldError } from '../errors.ts';
import { unitHash } from './experiments.ts';

/**
 * Message variants: a treatment may be sent in a few versions (`variants`), each with a weight and
 * its own texts or params. Which one a customer gets is a pure function of tenant, customer and
 * action, like the experiment groups (experiments.ts): every decision, trigger and campaign sends
 * the customer the same variant, and nothing is stored to decide it.
 */
export type MessageParam = string | number | boolean;

export interface MessageVariant {
  variantId: string;
  /** Relative share of customers (> 0); the shares need not add up to anything. */
  weight: number;
  /** language -> text: overrides the treatment's text in the languages it names. */
  text?: Record<string, string>;
  /** Merged over the treatment's params (the variant's win). */
  params?: Record<string, MessageParam>;
}

/** What of a treatment a variant changes. */
export interface VariantBase {
  text: Record<string, string>;
  params?: Record<string, MessageParam>;
  variants?: readonly MessageVariant[];
}

// A salt and seed of their own: the control group hashes `tenant\0customer\0experiment` with seeds 0
// and 1 and campaigns use seeds 7, 11 and 13, so a customer's variant says nothing about its groups.
const VARIANT_SALT = 'message-variant';
const VARIANT_SEED = 17;

/** The customer's point in [0, 1) for an action's variants. */
export const variantPoint = (tenant: string, customerId: string, actionId: string): number =>
  unitHash(`${VARIANT_SALT}\u0000${tenant}\u0000${customerId}\u0000${actionId}`, VARIANT_SEED);

/** The variant whose stretch of the cumulative weights holds `point` (in [0, 1)); none without weight. */
export function variantAt<V extends Pick<MessageVariant, 'weight'>>(
  variants: readonly V[],
  point: number,
): V | undefined {
  let total = 0;
  for (const v of variants) total += v.weight;
  if (!(total > 0)) return undefined;
  let left = point * total;
  for (const v of variants) {
    left -= v.weight;
    if (left < 0) return v;
  }
  // rounding can leave a sliver after the last stretch: it belongs to the last variant
  return variants.at(-1);
}

/** The customer's variant of an action's treatment, sticky across every path; none when it lists none. */
export function assignedVariant(
  tenant: string,
  customerId: string,
  actionId: string,
  variants: readonly MessageVariant[] | undefined,
): MessageVariant | undefined {
  return variants?.length ? variantAt(variants, variantPoint(tenant, customerId, actionId)) : undefined;
}

/** A treatment as one customer gets it: the variant's texts and params over the treatment's. */
export interface VariantTreatment {
  text: Record<string, string>;
  params?: Record<string, MessageParam>;
  variantId?: string;
}

export function withVariant(treatment: VariantBase, variant: MessageVariant | undefined): VariantTreatment {
  const params = { ...treatment.params, ...variant?.params };
  return {
    text: variant?.text ? { ...treatment.text, ...variant.text } : treatment.text,
    ...(Object.keys(params).length ? { params } : {}),
    ...(variant ? { variantId: variant.variantId } : {}),
  };
}

/** The treatment for this customer: its variant (if it lists any) applied. */
export const treatmentForCustomer = (
  treatment: VariantBase,
  key: { tenant: string; customerId: string; actionId: string },
): VariantTreatment =>
  withVariant(treatment, assignedVariant(key.tenant, key.customerId, key.actionId, treatment.variants));

/** What is wrong with a treatment's variant list, each naming its field (`<field>.<index>.<name>`). */
export function variantProblems(variants: readonly MessageVariant[] | undefined, field: string): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  (variants ?? []).forEach((v, i) => {
    if (!(Number.isFinite(v.weight) && v.weight > 0))
      errors.push({ field: `${field}.${i}.weight`, message: `variant ${v.variantId} needs a weight above 0` });
    if (seen.has(v.variantId))
      errors.push({ field: `${field}.${i}.variantId`, message: `variant ${v.variantId} is listed twice` });
    seen.add(v.variantId);
  });
  return errors;
}
