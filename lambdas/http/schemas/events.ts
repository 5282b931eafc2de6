import { EVENT_TYPES, type EventType } from '#domain/events.ts';
import { EVENT_DATA, EventEnvelope, Rejection } from '#edge/events.ts';
import * as z from 'zod';

/** `usage.data` -> `UsageDataEvent`: the component name of one event type in the OpenAPI document. */
export const eventSchemaName = (type: EventType): string =>
  `${type
    .split(/[._]/)
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join('')}Event`;

/** One event type as documented: the envelope with its `type` fixed and its own `data`. */
const eventOfType = (type: EventType) =>
  EventEnvelope.extend({ type: z.literal(type), data: EVENT_DATA[type] }).meta({ id: eventSchemaName(type) });

const [FIRST_TYPE, ...OTHER_TYPES] = EVENT_TYPES;

const documentedEvent = () =>
  z.discriminatedUnion('type', [eventOfType(FIRST_TYPE), ...OTHER_TYPES.map(eventOfType)]).meta({
    id: 'Event',
    description:
      '`data` depends on `type` (see DESIGN.md "Events"); `message.inbound` `{channel, text}` is a reply, and a text ' +
      "that is an opt-out keyword of the market (trimmed, any case) sets that channel's consent to false",
  });
let event: ReturnType<typeof documentedEvent> | undefined;

/**
 * Every event, discriminated by `type`: for the OpenAPI document and generated clients only.
 * Validation stays per event (validateEvents), so one bad event rejects only itself. Built on
 * first use: only the document needs it, and the events function would otherwise build one
 * schema per event type at each cold start for nothing.
 */
export const eventSchema = () => (event ??= documentedEvent());

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

export const EventsAccepted = z
  .object({ accepted: z.number().int(), rejected: z.array(Rejection) })
  .meta({ id: 'EventsAccepted' });
