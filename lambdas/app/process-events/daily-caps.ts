import type { ContactPolicy } from '#domain/contact-policy.ts';
import { localDay } from '#domain/decisioning/decision-id.ts';
import type { Fold } from '#domain/event-fold.ts';
import type { TenantId } from '#domain/ids.ts';
import type { VolumeCounter } from '#domain/ports/decisions.ts';
import type { TriggerRules } from './trigger-rules.ts';
import { ProcessorWiringError } from './wiring-error.ts';

/**
 * Units of the actions' daily caps (`limits.perDay`) the processor holds. They outlive a lost write
 * race: a retried firing keeps its unit and takes no second.
 */
export interface Reservations {
  granted: Set<string>;
  spent: Set<string>;
}

/**
 * Reserves a unit of its action's daily cap for each firing that needs one; a refused reservation
 * marks the action spent and the fold runs again without it (which may let a lower-priority trigger
 * take the channel), until every firing holds its unit.
 */
export const reserveDailyCaps =
  (volume: VolumeCounter | undefined, policy: ContactPolicy) =>
  async (
    tenant: TenantId,
    fold: Fold,
    rules: TriggerRules,
    now: Date,
    held: Reservations,
    refold: () => Fold,
  ): Promise<Fold> => {
    let result = fold;
    for (;;) {
      const due = result.firings.filter(
        (f) =>
          rules.actions.get(f.message.actionId)?.limits.perDay !== undefined && !held.granted.has(f.message.messageId),
      );
      if (due.length === 0) return result;
      if (!volume)
        throw new ProcessorWiringError('an action with a daily cap would fire but the processor has no volume counter');
      const day = localDay(now, policy.timeZone);
      let refusedAny = false;
      for (const f of due) {
        const { actionId, messageId } = f.message;
        const cap = rules.actions.get(actionId)!.limits.perDay!;
        if (!held.spent.has(actionId) && (await volume.reserve(tenant, actionId, day, cap, messageId)))
          held.granted.add(messageId);
        else {
          held.spent.add(actionId);
          refusedAny = true;
        }
      }
      if (!refusedAny) return result;
      result = refold();
    }
  };
