import * as z from 'zod';
import { ActionDefinition } from './decision.ts';
import { TriggerDefinition } from './triggers.ts';

/**
 * A market's starting catalog and triggers (market config `starter`), validated with the very
 * schemas the API validates `PUT /v1/actions/{id}` and `PUT /v1/triggers/{id}` with, strictly (a
 * misspelt field fails instead of vanishing). The market config and the seed function both parse it.
 */
export const Starter = z
  .strictObject({
    actions: z.array(z.strictObject(ActionDefinition.shape)).default([]),
    triggers: z.array(z.strictObject(TriggerDefinition.shape)).default([]),
  })
  .superRefine((starter, ctx) => {
    const actionIds = new Set<string>();
    starter.actions.forEach((a, i) => {
      if (actionIds.has(a.actionId))
        ctx.addIssue({ code: 'custom', path: ['actions', i, 'actionId'], message: `${a.actionId} appears twice` });
      actionIds.add(a.actionId);
      if (a.validFrom && a.validTo && Date.parse(a.validFrom) >= Date.parse(a.validTo))
        ctx.addIssue({ code: 'custom', path: ['actions', i, 'validTo'], message: 'validTo must be after validFrom' });
    });
    const triggerIds = new Set<string>();
    starter.triggers.forEach((t, i) => {
      if (triggerIds.has(t.triggerId))
        ctx.addIssue({ code: 'custom', path: ['triggers', i, 'triggerId'], message: `${t.triggerId} appears twice` });
      triggerIds.add(t.triggerId);
      // a day-one trigger firing an action no tenant has yet would only ever be refused
      if (!actionIds.has(t.actionId))
        ctx.addIssue({
          code: 'custom',
          path: ['triggers', i, 'actionId'],
          message: `${t.actionId} is not in the starter actions`,
        });
    });
  });
export type Starter = z.infer<typeof Starter>;
export const EMPTY_STARTER: Starter = { actions: [], triggers: [] };
