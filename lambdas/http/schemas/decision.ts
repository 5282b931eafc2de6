import { CHANNELS } from '#domain/customer.ts';
import { parseTemplate } from '#domain/delivery/placeholders.ts';
import { DECISION_ID_PATTERN, LEGACY_DECISION_ID_PATTERN } from '#domain/decisioning/decision-id.ts';
import { variantProblems } from '#domain/decisioning/variants.ts';
import * as z from 'zod';
import { Id } from '#edge/ids.ts';
import { ListOf, ReadOnlyStamp, VersionStamp, withoutStamp } from './common.ts';
import { RuleSchema } from './rules.ts';

const Channel = z.enum(CHANNELS);
const Language = z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'a language tag such as en or en-ZA');
const Rule = RuleSchema('JSON Logic over {profile, state, scores, context, signals}, or a boolean');

const Texts = z
  .record(Language, z.string().min(1).max(1000))
  .refine((t) => Object.keys(t).length > 0, 'at least one language')
  // placeholders name known paths only (domain/delivery/placeholders.ts); segments need the market, see actions.ts
  .superRefine((texts, ctx) => {
    for (const [language, text] of Object.entries(texts))
      for (const message of parseTemplate(text).problems) ctx.addIssue({ code: 'custom', path: [language], message });
  });

const Params = z
  .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/), z.union([z.string().max(256), z.number(), z.boolean()]))
  .refine((p) => Object.keys(p).length <= 20, 'at most 20 params')
  .meta({ description: "Named values that travel with the message (a gateway's template fields)" });

const Variant = z.strictObject({
  variantId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/, 'letters, digits, _ and -, up to 32'),
  weight: z.number().positive().max(1_000_000).meta({ description: 'Relative share of customers, above 0' }),
  text: Texts.optional().meta({ description: "language -> text: replaces the treatment's text in these languages" }),
  params: Params.optional().meta({ description: "Merged over the treatment's params" }),
});

const Treatment = z.strictObject({
  templateKey: z.string().min(1).max(128),
  text: Texts.meta({
    description:
      'language -> text; may hold {{profile.<path>}}, {{state.<path>}} and {{action.<path>}} placeholders, ' +
      'optionally with a maximum width ({{state.dataUsedPct:3}}, default 10) that the SMS segment check assumes',
  }),
  params: Params.optional(),
  variants: z
    .array(Variant)
    .min(1)
    .max(10)
    .superRefine((variants, ctx) => {
      for (const e of variantProblems(variants, '')) {
        const [, index, name] = e.field.split('.');
        ctx.addIssue({ code: 'custom', path: [Number(index), name ?? ''], message: e.message });
      }
    })
    .optional()
    .meta({
      description:
        'Message variants: each customer gets one, sticky (a hash of tenant, customer and action) and in proportion ' +
        'to the weights; its `variantId` travels with the decision, the message and the reports',
    }),
});

const ContactLimit = z.strictObject({
  channel: Channel.optional(),
  max: z.number().int().min(0).max(1000),
  days: z.number().int().min(1).max(365),
});

const actionFields = {
  name: z.string().min(1).max(128),
  kind: z.enum(['offer', 'retention', 'service', 'information']),
  treatments: z.partialRecord(Channel, Treatment).refine((t) => Object.keys(t).length > 0, 'at least one channel'),
  eligibility: Rule,
  propensity: z.union([
    z.strictObject({
      model: z.string().regex(/^(churn|cross-sell\/[A-Za-z0-9._-]{1,64})$/, 'churn or cross-sell/<product>'),
    }),
    z.strictObject({ starting: z.number().min(0).max(1) }),
  ]),
  value: z.number().min(0).max(10_000_000),
  validFrom: z.iso.datetime({ offset: true }).optional(),
  validTo: z.iso.datetime({ offset: true }).optional(),
  lever: z.number().positive().max(100).default(1),
  limits: z
    .strictObject({
      perCustomer: z.array(ContactLimit).max(10).default([]),
      perDay: z.number().int().min(1).max(100_000_000).optional(),
    })
    .default({ perCustomer: [] }),
  mandatory: z.boolean().optional(),
};

/**
 * PUT body: the action without its id (the path names it); an `actionId` field must match it. The
 * read-only `version`, `createdAt` and `updatedAt` a GET shows are accepted and ignored.
 */
export const ActionBody = z
  .strictObject({ actionId: Id.optional(), ...actionFields, ...ReadOnlyStamp })
  .refine((a) => !a.validFrom || !a.validTo || Date.parse(a.validFrom) < Date.parse(a.validTo), {
    message: 'validTo must be after validFrom',
    path: ['validTo'],
  })
  .transform(withoutStamp)
  .meta({ id: 'ActionInput', description: 'Read-only fields a GET returns are accepted and ignored.' });

/** An action as the market config's starter and the seeder take it: no version. */
export const ActionDefinition = z.object({ actionId: Id, ...actionFields });
/** An action as the API shows it: with its version (the ETag) and dates. */
export const Action = ActionDefinition.extend(VersionStamp).meta({ id: 'Action' });
export const ActionList = ListOf(Action).meta({ id: 'ActionList' });
export const ActionParams = z.object({ actionId: Id });

export const DecisionRequestBody = z
  .strictObject({
    customerId: Id,
    channel: Channel,
    context: z
      .record(
        z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/),
        z.union([z.string().max(256), z.number(), z.boolean(), z.null()]),
      )
      .refine((c) => Object.keys(c).length <= 20, 'at most 20 context fields')
      .optional()
      .meta({
        description:
          '`direction: outbound` for outbound use of call-centre; `intent` (offer|retention|service|information) weighs matching actions up',
      }),
    limit: z.number().int().min(1).max(10).optional(),
  })
  .meta({ id: 'DecisionRequest' });

// Customer-prefixed ids were issued before the log moved; they are accepted until their items expire.
const ISSUED_DECISION_ID = new RegExp(`${DECISION_ID_PATTERN.source}|${LEGACY_DECISION_ID_PATTERN.source}`);
export const DecisionParams = z.object({
  decisionId: z.string().regex(ISSUED_DECISION_ID, 'a decision id as POST /v1/decisions returned it'),
});
export const ResponseBody = z
  .strictObject({ actionId: Id, response: z.enum(['accepted', 'declined', 'ignored']) })
  .meta({ id: 'DecisionResponse' });
export const ResponseView = z
  .object({ decisionId: z.string(), actionId: Id, response: z.string(), duplicate: z.boolean() })
  .meta({ id: 'DecisionResponseResult' });
