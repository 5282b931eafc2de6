import * as z from 'zod';
import type { Rule } from '#domain/action.ts';
import type { ActionKind } from '#domain/contact-window.ts';
import { CHANNELS } from '#domain/customer.ts';
import { OFFER_RESPONSES } from '#domain/events.ts';
import type { OutboundMessage } from '#domain/triggers.ts';

/** A stored item without the shape its reader expects: a fault of the store, never of the caller (5xx). */
export class MalformedItemError extends Error {
  override readonly name = 'MalformedItemError';
}

/**
 * An item read back as the domain record it was written from, checked once where it leaves the
 * store: a renamed or missing field fails here, naming the field (never its value), instead of
 * reading as `undefined` further on.
 */
export function storedAs<T>(schema: z.ZodType<T>, item: unknown, what: string): T {
  const parsed = schema.safeParse(item);
  if (parsed.success) return parsed.data;
  const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(item)'))];
  throw malformed(what, ...fields);
}

/** The error of a hand-written decoder, worded as `storedAs` words it. */
export const malformed = (what: string, ...fields: string[]): MalformedItemError =>
  new MalformedItemError(`a stored ${what} is malformed: ${fields.join(', ')}`);

export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Stored enums, one value per member of the domain's union: a member the domain adds fails to compile here, not to read. */
const ACTION_KINDS = {
  offer: 'offer',
  retention: 'retention',
  service: 'service',
  information: 'information',
} as const;
export const StoredActionKind = z.enum(ACTION_KINDS satisfies { [K in ActionKind]: K });
export const StoredChannel = z.enum(CHANNELS);
export const StoredOfferResponse = z.enum(OFFER_RESPONSES);

/** A tenant rule (JSON Logic) or a constant, as `Rule` is: the rule engine checks its operators when it runs. */
export const StoredRule = z.union([z.boolean(), z.record(z.string(), z.unknown())]) satisfies z.ZodType<Rule>;

/** A hand-off as written with a state's outbox or a campaign member (types only: it was checked when built). */
export const StoredOutboundMessage = z.looseObject({
  messageId: z.string(),
  tenant: z.string(),
  customerId: z.string(),
  channel: StoredChannel,
  actionId: z.string(),
  variantId: z.string().optional(),
  kind: StoredActionKind,
  treatment: z.string(),
  language: z.string(),
  text: z.string().optional(),
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  segments: z.number().optional(),
  reason: z.looseObject({ type: z.enum(['trigger', 'campaign', 'decision']), id: z.string() }),
  createdAt: z.string(),
  sendAfter: z.string(),
}) satisfies z.ZodType<OutboundMessage>;
