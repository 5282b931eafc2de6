import { CHANNELS } from '#domain/customer.ts';
import { EVENT_TYPES } from '#domain/events.ts';
import { Id, ListOf, RuleSchema, z } from './common.ts';

const Condition = RuleSchema('JSON Logic over {profile, state, scores, context, event}, or a boolean');

const triggerFields = {
  eventType: z.enum(EVENT_TYPES),
  condition: Condition,
  actionId: Id,
  channel: z.enum(CHANNELS),
  cooldownHours: z
    .number()
    .min(0)
    .max(24 * 365),
  priority: z.number().int().min(0).max(1000).default(0),
  enabled: z.boolean().default(true),
};

/** PUT body; `triggerId` comes from the path (accepted in the body only if it matches). */
export const TriggerBody = z.strictObject({ ...triggerFields, triggerId: Id.optional() }).openapi('TriggerBody');
export const Trigger = z.object({ triggerId: Id, ...triggerFields }).openapi('Trigger');
export const TriggerList = ListOf(Trigger).openapi('TriggerList');
export const TriggerParams = z.object({ triggerId: Id });
