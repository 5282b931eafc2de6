import { CHANNELS } from '#domain/customer.ts';
import * as z from 'zod';
import { Id } from '#edge/ids.ts';
import { TreatmentParams } from './treatment-params.ts';

// apart from the action and request schemas (decision.ts), so that the customers function's export
// names a logged decision without carrying the action catalog's checks
const Channel = z.enum(CHANNELS);
const Reason = z.object({ code: z.string(), detail: z.string() });
const DecidedAction = z.object({
  actionId: Id,
  kind: z.string(),
  variantId: z
    .string()
    .optional()
    .meta({ description: "The treatment's message variant the customer is sticky to (only when it lists variants)" }),
  treatment: z.object({
    channel: Channel,
    templateKey: z.string(),
    language: z.string(),
    text: z.string().optional(),
    params: TreatmentParams,
  }),
  score: z.number(),
  propensity: z.number(),
  value: z.number(),
  reasons: z.array(Reason).meta({ description: 'Why it was chosen; the ranked reason names the priority inputs' }),
});
const Experiment = z.object({ id: z.string(), group: z.enum(['control', 'champion', 'challenger']) });
const ValueTier = z.enum(['platinum', 'gold', 'silver', 'bronze']);

export const DecisionView = z
  .object({
    decisionId: z.string(),
    customerId: Id,
    channel: Channel,
    actions: z.array(DecidedAction),
    experiment: Experiment,
    valueTier: ValueTier,
    serviceLevel: z.string(),
    modelVersions: z.record(z.string(), z.string()),
    reasons: z.array(Reason),
    excluded: z.array(z.object({ actionId: Id, kind: z.string(), reasons: z.array(Reason) })),
  })
  .meta({ id: 'Decision' });

/** `GET /v1/decisions/{decisionId}`: the decision log's record, with the responses it has had. */
export const LoggedDecision = z
  .object({
    decisionId: z.string(),
    customerId: Id,
    channel: Channel,
    at: z.string().meta({ description: 'When it was decided (ISO 8601)' }),
    actions: z.array(DecidedAction),
    excluded: z
      .array(z.object({ actionId: Id, code: z.string() }))
      .meta({ description: 'The strongest excluded candidates, strongest first, with the code that excluded each' }),
    experiment: Experiment,
    valueTier: ValueTier,
    serviceLevel: z.string(),
    modelVersions: z.record(z.string(), z.string()),
    context: z.record(z.string(), z.unknown()),
    responses: z.array(
      z.object({ actionId: Id, response: z.enum(['accepted', 'declined', 'ignored']), at: z.string() }),
    ),
  })
  .meta({ id: 'LoggedDecision' });
