/**
 * The event contract: the envelope and `data` of every event, as the API takes them and as the queue,
 * the workflows and the scripts read them. The API documents them from here (lambdas/http/schemas/events.ts).
 */
import { CHANNELS } from '#domain/customer.ts';
import type { FieldError } from '#domain/errors.ts';
import { EVENT_TYPES, EXIT_REASONS, OFFER_RESPONSES, type CvmEvent, type EventType } from '#domain/events.ts';
import { fieldErrorsOf } from './field-errors.ts';
import * as z from 'zod';
import { Id } from './ids.ts';

const money = z.number().min(0).max(1_000_000);
const text = (max: number) => z.string().min(1).max(max);

/** `data` per event type (DESIGN.md "Events"); unknown fields are refused, naming them. */
export const EVENT_DATA: Record<EventType, z.ZodType> = {
  'usage.data': z.strictObject({
    usedMb: z.number().min(0).max(10_000_000),
    bundleMb: z.number().min(0).max(10_000_000),
  }),
  'usage.voice': z.strictObject({ seconds: z.number().int().min(0).max(86_400) }),
  'network.call_dropped': z.strictObject({ cellId: text(64).optional() }),
  'billing.topup': z.strictObject({ amount: money }),
  'billing.invoice': z.strictObject({ amount: money, paid: z.boolean() }),
  'care.contact': z.strictObject({ reason: text(64), channel: z.enum(CHANNELS), resolvedFirstContact: z.boolean() }),
  'survey.nps': z.strictObject({ score: z.number().int().min(0).max(10), verbatim: text(1000).optional() }),
  'offer.response': z.strictObject({ actionId: Id, decisionId: Id.optional(), response: z.enum(OFFER_RESPONSES) }),
  'message.delivered': z.strictObject({ messageId: Id }),
  'message.failed': z.strictObject({ messageId: Id }),
  'message.inbound': z.strictObject({ channel: z.enum(CHANNELS), text: z.string().max(1600) }),
  'customer.churned': z.strictObject({ reason: z.enum(EXIT_REASONS), detail: text(256).optional() }),
  'customer.acquired': z.strictObject({
    channel: text(64),
    tariff: text(64),
    promotion: text(64).optional(),
    dealer: text(64).optional(),
  }),
  'customer.exit_interview': z.strictObject({
    reason: z.enum(EXIT_REASONS),
    destinationOperator: text(64)
      .optional()
      .meta({ description: 'The operator the customer left for, as the interviewer recorded it' }),
    detail: text(256).optional(),
  }),
};

export const EventEnvelope = z.strictObject({
  eventId: Id,
  customerId: Id,
  type: z.enum(EVENT_TYPES),
  occurredAt: z.iso.datetime({ offset: true }),
  data: z.record(z.string(), z.unknown()),
});

export const Rejection = z.object({
  index: z.number().int(),
  eventId: z.string().optional(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })),
});
export type Rejection = z.infer<typeof Rejection>;

/** Validates each event by its type's schema. */
export function validateEvents(raw: unknown[]): { valid: { index: number; event: CvmEvent }[]; rejected: Rejection[] } {
  const valid: { index: number; event: CvmEvent }[] = [];
  const rejected: Rejection[] = [];
  raw.forEach((item, index) => {
    const eventId =
      typeof (item as { eventId?: unknown })?.eventId === 'string' ? (item as { eventId: string }).eventId : undefined;
    const reject = (errors: FieldError[]) =>
      rejected.push({ index, ...(eventId !== undefined ? { eventId } : {}), errors });
    const envelope = EventEnvelope.safeParse(item);
    if (!envelope.success) return reject(fieldErrorsOf(envelope.error));
    const data = EVENT_DATA[envelope.data.type].safeParse(envelope.data.data);
    if (!data.success) return reject(fieldErrorsOf(data.error, 'data'));
    valid.push({ index, event: { ...envelope.data, data: data.data } as CvmEvent });
  });
  return { valid, rejected };
}
