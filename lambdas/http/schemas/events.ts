import { CHANNELS } from '#domain/customer.ts';
import type { FieldError } from '#domain/errors.ts';
import { EVENT_TYPES, EXIT_REASONS, OFFER_RESPONSES, type CvmEvent, type EventType } from '#domain/events.ts';
import { fieldErrorsOf } from '../problem.ts';
import * as z from 'zod';
import { Id } from './common.ts';

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

/** `usage.data` -> `UsageDataEvent`: the component name of one event type in the OpenAPI document. */
export const eventSchemaName = (type: EventType): string =>
  `${type
    .split(/[._]/)
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join('')}Event`;

/** One event type as documented: the envelope with its `type` fixed and its own `data`. */
const eventOfType = (type: EventType) =>
  EventEnvelope.extend({ type: z.literal(type), data: EVENT_DATA[type] }).meta({ id: eventSchemaName(type) });

/**
 * Every event, discriminated by `type`: for the OpenAPI document and generated clients only.
 * Validation stays per event (validateEvents), so one bad event rejects only itself.
 */
export const Event = z
  .discriminatedUnion(
    'type',
    EVENT_TYPES.map(eventOfType) as unknown as [ReturnType<typeof eventOfType>, ...ReturnType<typeof eventOfType>[]],
  )
  .meta({
    id: 'Event',
    description:
      '`data` depends on `type` (see DESIGN.md "Events"); `message.inbound` `{channel, text}` is a reply, and a text ' +
      "that is an opt-out keyword of the market (trimmed, any case) sets that channel's consent to false",
  });

const EXAMPLE_EVENT = {
  eventId: 'e-1',
  customerId: '27820000001',
  type: 'usage.data',
  occurredAt: '2026-11-23T09:05:00Z',
  data: { usedMb: 850, bundleMb: 1000 },
};

/**
 * The envelope only: each event is validated on its own so one bad event rejects only itself.
 * The document shows each item as an `Event` (registered by lambdas/http/openapi.ts).
 */
export const EventsBody = z
  .strictObject({
    events: z
      .array(z.unknown())
      .min(1, 'send 1 to 500 events')
      .max(500, 'send 1 to 500 events')
      .meta({ items: { $ref: '#/components/schemas/Event' } }),
  })
  .meta({
    id: 'EventsBody',
    description: '1-500 events; each validated by its type, and rejected on its own',
    example: { events: [EXAMPLE_EVENT] },
  });

export const Rejection = z.object({
  index: z.number().int(),
  eventId: z.string().optional(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })),
});
export const EventsAccepted = z
  .object({ accepted: z.number().int(), rejected: z.array(Rejection) })
  .meta({ id: 'EventsAccepted' });
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
