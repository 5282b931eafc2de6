import type { ContactRecord } from './action.ts';
import type { OutboundMessage } from './triggers.ts';

/*
 * Hand-offs in a state item's outbox and the contact history they join: every reader of the ledger
 * needs these, most of them none of the trigger evaluation beside them.
 */

/** The contact a handed-off message makes, as the contact history records it. */
export const contactOf = (m: OutboundMessage): ContactRecord => ({
  id: m.messageId,
  at: m.createdAt,
  channel: m.channel,
  actionId: m.actionId,
  kind: m.kind,
  source: m.reason.type === 'decision' ? 'decision' : m.reason.type,
});

/**
 * Firings written with a customer's state but not recorded in the contact history yet: the state
 * item's outbox, between the write and the hand-off (longer when a crash left it for the
 * redelivery). Every reader of the ledger counts them, or a decision in that gap would not see
 * a firing that is about to be sent.
 */
export function pendingContacts(state: { readonly outbox?: unknown } | undefined): ContactRecord[] {
  const outbox = state?.outbox;
  if (!Array.isArray(outbox)) return [];
  return outbox.filter(isFiring).map(contactOf);
}

/** A stored outbox entry that is a firing (the item is untyped JSON: anything else is left out). */
function isFiring(m: unknown): m is OutboundMessage {
  return (
    typeof m === 'object' &&
    m !== null &&
    'messageId' in m &&
    typeof m.messageId === 'string' &&
    'createdAt' in m &&
    typeof m.createdAt === 'string' &&
    'channel' in m &&
    typeof m.channel === 'string' &&
    'actionId' in m &&
    typeof m.actionId === 'string' &&
    'reason' in m &&
    m.reason !== undefined
  );
}

/**
 * The stored history plus pending contacts (an outbox not recorded yet), each once. (Contacts dated
 * after `now`, such as hand-offs deferred through quiet hours, count as made now: the policy does
 * that.)
 */
export function ledgerWithPending(
  stored: readonly ContactRecord[],
  pending: readonly ContactRecord[],
): ContactRecord[] {
  if (pending.length === 0) return [...stored];
  const ids = new Set(stored.map((c) => c.id));
  return [...stored, ...pending.filter((p) => !ids.has(p.id))];
}
