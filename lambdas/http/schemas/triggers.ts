import { CHANNELS } from '#domain/customer.ts';
import { EVENT_TYPES } from '#domain/events.ts';
import * as z from 'zod';
import { Id } from '#edge/ids.ts';
import { ListOf, ReadOnlyStamp, VersionStamp, withoutStamp } from './common.ts';
import { RuleSchema } from './rules.ts';

const Condition = RuleSchema(
  'JSON Logic over {profile, state, scores, context, event, signals, previous}, or a boolean. `scores.churn` is the newer of the nightly and the real-time score; `previous.scores` holds the scores before this event, which `crossed` compares with (`{crossed: [scores.churn, 0.6]}` in JSON): it holds on the event that took the score from below the threshold to at or above it, once per crossing',
);

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

/**
 * PUT body; `triggerId` comes from the path (accepted in the body only if it matches). The
 * read-only `version`, `createdAt` and `updatedAt` a GET shows are accepted and ignored.
 */
export const TriggerBody = z
  .strictObject({ ...triggerFields, triggerId: Id.optional(), ...ReadOnlyStamp })
  .transform(withoutStamp)
  .meta({ id: 'TriggerBody', description: 'Read-only fields a GET returns are accepted and ignored.' });
/** A trigger as the market config's starter and the seeder take it: no version. */
export const TriggerDefinition = z.object({ triggerId: Id, ...triggerFields });
/** A trigger as the API shows it: with its version (the ETag) and dates. */
export const Trigger = TriggerDefinition.extend(VersionStamp).meta({ id: 'Trigger' });
export const TriggerList = ListOf(Trigger).meta({ id: 'TriggerList' });
export const TriggerParams = z.object({ triggerId: Id });
