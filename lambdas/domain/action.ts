import type { ActionKind } from './contact-window.ts';
import type { Channel } from './customer.ts';
import type { MessageParam, MessageVariant } from './decisioning/variants.ts';

/** A tenant rule (domain/rules.ts: JSON Logic with a whitelist and a step budget), or a constant. */
export type Rule = Record<string, unknown> | boolean;

export interface Treatment {
  templateKey: string;
  /** language -> message text */
  text: Record<string, string>;
  /** Named values that travel with the message (a gateway's template fields). */
  params?: Record<string, MessageParam>;
  /** Versions of the message, each customer sticky to one (decisioning/variants.ts). */
  variants?: MessageVariant[];
}

export interface ContactLimit {
  channel?: Channel;
  max: number;
  days: number;
}

/** An entry of a tenant's action catalog (DESIGN.md "Action"). */
export interface Action {
  actionId: string;
  name: string;
  kind: ActionKind;
  treatments: Partial<Record<Channel, Treatment>>;
  eligibility: Rule;
  propensity: { model: string } | { starting: number };
  /** Value to the operator in the market currency. */
  value: number;
  validFrom?: string;
  validTo?: string;
  lever: number;
  limits: { perCustomer: ContactLimit[]; perDay?: number };
  mandatory?: boolean;
}

/**
 * One contact in the ledger that inbound and outbound share: a decision shown, a trigger firing
 * or a campaign hand-off. Stored under the customer as `H#<at>#<id>`; the contact policy reads it.
 */
export interface ContactRecord {
  id: string;
  at: string;
  channel: Channel;
  actionId: string;
  kind: ActionKind;
  source: 'decision' | 'trigger' | 'campaign';
  response?: 'accepted' | 'declined' | 'ignored';
  respondedAt?: string;
}

/** Pick the treatment text in the customer's language, else the market default, else any. */
export function treatmentText(
  treatment: Treatment,
  language: string | undefined,
  defaultLanguage: string,
): string | undefined {
  return (
    (language ? treatment.text[language] : undefined) ??
    treatment.text[defaultLanguage] ??
    Object.values(treatment.text)[0]
  );
}
